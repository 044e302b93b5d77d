"""Core: London geography (boroughs, postcodes) and shared building blocks."""
