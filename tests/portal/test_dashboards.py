import json

from django.urls import reverse

from portal.models import StaffProfile
from tests import factories


def test_parent_dashboard_shows_family_and_key_worker(client, parent, family, key_worker):
    client.force_login(parent)
    response = client.get(reverse("portal:dashboard"))
    assert response.status_code == 200
    assert family.display_name.encode() in response.content
    assert key_worker.display_name.encode() in response.content


def test_account_without_family_gets_a_helpful_empty_state(client, db):
    from portal import services

    user = services.user_create(email="lonely@example.org", password="x")
    client.force_login(user)
    response = client.get(reverse("portal:dashboard"))
    assert b"not linked to a family yet" in response.content


def test_key_worker_sees_caseload_and_not_other_families(client, key_worker, family, other_family):
    client.force_login(key_worker)
    response = client.get(reverse("portal:dashboard"))
    assert family.display_name.encode() in response.content
    assert other_family.display_name.encode() not in response.content


def test_key_worker_search_finds_any_family_by_reference(client, key_worker, other_family):
    client.force_login(key_worker)
    response = client.get(reverse("portal:dashboard"), {"q": other_family.reference})
    assert other_family.display_name.encode() in response.content


def test_search_with_htmx_returns_only_the_table(client, key_worker, family):
    client.force_login(key_worker)
    response = client.get(reverse("portal:dashboard"), {"q": "Test"}, HTTP_HX_REQUEST="true")
    assert b"<html" not in response.content
    assert family.display_name.encode() in response.content


def test_going_back_to_a_search_gets_the_whole_page(client, key_worker, family):
    """htmx keeps no copies of pages (they would hold family names), so Back asks again."""
    client.force_login(key_worker)
    response = client.get(
        reverse("portal:dashboard"),
        {"q": "Test"},
        HTTP_HX_REQUEST="true",
        HTTP_HX_HISTORY_RESTORE_REQUEST="true",
    )
    assert b"<html" in response.content
    assert family.display_name.encode() in response.content
    config = response.content.decode().split('name="htmx-config" content=\'')[1].split("'")[0]
    assert json.loads(config)["historyCacheSize"] == 0


def test_empty_caseload_says_what_to_do(client, key_worker):
    client.force_login(key_worker)
    response = client.get(reverse("portal:dashboard"))
    assert b"no families on your caseload yet" in response.content


def test_caseload_query_count_does_not_grow_with_families(
    client, key_worker, django_assert_max_num_queries
):
    for n in range(3):
        factories.parent(factories.family(key_worker=key_worker, name=f"Small {n}"))
    client.force_login(key_worker)
    with django_assert_max_num_queries(20) as small:
        client.get(reverse("portal:dashboard"))
    for n in range(22):
        fam = factories.family(key_worker=key_worker, name=f"Big {n}")
        factories.parent(fam)
        factories.child(fam)
    with django_assert_max_num_queries(20) as big:
        client.get(reverse("portal:dashboard"))
    assert len(big.captured_queries) == len(small.captured_queries)


def test_manager_sees_counts_and_team(client, manager, family, key_worker):
    client.force_login(manager)
    response = client.get(reverse("portal:dashboard"))
    assert response.status_code == 200
    assert b"Service overview" in response.content
    assert key_worker.display_name.encode() in response.content
    counts = {row["value"]: row["count"] for row in response.context["counts"]["families"]}
    assert counts["active"] == 1


def test_manager_team_query_count_is_flat(client, manager, django_assert_max_num_queries):
    for _ in range(2):
        factories.family(key_worker=factories.staff(StaffProfile.Role.KEY_WORKER))
    client.force_login(manager)
    with django_assert_max_num_queries(25) as small:
        client.get(reverse("portal:dashboard"))
    for _ in range(15):
        factories.family(key_worker=factories.staff(StaffProfile.Role.KEY_WORKER))
    with django_assert_max_num_queries(25) as big:
        client.get(reverse("portal:dashboard"))
    assert len(big.captured_queries) == len(small.captured_queries)


def test_editor_dashboard_points_to_the_cms(client, editor):
    client.force_login(editor)
    response = client.get(reverse("portal:dashboard"))
    assert b"/cms/" in response.content


def test_staff_without_mfa_see_no_family_names_until_they_set_it_up(client, family):
    worker = factories.staff(StaffProfile.Role.KEY_WORKER, mfa=False)
    factories.family(key_worker=worker, name="Hidden family")
    client.force_login(worker)
    response = client.get(reverse("portal:dashboard"))
    assert b"Hidden family" not in response.content
    assert b"Set up two-step sign-in" in response.content
    factories.give_mfa(worker)
    client.force_login(worker)
    assert b"Hidden family" in client.get(reverse("portal:dashboard")).content


def test_caseload_pages_keep_the_search_in_their_links(client, key_worker):
    for n in range(27):
        factories.family(key_worker=key_worker, name=f"Walker {n:02d}")
    client.force_login(key_worker)
    response = client.get(reverse("portal:dashboard"), {"q": "Walker"})
    assert b"?q=Walker&amp;page=2" in response.content
    second = client.get(reverse("portal:dashboard"), {"q": "Walker", "page": 2})
    assert b"Walker 26" in second.content or b"Walker 25" in second.content
