"""Admin pages of the checklists capability (stub)."""
