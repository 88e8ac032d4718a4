"""Lists and dashboards: query counts stay flat as rows grow; panels and menus appear."""

import pytest
from django.utils import timezone

from peer_mentors import services
from portal.models import Family
from tests import factories
from tests.helpers import peer_mentors as helpers


def _families_with_parents(n):
    return [factories.parent(factories.family(name=f"Family {i}")) for i in range(n)]


def _count(client, url):
    """How many queries a page takes now, to pin it before more rows are added."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_find_page_queries_do_not_grow_with_mentors(
    client, parent, manager, needs, django_assert_num_queries
):
    helpers.mentor(manager, name="Amy")
    client.force_login(parent)
    baseline = _count(client, "/mentors/")
    for i in range(8):
        helpers.mentor(manager, name=f"M{i}")
    with django_assert_num_queries(baseline):
        response = client.get("/mentors/")
    assert response.content.decode().count("Read about") == 9


def test_mentor_home_queries_do_not_grow_with_families(client, manager, django_assert_num_queries):
    jo = helpers.mentor(manager, name="Jo", capacity=5)
    parents = _families_with_parents(6)
    helpers.accepted_match(parents[0], jo)
    client.force_login(jo.user)
    baseline = _count(client, "/mentors/me/")
    for p in parents[1:4]:
        match = helpers.accepted_match(p, jo)
        services.contact_log_create(
            match=match, actor=jo.user, kind="call", happened_on=timezone.localdate()
        )
    helpers.request(parents[5], jo)
    with django_assert_num_queries(baseline):
        client.get("/mentors/me/")


def test_match_page_queries_do_not_grow_with_contacts(
    client, parent, manager, django_assert_num_queries
):
    jo = helpers.mentor(manager, name="Jo")
    match = helpers.accepted_match(parent, jo)
    services.contact_log_create(
        match=match, actor=jo.user, kind="call", happened_on=timezone.localdate()
    )
    client.force_login(parent)
    baseline = _count(client, match.get_absolute_url())
    for _ in range(10):
        services.contact_log_create(
            match=match, actor=jo.user, kind="visit", happened_on=timezone.localdate()
        )
    with django_assert_num_queries(baseline):
        client.get(match.get_absolute_url())


def test_manager_pages_queries_do_not_grow(client, manager, django_assert_num_queries):
    jo = helpers.mentor(manager, name="Jo", capacity=5)
    parents = _families_with_parents(5)
    m = helpers.accepted_match(parents[0], jo)
    services.contact_log_create(
        match=m, actor=jo.user, kind="call", happened_on=timezone.localdate()
    )
    client.force_login(manager)
    list_baseline = _count(client, "/mentors/manage/")
    detail_baseline = _count(client, f"/mentors/manage/{jo.pk}/")
    for i in range(6):
        helpers.mentor(manager, name=f"M{i}")
    for p in parents[1:]:
        m = helpers.accepted_match(p, jo)
        services.contact_log_create(
            match=m, actor=jo.user, kind="appointment", happened_on=timezone.localdate()
        )
        services.supervision_note_add(mentor=jo, actor=manager, note="Talked it through.")
    with django_assert_num_queries(list_baseline):
        page = client.get("/mentors/manage/").content.decode()
    # Five families with four notes joined in: still counted once each.
    assert "5 / 5" in page
    with django_assert_num_queries(detail_baseline):
        client.get(f"/mentors/manage/{jo.pk}/")


def test_key_worker_suggestions_queries_do_not_grow(
    client, key_worker, family, manager, django_assert_num_queries
):
    helpers.mentor(manager, name="Amy")
    client.force_login(key_worker)
    url = f"/mentors/families/{family.pk}/"
    baseline = _count(client, url)
    for i in range(6):
        helpers.mentor(manager, name=f"M{i}")
    with django_assert_num_queries(baseline):
        client.get(url)


def test_parent_dashboard_offers_a_mentor(client, parent):
    client.force_login(parent)
    page = client.get("/dashboard/").content.decode()
    assert "Ask for a peer mentor" in page
    assert 'href="/mentors/"' in page  # the "Peer mentors" menu link


def test_parent_dashboard_shows_their_mentor(client, parent, manager):
    jo = helpers.mentor(manager, name="Jo")
    helpers.accepted_match(parent, jo)
    client.force_login(parent)
    page = client.get("/dashboard/").content.decode()
    assert "Your peer mentor" in page and "Jo" in page


def test_finished_parent_is_offered_to_become_a_mentor(client, db):
    person = factories.parent(factories.family(status=Family.Status.CLOSED))
    client.force_login(person)
    assert "Become a peer mentor" in client.get("/dashboard/").content.decode()


def test_mentor_dashboard_panel_and_menu(client, parent, manager):
    jo = helpers.mentor(manager, name="Jo")
    helpers.request(parent, jo)
    client.force_login(jo.user)
    page = client.get("/dashboard/").content.decode()
    assert "1 family is waiting for your answer." in page
    assert "Families I support" in page


def test_manager_dashboard_lists_lapsed_dbs_and_due_supervision(client, manager):
    helpers.mentor(manager, name="Lou", dbs_days_ago=4 * 365)
    fresh = helpers.mentor(manager, name="Fay")
    services.supervision_note_add(mentor=fresh, actor=manager, note="All good")
    client.force_login(manager)
    page = client.get("/dashboard/").content.decode()
    assert "DBS check has lapsed or is missing" in page
    assert "Lou" in page
    assert "Fay" not in page
    assert 'href="/mentors/manage/"' in page


def test_family_record_shows_mentor_panel_to_key_worker(client, key_worker, family):
    client.force_login(key_worker)
    page = client.get(family.get_absolute_url()).content.decode()
    assert "Suggest a peer mentor" in page


def test_family_record_hides_mentor_panel_from_partner(client, partner, family):
    client.force_login(partner)
    page = client.get(family.get_absolute_url()).content.decode()
    assert "Suggest a peer mentor" not in page


@pytest.mark.parametrize("url", ["/mentors/", "/mentors/me/", "/mentors/apply/"])
def test_pages_need_sign_in(client, url, db):
    assert client.get(url).status_code == 302
