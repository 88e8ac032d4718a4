"""Settings for the chat benchmark: the portal's own, plus a relay route and no send cap.

Synthetic people send far faster than anyone types, so the per-person send limit and
each socket's frame allowance are lifted; both limiters still run on every message (the
send limit's count goes to Redis with each batch). Flat out on a fast machine, a few
sockets went past the portal's 60 frames and 20 a second and were told to slow down.
"""

from portal.settings import *  # noqa: F403

CHAT_SEND_RATE = (1_000_000, 60)
CHAT_FRAME_RATE = (1_000_000, 1_000_000)
ASGI_APPLICATION = "benchmarks.chat.asgi.application"
LOGGING["root"]["level"] = "WARNING"  # noqa: F405
