"""What each member has to do now, derived from the current state (issue 15)."""
