"""Sponsors and accountability: sponsors, links, the attendance watch, talk requests."""
