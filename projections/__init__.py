"""The read side: read models and queries (see issue 3)."""
