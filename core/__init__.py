"""Shared plumbing every app uses and that knows nothing of tenancy: errors, messages, API input/output.

Imports no app of ours (a meta-test keeps it so); tenancy enforcement lives in ``tenants``.
"""
