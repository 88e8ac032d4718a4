"""Every signed-in page is made afresh: what changed since the last visit shows on the
next page load, with nothing to invalidate."""

from __future__ import annotations

import uuid

import pytest
from django.test import Client

from chat import services as chat_services
from chat.access import socket_may_use
from plans import services as plan_services
from portal.models import FamilyMember

pytestmark = pytest.mark.django_db(transaction=True)


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def page(client, path) -> str:
    response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    return response.content.decode()


def test_a_change_by_the_key_worker_shows_on_the_parents_next_visit(family, parent, key_worker):
    plan = plan_services.plan_start(family=family, actor=parent)
    client = signed_in(parent)
    assert "Well done on Monday" not in page(client, "/plans/")
    plan_services.comment_add(plan=plan, actor=key_worker, text="Well done on Monday")
    assert "Well done on Monday" in page(client, "/plans/")


def test_a_new_message_shows_on_the_conversation_and_the_dashboard(family, parent, key_worker):
    conversation = chat_services.conversation_key_worker_ensure(family=family)
    client = signed_in(parent)
    path = f"/messages/{conversation.pk}/"
    page(client, path)
    assert 'data-live-count="messages"' not in page(client, "/dashboard/")
    chat_services.message_send(
        access=socket_may_use(key_worker, conversation),
        sender=key_worker,
        body="See you on Tuesday",
        client_id=uuid.uuid4(),
    )
    assert 'data-live-count="messages"' in page(client, "/dashboard/")
    assert "See you on Tuesday" in page(client, path)


def test_leaving_the_family_shows_at_once(family, parent):
    client = signed_in(parent)
    assert "Your key worker" in page(client, "/dashboard/")
    FamilyMember.objects.filter(user=parent).delete()
    assert "Your key worker" not in page(client, "/dashboard/")


def test_a_deactivated_account_is_signed_out_at_once(family, parent):
    client = signed_in(parent)
    page(client, "/dashboard/")
    parent.is_active = False
    parent.save()
    assert client.get("/dashboard/").status_code == 302
