"""A family's own pages kept per session (portal/pagecache.py): served again without the
view while nothing on them changed, never to anyone else, never stale."""

from __future__ import annotations

import re
import uuid

import pytest
from django.core.cache import cache
from django.db import connection
from django.middleware.csrf import _unmask_cipher_token
from django.test import Client
from django.test.utils import CaptureQueriesContext

from chat import services as chat_services
from chat.access import socket_may_use
from plans import services as plan_services
from portal import pagecache
from portal.models import FamilyMember
from tests import factories

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _page_cache_on(settings):
    settings.PAGE_CACHE = True
    pagecache.connect()
    cache.clear()
    yield
    cache.clear()


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def get(client, path):
    """(response, queries the request made)."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    return response, len(queries)


def kept(client, path) -> bool:
    """Whether the page came from the page cache: no view ran, so at most the session was
    read from the database (none with Redis sessions)."""
    _response, queries = get(client, path)
    return queries <= 1


def test_a_parents_page_is_served_again_without_the_view(family, parent):
    client = signed_in(parent)
    first, queries = get(client, "/dashboard/")
    assert queries > 3
    again, queries_again = get(client, "/dashboard/")
    assert queries_again <= 1
    assert again.content.count(b"Your key worker") == first.content.count(b"Your key worker")
    assert again["Cache-Control"] == "no-store, private"


def test_nonce_and_csrf_tokens_are_fresh_each_time_a_kept_page_is_served(family, parent):
    client = signed_in(parent)
    get(client, "/dashboard/")
    pages = [get(client, "/dashboard/")[0] for _n in range(2)]
    nonces = []
    for page in pages:
        html = page.content.decode()
        nonce = re.search(r"'nonce-([^']+)'", page["Content-Security-Policy"]).group(1)
        assert f'nonce="{nonce}"' in html
        assert "<!--" not in html.split("<body", 1)[1].split(">", 1)[0]
        nonces.append(nonce)
        secret = client.cookies["csrftoken"].value
        tokens = re.findall(r'"X-CSRFToken": "([A-Za-z0-9]{64})"', html)
        assert tokens and all(_unmask_cipher_token(t) == secret for t in tokens)
    assert nonces[0] != nonces[1]


def test_no_one_else_is_served_a_kept_page(family, parent, other_parent):
    dad = factories.parent(family, relationship=FamilyMember.Relationship.DAD, name="Sam")
    mum_client = signed_in(parent)
    get(mum_client, "/dashboard/")
    assert kept(mum_client, "/dashboard/")
    for person in (dad, other_parent):
        client = signed_in(person)
        page, queries = get(client, "/dashboard/")
        assert queries > 3
        assert person.display_name in page.content.decode()
    # The same person on another device or after signing in again gets their own copy.
    assert not kept(signed_in(parent), "/dashboard/")


def test_a_change_by_the_key_worker_shows_on_the_parents_next_visit(family, parent, key_worker):
    plan = plan_services.plan_start(family=family, actor=parent)
    client = signed_in(parent)
    get(client, "/plans/")
    assert kept(client, "/plans/")
    plan_services.comment_add(plan=plan, actor=key_worker, text="Well done on Monday")
    page, queries = get(client, "/plans/")
    assert queries > 3
    assert "Well done on Monday" in page.content.decode()


def test_a_parents_own_change_shows_at_once(family, parent):
    plan = plan_services.plan_start(family=family, actor=parent)
    client = signed_in(parent)
    get(client, "/plans/")
    assert kept(client, "/plans/")
    plan_services.goal_create(plan=plan, actor=parent, title="Walk to school with Jo")
    assert "Walk to school with Jo" in get(client, "/plans/")[0].content.decode()


def test_a_new_message_shows_on_the_conversation_and_the_dashboard(family, parent, key_worker):
    conversation = chat_services.conversation_key_worker_ensure(family=family)
    client = signed_in(parent)
    path = f"/messages/{conversation.pk}/"
    for page in (path, "/dashboard/"):
        get(client, page)
        assert kept(client, page)
    chat_services.message_send(
        access=socket_may_use(key_worker, conversation),
        sender=key_worker,
        body="See you on Tuesday",
        client_id=uuid.uuid4(),
    )
    assert "See you on Tuesday" in get(client, path)[0].content.decode()
    assert not kept(client, "/dashboard/")


def test_a_one_off_message_is_shown_once_and_never_kept(family, parent):
    plan_services.plan_start(family=family, actor=parent)
    client = signed_in(parent)
    get(client, "/plans/")
    response = client.post(
        f"/plans/family/{family.pk}/comments/", {"text": "We walked every day"}, follow=True
    )
    assert response.redirect_chain[-1][0].startswith("/plans/")
    assert "Your comment has been added." in response.content.decode()
    again = get(client, "/plans/")[0].content.decode()
    assert "We walked every day" in again
    assert "Your comment has been added." not in again


def test_staff_pages_are_never_kept(family, key_worker):
    client = signed_in(key_worker)
    get(client, "/dashboard/")
    assert not kept(client, "/dashboard/")


def test_leaving_the_family_stops_the_kept_page_at_once(family, parent):
    client = signed_in(parent)
    assert "Your key worker" in get(client, "/dashboard/")[0].content.decode()
    assert kept(client, "/dashboard/")
    FamilyMember.objects.filter(user=parent).delete()
    page, queries = get(client, "/dashboard/")
    assert queries > 1
    assert "Your key worker" not in page.content.decode()


def test_a_deactivated_account_is_not_served_a_kept_page(family, parent):
    client = signed_in(parent)
    get(client, "/dashboard/")
    assert kept(client, "/dashboard/")
    parent.is_active = False
    parent.save()
    response = client.get("/dashboard/")
    assert response.status_code == 302


def test_pages_are_kept_no_longer_than_the_time_limit(family, parent, settings):
    settings.PAGE_CACHE_SECONDS = 0
    client = signed_in(parent)
    get(client, "/dashboard/")
    assert not kept(client, "/dashboard/")


def test_a_rolled_back_change_does_not_stop_later_ones(family, parent):
    from django.db import transaction

    plan = plan_services.plan_start(family=family, actor=parent)
    client = signed_in(parent)
    get(client, "/plans/")
    with pytest.raises(RuntimeError), transaction.atomic():
        plan_services.goal_create(plan=plan, actor=parent, title="Never saved")
        raise RuntimeError
    assert kept(client, "/plans/")
    with transaction.atomic():
        plan_services.goal_create(plan=plan, actor=parent, title="Saved in the end")
    assert "Saved in the end" in get(client, "/plans/")[0].content.decode()


def test_every_record_reaches_its_people_or_everyone():
    """A record the page cache cannot place marks every page out of date; the records of a
    family's plan, conversations and bookings are placed through their family."""
    from django.apps import apps

    placed = {
        label: pagecache._relation_paths(apps.get_model(label))[0]
        for label in (
            "plans.step",
            "plans.goalrating",
            "chat.message",
            "chat.participant",
            "peer_mentors.concern",
            "content.sessioninvitation",
        )
    }
    assert all(path and path.endswith("family_id") for path in placed.values()), placed
    assert pagecache._relation_paths(apps.get_model("notifications.notification"))[1] == (
        "recipient_id",
    )


def test_a_page_kept_under_another_secret_key_is_made_afresh(family, parent, settings):
    client = signed_in(parent)
    get(client, "/dashboard/")
    assert kept(client, "/dashboard/")
    old_csrf_marker = pagecache._marker("csrf")
    # A rotation keeps the old key as a fallback, so the parent stays signed in.
    settings.SECRET_KEY_FALLBACKS = [settings.SECRET_KEY]
    settings.SECRET_KEY = "a-new-secret-key-" + "y" * 40
    response, queries = get(client, "/dashboard/")
    assert queries > 1
    assert old_csrf_marker not in response.content.decode()
