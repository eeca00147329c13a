"""reviews domain room: models, service, queries."""
