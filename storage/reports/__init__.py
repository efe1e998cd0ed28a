"""Read queries for the console: the caseload, a member's window of days, the centre's figures."""
