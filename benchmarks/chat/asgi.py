"""The portal's ASGI application with the bare relay added at /relay/ for comparison."""

import os

from django.core.asgi import get_asgi_application

from portal.serving import tune_process

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "benchmarks.chat.settings")
django_asgi_app = get_asgi_application()
tune_process()

from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402
from django.urls import path  # noqa: E402

from benchmarks.chat.relay import RelayConsumer  # noqa: E402
from chat.consumers import ChatConsumer  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        "websocket": URLRouter(
            [
                path("relay/", RelayConsumer.as_asgi()),
                # Exactly the stack portal/asgi.py puts in front of the chat socket.
                path(
                    "ws/",
                    AllowedHostsOriginValidator(AuthMiddlewareStack(ChatConsumer.as_asgi())),
                ),
            ]
        ),
    }
)
