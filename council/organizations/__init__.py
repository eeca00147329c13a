"""organizations domain room: models, service, queries."""
