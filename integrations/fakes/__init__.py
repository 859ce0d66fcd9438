"""Fake CRM servers (HubSpot, Salesforce) at the HTTP level, for tests, local development and the demo."""
