"""Sending the outbox through Telegram: priorities, retries with backoff, 429/403 handling."""
