"""Admin pages of the reviews capability (stub)."""
