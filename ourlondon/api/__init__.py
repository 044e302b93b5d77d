"""The public JSON API (`/api/v1/`): search, activities, map clusters, postcodes,
boroughs. Read-only, cookie-free and cacheable; described by OpenAPI 3."""
