"""Check-ins: the daily check-in and logged cravings."""
