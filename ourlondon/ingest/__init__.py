"""Open-data feeds in: fetching safely, RPDE harvesting, mapping to the catalogue."""
