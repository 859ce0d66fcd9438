"""Rule evaluators over kpi state (stub)."""
