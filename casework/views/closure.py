"""Closing the work or stepping down, and the six months after."""
