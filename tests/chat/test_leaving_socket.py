"""Someone removed from a household: every socket they have open closes at once."""

from __future__ import annotations

import pytest
from channels.db import database_sync_to_async

from portal import services as portal_services
from portal.models import FamilyMember
from tests import factories
from tests.helpers.chat import open_socket, receive_until, session_cookie

pytestmark = pytest.mark.django_db(transaction=True)


def _remove(user, key_worker):
    portal_services.family_member_remove(
        member=FamilyMember.objects.get(user=user),
        actor=key_worker,
        reason="Moved out after a court order this week",
    )


async def test_every_socket_of_a_removed_adult_closes_and_no_other(
    conversation, family, parent, key_worker
):
    dad = await database_sync_to_async(factories.parent)(
        family, name="Imran", relationship=FamilyMember.Relationship.DAD
    )
    phone, hello = await open_socket(await database_sync_to_async(session_cookie)(dad))
    assert conversation.pk in [c["id"] for c in hello["conversations"]]
    laptop, _ = await open_socket(await database_sync_to_async(session_cookie)(dad))
    mum, _ = await open_socket(await database_sync_to_async(session_cookie)(parent))

    await database_sync_to_async(_remove)(dad, key_worker)

    for socket in (phone, laptop):
        await receive_until(socket, "signed_out")
        closed = await socket.receive_output(timeout=5)
        assert closed == {"type": "websocket.close", "code": 4001}
    # Aisha's socket stays open and answers.
    await mum.send_json_to({"type": "ping"})
    await receive_until(mum, "pong")
    await mum.disconnect()
