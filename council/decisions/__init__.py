"""Decisions: firing workflow transitions on proposals (members and timers) with their effects, and the scheduler."""
