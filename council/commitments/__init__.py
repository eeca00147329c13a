"""The commitment a programme's OPD heads sign with the mayor: its text, its signatories, their signatures."""
