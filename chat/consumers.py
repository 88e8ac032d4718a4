"""The one socket each signed-in person opens at /ws/.

It only translates frames into service and selector calls. Client to server events:
``send``, ``resume``, ``read``, ``delivered``, ``typing``, ``ping``. Server to client:
``hello``, ``message``, ``sent``, ``resumed``, ``deleted``, ``receipt``, ``typing``,
``count``, ``added``, ``removed``, ``signed_out``, ``subscribed``, ``pong``, ``error``.

Resuming: ``{"type": "resume", "conversation": id, "after": last message id seen,
"deleted_since": the "deleted_until" of the last "resumed" (or the page's data-now)}``
replays every message after ``after`` in order, then a ``deleted`` event for each
earlier message deleted since ``deleted_since``, then ``resumed`` with ``last``, the
newest message the replay covered: this socket has now been sent every message up to it.

Never missing a message (chat/static/chat/live.js follows these rules): message ids are
global, so every message (in ``message`` and in ``sent``) carries ``prev``, an id with
no message of its conversation between it and this one; ``null`` when not known (a
repeated send). A page keeps the last id up to which it has every message. A message
whose ``prev`` is at or below that id moves it on; any other is shown, kept aside, and
the page resumes from that id; ``resumed`` moves it to ``last``. ``hello`` and
``subscribed`` mean this socket's live events flow from now on (``subscribed``: again,
after the channel layer failed and some may have been lost): resume then too.

A frame over ``settings.CHAT_MAX_FRAME_BYTES`` gets an ``error`` (``too_large``) and the
socket is closed with 4009, whichever server runs the portal; ``hello`` says the limit.
"""

from __future__ import annotations

import functools
import json
import logging
import time
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

from asgiref.sync import sync_to_async
from channels.consumer import get_handler_name
from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connections
from django.http import Http404
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from redis.exceptions import RedisError

from portal import access as portal_access

from . import live, selectors, sending, services
from .access import ConversationAccess, socket_may_use
from .models import Conversation, Participant

logger = logging.getLogger(__name__)

TYPING_EVERY = 2.0

CLOSE_ANONYMOUS = 4401
# Staff before two-step sign-in; live.js stops on it rather than trying again.
CLOSE_NOT_PARTICIPANT = 4403
CLOSE_SIGNED_OUT = 4001
# "Try again later" and "message too big" are 1013 and 1009, but daphne (autobahn) lets an
# application close only with 1000 or 3000-4999 and answers anything else with 1011: these
# are the same on every server. live.js tries again after 4013 and stops trying after 4009.
CLOSE_TRY_AGAIN = 4013
CLOSE_TOO_BIG = 4009

T = TypeVar("T")

_executor: ThreadPoolExecutor | None = None


def _db(func: Callable[..., T]) -> Callable[..., Awaitable[T]]:
    """Run ORM work off the event loop.

    On PostgreSQL sends run in a small pool of threads (each with its own connection),
    so one slow commit does not hold up every socket in the process; SQLite keeps the
    single thread Channels uses by default.

    ``CONN_MAX_AGE`` stays 0 on ASGI workers because each page request gets a thread of
    its own and kept connections would pile up; this pool has only ``CHAT_DB_THREADS``
    threads, so each keeps one connection instead of connecting for every message.
    """
    global _executor
    threads = settings.CHAT_DB_THREADS
    if threads <= 0 and settings.DATABASES["default"]["ENGINE"].endswith("postgresql"):
        threads = 8
    if threads <= 0:
        return database_sync_to_async(func)  # type: ignore[no-any-return]  # untyped
    if _executor is None:
        _executor = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="chat-db")

    @functools.wraps(func)
    def in_pool(*args: object, **kwargs: object) -> T:
        _failed_connections_drop()
        return func(*args, **kwargs)

    return sync_to_async(in_pool, thread_sensitive=False, executor=_executor)


def _failed_connections_drop() -> None:
    """A pooled thread's connection that has failed is dropped and made again on use."""
    for connection in connections.all(initialized_only=True):
        if connection.connection is not None and connection.errors_occurred:
            if connection.is_usable():
                connection.errors_occurred = False
            else:
                connection.close()


def _frame_too_big(text_data: str | None, bytes_data: bytes | None) -> bool:
    limit = settings.CHAT_MAX_FRAME_BYTES
    if bytes_data is not None:
        return len(bytes_data) > limit
    if text_data is None or len(text_data) * 4 <= limit:
        return False  # no UTF-8 character takes more than four bytes
    return len(text_data) > limit or len(text_data.encode("utf-8", "surrogatepass")) > limit


def _staff_before_mfa(user) -> bool:
    return portal_access.needs_mfa(user) and not portal_access.mfa_passed(user)


class ChatConsumer(AsyncWebsocketConsumer):
    async def dispatch(self, message):
        # Channels closes stale database connections before every event, through a hop
        # to its database thread. Every ORM call here goes through ``_db``, which does
        # that itself, so the hop only cost CPU on each frame and each delivery (about a
        # quarter of a worker's time when busy, benchmarks/chat).
        handler = getattr(self, get_handler_name(message), None)
        if handler is None:
            raise ValueError(f"No handler for message type {message['type']}")
        await handler(message)

    async def connect(self):
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self.close(code=CLOSE_ANONYMOUS)
            return
        self.user = user
        session = self.scope.get("session")
        if session is not None:
            # Staff see live events only once this session has passed two-step sign-in.
            await _db(portal_access.session_mfa_note)(user, session)
        if await _db(_staff_before_mfa)(user):
            # Nothing live names a family to staff before two-step sign-in; the page does
            # not try again (4403 stops live.js), it works as a plain page.
            await self.close(code=CLOSE_NOT_PARTICIPANT)
            return
        # Everyone else gets a socket, in conversations or not: a manager or an editor
        # still gets live notifications (a raised concern, say) and badge counts.
        self.conversations: dict[int, dict] = await _db(self._load_conversations)()
        self.sent_ids: dict[int, set[int]] = {}
        self.typing_at: dict[int, float] = {}
        self.frame_burst, self.frame_refill = settings.CHAT_FRAME_RATE
        self.tokens = float(self.frame_burst)
        self.tokens_at = time.monotonic()
        self.groups_joined = [live.user_group(user.pk)]
        if session is not None and session.session_key:
            self.groups_joined.append(live.session_group(session.session_key))
        try:
            for group in self.groups_joined:
                await self.channel_layer.group_add(group, self.channel_name)
        except (RedisError, OSError):
            # The channel layer broke between opening this socket's channel and joining
            # its groups: without them nothing live would reach it, so the page tries again.
            logger.warning("Chat socket could not join its groups", exc_info=True)
            await self.close(code=CLOSE_TRY_AGAIN)
            return
        live.layer_watch_join(self)
        await self.accept()
        await _db(live.presence_join)(user.pk)
        self.present = True
        counts = await _db(self._counts)()
        await self.send_json(
            {
                "type": "hello",
                "user": user.pk,
                "counts": counts,
                "max_frame": settings.CHAT_MAX_FRAME_BYTES,
                "conversations": [
                    {"id": cid, "role": info["role"], "can_write": info["can_write"]}
                    for cid, info in sorted(self.conversations.items())
                ],
            }
        )

    async def disconnect(self, code):
        live.layer_watch_leave(self)
        for group in getattr(self, "groups_joined", []):
            try:
                await self.channel_layer.group_discard(group, self.channel_name)
            except (RedisError, OSError):
                logger.warning("Chat socket could not leave a group", exc_info=True)
        if getattr(self, "present", False):
            self.present = False
            await _db(live.presence_leave)(self.user.pk)

    # Loading ---------------------------------------------------------------------------

    def _load_conversations(self) -> dict[int, dict]:
        services.conversations_ensure_for_user(user=self.user)
        rows = selectors.conversation_list_for_user(user=self.user)
        found: dict[int, dict[str, Any]] = {}
        for row in rows:
            access = socket_may_use(self.user, row.conversation)
            if access is None:
                continue
            found[row.conversation_id] = {
                "role": str(access.role),
                "can_write": access.can_write,
                "people": set(),
                # Remembered for sends; the send itself re-checks participation.
                "access": ConversationAccess(
                    conversation=row.conversation, role=access.role, checked_now=False
                ),
            }
        for conversation_id, user_id in Participant.objects.filter(
            conversation_id__in=list(found), left_at__isnull=True
        ).values_list("conversation_id", "user_id"):
            found[conversation_id]["people"].add(user_id)
        return found

    def _counts(self) -> dict:
        counts = selectors.unread_counts(self.user.pk)
        return {"messages": counts.messages, "notifications": counts.notifications}

    def _access(self, conversation_id: int):
        conversation = (
            Conversation.objects.select_related("family__lead_key_worker")
            .filter(pk=conversation_id)
            .first()
        )
        if conversation is None:
            raise Http404
        access = socket_may_use(self.user, conversation)
        if access is None:
            raise Http404
        return access

    # Frames from the browser -----------------------------------------------------------

    async def receive(self, text_data=None, bytes_data=None):
        if _frame_too_big(text_data, bytes_data):
            await self.error(
                "too_large", _("That message is too long to send. Make it shorter and try again.")
            )
            await self.close(code=CLOSE_TOO_BIG)
            return
        if not self._take_token():
            await self.error("rate_limited", _("Slow down a little."))
            return
        if bytes_data is not None or text_data is None:
            await self.error("bad_frame", _("Send JSON text."))
            return
        try:
            content = json.loads(text_data)
        except ValueError:
            await self.error("bad_json", _("That could not be read."))
            return
        if not isinstance(content, dict) or not isinstance(content.get("type"), str):
            await self.error("bad_json", _("That could not be read."))
            return
        handler = {
            "send": self.on_send,
            "resume": self.on_resume,
            "read": self.on_read,
            "delivered": self.on_delivered,
            "typing": self.on_typing,
            "ping": self.on_ping,
        }.get(content["type"])
        if handler is None:
            await self.error("unknown_type", _("Unknown event."))
            return
        try:
            await handler(content)
        except Exception:  # one bad frame must not end the socket
            logger.exception("Chat socket event failed")
            await self.error("server_error", _("Something went wrong. Try again."), content)

    def _take_token(self) -> bool:
        now = time.monotonic()
        refilled = self.tokens + (now - self.tokens_at) * self.frame_refill
        self.tokens = min(self.frame_burst, refilled)
        self.tokens_at = now
        if self.tokens < 1:
            return False
        self.tokens -= 1
        return True

    def _conversation_id(self, content) -> int | None:
        value = content.get("conversation")
        if isinstance(value, bool):
            return None
        try:
            conversation_id = int(value)
        except (TypeError, ValueError):
            return None
        return conversation_id if conversation_id in self.conversations else None

    async def on_send(self, content):
        conversation_id = self._conversation_id(content)
        client_id = content.get("client_id")
        body = content.get("body", "")
        if conversation_id is None:
            await self.error("not_found", _("You cannot send messages there."), content)
            return
        if not isinstance(body, str) or not isinstance(client_id, str):
            await self.error("invalid", _("That could not be read."), content)
            return
        send = services.Send(
            access=self.conversations[conversation_id]["access"],
            sender=self.user,
            body=body,
            client_id=client_id,
        )
        try:
            message, created, payload = await sending.batcher(_db).submit(send)
        except services.RateLimited:
            await self.error("rate_limited", _("You are sending messages too fast."), content)
            return
        except ValidationError as exc:
            await self.error("invalid", " ".join(exc.messages), content)
            return
        except (PermissionDenied, Http404):
            await self.error("not_found", _("You cannot send messages there."), content)
            return
        # The broadcast of this message comes back to this socket too: skip it here.
        self.sent_ids.setdefault(conversation_id, set()).add(message.pk)
        await self.send_json(
            {
                "type": "sent",
                "client_id": client_id,
                "conversation": conversation_id,
                "id": message.pk,
                "duplicate": not created,
                "message": payload,
            }
        )

    async def on_resume(self, content):
        conversation_id = self._conversation_id(content)
        after = content.get("after", 0)
        if conversation_id is None:
            await self.error("not_found", _("That conversation is not available."), content)
            return
        if isinstance(after, bool) or not isinstance(after, int) or after < 0:
            await self.error("invalid", _("That could not be read."), content)
            return
        since = content.get("deleted_since")
        if since is not None:
            since = parse_datetime(since) if isinstance(since, str) else None
            if since is None or since.tzinfo is None:
                await self.error("invalid", _("That could not be read."), content)
                return
        payloads, deleted, until = await _db(self._replay)(conversation_id, after, since)
        for payload in payloads:
            await self._deliver("message", payload)
        for payload in deleted:
            await self.send_json({"type": "deleted", "message": payload})
        last = payloads[-1]["id"] if payloads else after
        await self.send_json(
            {
                "type": "resumed",
                "conversation": conversation_id,
                "last": last,
                "more": len(payloads) >= selectors.REPLAY_LIMIT,
                "deleted_until": until,
            }
        )

    def _replay(self, conversation_id: int, after: int, since):
        self._access(conversation_id)
        until = selectors.deletions_cursor()
        found = selectors.messages_after(conversation_id=conversation_id, after=after)
        for prev_id, message in zip([after, *(m.pk for m in found)], found, strict=False):
            message.prev_id = prev_id
        messages = [services.message_payload(m) for m in found]
        deleted = []
        if since is not None:
            # Messages after ``after`` came above, already marked deleted where they are.
            deleted = [
                services.message_payload(m)
                for m in selectors.messages_deleted_since(
                    conversation_id=conversation_id, since=since, up_to=after
                )
            ]
        return messages, deleted, until

    async def layer_recovered(self):
        """This socket's subscriptions deliver again after the channel layer failed (see
        live.LayerWatch): join the groups again in case one was lost, then tell the page,
        which resumes from the last message it has."""
        try:
            for group in self.groups_joined:
                await self.channel_layer.group_add(group, self.channel_name)
            await self.send_json({"type": "subscribed"})
        except Exception:  # the socket may have just closed
            logger.warning("Could not tell a socket to resume", exc_info=True)

    async def on_read(self, content):
        await self._receipt(content, services.conversation_read_mark)

    async def on_delivered(self, content):
        await self._receipt(content, services.conversation_delivered_mark)

    async def _receipt(self, content, service):
        conversation_id = self._conversation_id(content)
        up_to = content.get("id")
        if conversation_id is None or isinstance(up_to, bool) or not isinstance(up_to, int):
            await self.error("invalid", _("That could not be read."), content)
            return

        def mark():
            access = self._access(conversation_id)
            return service(access=access, user=self.user, up_to=up_to)

        try:
            await _db(mark)()
        except Http404:
            await self.error("not_found", _("That conversation is not available."), content)

    async def on_typing(self, content):
        conversation_id = self._conversation_id(content)
        if conversation_id is None or not self.conversations[conversation_id]["can_write"]:
            await self.error("not_found", _("That conversation is not available."), content)
            return
        now = time.monotonic()
        if now - self.typing_at.get(conversation_id, 0) < TYPING_EVERY:
            return
        self.typing_at[conversation_id] = now
        others = self.conversations[conversation_id]["people"] - {self.user.pk}
        await live.asend_to_users(
            others,
            {
                "type": "chat.typing",
                "conversation": conversation_id,
                "user": self.user.pk,
                "name": self.user.display_name,
            },
        )

    async def on_ping(self, content):
        await _db(live.presence_touch)(self.user.pk)
        await self.send_json({"type": "pong"})

    # Events from the channel layer -----------------------------------------------------

    async def chat_message(self, event):
        await self._deliver("message", event["message"])

    async def chat_deleted(self, event):
        payload = event["message"]
        if payload["conversation"] in self.conversations:
            await self.send_json({"type": "deleted", "message": payload})

    async def chat_receipt(self, event):
        if event["conversation"] in self.conversations:
            await self.send_json({**event, "type": "receipt"})

    async def chat_typing(self, event):
        if event["conversation"] in self.conversations and event["user"] != self.user.pk:
            await self.send_json({**event, "type": "typing"})

    async def chat_count(self, event):
        await self.send_json({"type": "count", "name": event["name"], "count": event["count"]})

    async def access_changed(self, event):
        before = self.conversations
        self.conversations = await _db(self._load_conversations)()
        for conversation_id in sorted(set(before) - set(self.conversations)):
            await self.send_json({"type": "removed", "conversation": conversation_id})
        for conversation_id in sorted(set(self.conversations) - set(before)):
            info = self.conversations[conversation_id]
            await self.send_json(
                {
                    "type": "added",
                    "conversation": conversation_id,
                    "role": info["role"],
                    "can_write": info["can_write"],
                }
            )

    async def session_ended(self, event):
        await self.send_json({"type": "signed_out"})
        await self.close(code=CLOSE_SIGNED_OUT)

    # Helpers ---------------------------------------------------------------------------

    async def _deliver(self, kind: str, payload: dict) -> None:
        """Send a message once per socket, whether it came live, as an ack or on resume."""
        conversation_id = payload["conversation"]
        if conversation_id not in self.conversations:
            return
        seen = self.sent_ids.setdefault(conversation_id, set())
        if payload["id"] in seen:
            return
        seen.add(payload["id"])
        if len(seen) > 4000:
            for old in sorted(seen)[:2000]:
                seen.discard(old)
        await self.send_json({"type": kind, "message": payload})

    async def send_json(self, content):
        await self.send(text_data=json.dumps(content, separators=(",", ":")))

    async def error(self, code: str, text: str, content: dict | None = None):
        event = {"type": "error", "code": code, "message": text}
        if content and isinstance(content.get("client_id"), str):
            event["client_id"] = content["client_id"][:64]
        if content and isinstance(content.get("type"), str):
            event["for"] = content["type"][:20]
        await self.send_json(event)
