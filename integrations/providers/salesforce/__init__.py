"""Salesforce: REST ``queryAll`` on ``SystemModstamp``, the ``deleted/`` log, OAuth web-server flow with PKCE."""
