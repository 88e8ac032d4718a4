"""What families read: search, the dads' section, lists with pinned query counts."""

from datetime import timedelta

import pytest
from django.utils import timezone
from django.utils.html import escape

from content import services
from tests.helpers import content as builders


@pytest.fixture
def library(help_index, groups):
    guide = builders.resource(help_index, title="Bedtime without tears", summary="Calm evenings.")
    dads_guide = builders.resource(
        help_index, title="Being a dad: where to start", summary="Play ideas.", for_dads=True
    )
    dads_group = builders.series(groups, title="Saturday dads group", for_dads=True)
    other_group = builders.series(
        groups, title="Calmer mornings", for_dads=False, audience="Any parent or carer"
    )
    service = builders.local_service(name="Bedtime helpline", description="Advice about sleep.")
    return locals()


def test_families_search_resources_sessions_and_services(client, library):
    response = client.get("/search/", {"q": "bedtime"})
    assert response.status_code == 200
    results = response.context["results"]
    assert [p.title for p in results["resources"]] == ["Bedtime without tears"]
    assert [s.name for s in results["services"]] == ["Bedtime helpline"]
    sessions = client.get("/search/", {"q": "dads"}).context["results"]["sessions"]
    assert [p.title for p in sessions] == ["Saturday dads group"]


def test_search_leaves_out_drafts_and_hidden_services(client, library):
    library["guide"].unpublish()
    builders.local_service(name="Bedtime secret service", is_published=False)
    results = client.get("/search/", {"q": "bedtime"}).context["results"]
    assert results["resources"] == []
    assert [s.name for s in results["services"]] == ["Bedtime helpline"]


def test_empty_search_shows_the_form_only(client, library):
    response = client.get("/search/")
    assert response.status_code == 200
    assert response.context["results"] is None


def test_father_sees_what_is_for_him_on_the_home_page(client, dad, library):
    client.force_login(dad)
    body = client.get("/").content.decode()
    assert "For dads" in body
    assert escape("Being a dad: where to start") in body
    assert "Saturday dads group" in body


def test_mum_does_not_get_the_dads_section(client, parent, library):
    client.force_login(parent)
    body = client.get("/").content.decode()
    assert 'id="for-dads-heading"' not in body


def test_father_sees_dads_section_on_his_dashboard(client, dad, library):
    client.force_login(dad)
    body = client.get("/dashboard/").content.decode()
    assert 'id="for-dads-heading"' in body
    assert "Saturday dads group" in body


def test_resources_and_groups_filter_for_dads(client, library, help_index):
    body = client.get(help_index.url, {"for_dads": "on"}).content.decode()
    assert escape("Being a dad: where to start") in body
    assert "Bedtime without tears" not in body
    body = client.get("/groups/", {"for_dads": "on"}).content.decode()
    assert "Saturday dads group" in body
    assert "Calmer mornings" not in body


def test_groups_menu_shows_for_families_not_staff(client, parent, key_worker, library):
    client.force_login(parent)
    assert 'href="/groups/"' in client.get("/dashboard/").content.decode()
    client.force_login(key_worker)
    assert 'href="/groups/"' not in client.get("/dashboard/").content.decode()


def test_session_page_shows_places_left_and_the_parents_own_booking(client, dad, library):
    series = library["dads_group"]
    occurrence = builders.first_occurrence(series)
    client.force_login(dad)
    body = client.get(series.url).content.decode()
    assert "Book a place" in body
    services.booking_create(occurrence_id=occurrence.pk, user=dad)
    body = client.get(series.url).content.decode()
    assert "You are booked" in body


def test_resource_index_query_count_is_flat(client, help_index, django_assert_num_queries):
    for n in range(20):
        builders.resource(help_index, title=f"Guide {n}", for_dads=n % 2 == 0)
    client.get(help_index.url)  # warm the site root cache
    # view restrictions + index page, view restrictions + resources, the site
    with django_assert_num_queries(5):
        response = client.get(help_index.url)
    assert len(response.context["resources"]) == 20


def test_session_list_query_count_is_flat(client, groups, django_assert_num_queries):
    now = timezone.now()
    for n in range(12):
        builders.series(
            groups,
            title=f"Group {n:02d}",
            venue_obj=builders.venue(f"Hub {n}"),
            dates=[now + timedelta(days=d) for d in (3, 10, 17)],
        )
    client.get("/groups/")  # warm the site root cache
    # view restrictions + index page, view restrictions + series with venues, dates, the site
    with django_assert_num_queries(6):
        response = client.get("/groups/")
    assert len(response.context["series_list"]) == 12


def test_resource_page_query_count_is_pinned(
    client, parent, help_index, django_assert_num_queries, session_queries
):
    for n in range(10):
        builders.resource(help_index, title=f"Guide {n}")
    guide = builders.resource(
        help_index,
        title="Talking with your teenager",
        body=builders.stream(
            *[("text", f"<p>Part {n}</p>") for n in range(12)],
            ("callout", {"style": "inset", "text": "Listen first. Fix it later."}),
        ),
    )
    client.force_login(parent)
    client.get(guide.url)  # warm the site root cache
    # The person; the site with its home page; the guide by its URL path, then its own row
    # (content.routing); the view restrictions on it and above it; the menu's two counts
    # (one query); its parent, for the link back to the list.
    with django_assert_num_queries(session_queries + 7):
        response = client.get(guide.url)
    assert response.content.decode().count(">Part ") == 12


def test_a_guide_that_is_not_there_or_not_published_is_not_found(client, help_index):
    guide = builders.resource(help_index, title="Bedtime without tears")
    assert client.get(guide.url).status_code == 200
    assert client.get(f"{help_index.url}no-such-guide/").status_code == 404
    guide.unpublish()
    assert client.get(guide.url).status_code == 404
