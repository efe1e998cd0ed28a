"""The web console's sign-in links and sessions."""
