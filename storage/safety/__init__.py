"""Safety: escalations and their events, screening follow-ups, the audit log."""
