"""A bench-only app: the plain model django-import-export imports the roster sample into (no migrations)."""
