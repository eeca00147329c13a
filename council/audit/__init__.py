"""audit domain room: models, service, queries."""
