"""The transactional outbox: domain events written in the transaction of the change they report (issue 15)."""
