"""voting domain room: models, service, queries."""
