"""People: centres, staff, members, their pauses, invites and consent."""
