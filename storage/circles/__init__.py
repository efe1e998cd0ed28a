"""Peer circles: circles and memberships, settings and meetings, relayed messages, reports."""
