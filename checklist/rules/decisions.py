"""Rule evaluators over decision state (stub)."""
