"""Maintenance tools (screenshots for the README and for reviewing screens)."""
