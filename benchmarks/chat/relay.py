"""A bare Channels relay: no authentication, no database; the baseline for the chat."""

import json
from urllib.parse import parse_qs

from channels.generic.websocket import AsyncWebsocketConsumer


class RelayConsumer(AsyncWebsocketConsumer):
    async def connect(self):
        query = parse_qs(self.scope.get("query_string", b"").decode())
        self.group = f"relay.{int(query.get('id', ['0'])[0])}"
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()

    async def disconnect(self, code):
        await self.channel_layer.group_discard(self.group, self.channel_name)

    async def receive(self, text_data=None, bytes_data=None):
        event = json.loads(text_data)
        for target in event["to"]:
            await self.channel_layer.group_send(
                f"relay.{int(target)}", {"type": "relay.message", "text": text_data}
            )

    async def relay_message(self, event):
        await self.send(text_data=event["text"])
