"""Public pages: home, activity detail, the quick exit and the footer attribution."""
