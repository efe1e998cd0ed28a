"""Persistence by topic: each topic's tables and queries (people, checkins, safety, outbox, circles,
sponsors, keys; inbox, privacy, retention), every table in storage.schema, the engine (db) and
migrations."""
