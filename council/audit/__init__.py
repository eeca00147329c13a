"""audit domain room: chains, models, service, queries."""
