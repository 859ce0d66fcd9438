"""Admin pages of the decisions capability (stub)."""
