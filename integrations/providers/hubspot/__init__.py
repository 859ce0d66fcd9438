"""HubSpot: CRM v3 objects API (list, search, archived), owners, pipelines, OAuth v3 tokens, webhooks v3."""
