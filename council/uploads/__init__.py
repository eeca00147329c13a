"""uploads domain room: evidence files (PDF, JPEG, PNG) of milestones and progress reports."""
