"""Rule evaluators over review state (stub)."""
