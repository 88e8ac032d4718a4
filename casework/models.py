"""The family's journey and the team around it, on the one record."""
