"""The whole-family assessment and the needs it found; the family's view of them."""
