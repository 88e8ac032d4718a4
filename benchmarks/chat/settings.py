"""Settings for the chat benchmark: the portal's own, plus a relay route and no send cap.

Synthetic people send far faster than anyone types, so the per-person send limit is
lifted; the limiter itself (a Redis counter per send) still runs on every message.
"""

from portal.settings import *  # noqa: F403

CHAT_SEND_RATE = (1_000_000, 60)
ASGI_APPLICATION = "benchmarks.chat.asgi.application"
LOGGING["root"]["level"] = "WARNING"  # noqa: F405
