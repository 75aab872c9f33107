"""Reusable widgets: each shows what the core returns; none decides anything."""
