"""proposals domain room: models, service, queries."""
