"""The doors: the CLI (and later the HTTP API and pages)."""
