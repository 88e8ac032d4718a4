"""Settings for the ASGI worker processes the chat tests start (tests.helpers.chat.Worker):
the portal's own, with the per-person send limit and the per-socket frame limit lifted,
since the tests send far faster than anyone types (both limiters still run)."""

from portal.settings import *  # noqa: F403

CHAT_SEND_RATE = (1_000_000, 60)
CHAT_FRAME_RATE = (1_000_000, 1_000_000)
