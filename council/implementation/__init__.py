"""implementation domain room: models, service, queries."""
