"""Encryption keys: the canary that tells whether the configured key fits, and key rotation."""
