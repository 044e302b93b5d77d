"""Catalogue: organisations, venues, activity types, activities, schedules, sessions."""
