"""The outbox: everything a person must receive, and the sender's claims on it."""
