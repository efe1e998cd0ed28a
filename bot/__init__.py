"""Saathi: a companion bot that a de-addiction centre runs for its members."""

__version__ = "0.1.0"
