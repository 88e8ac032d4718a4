"""The content pages' router (``content.routing``) finds the page Wagtail's routing would,
with its view restrictions, and leaves what it cannot shortcut to Wagtail."""

import pytest
from wagtail.models import Page, PageViewRestriction, Site

from content import routing
from content.models import ResourceIndexPage
from tests.helpers import content as builders


@pytest.fixture
def guide(help_index):
    return builders.resource(
        help_index, title="Bedtime without tears", slug="bedtime-without-tears"
    )


def test_the_router_finds_the_page_wagtail_would_for_every_published_page(
    client, rf, guide, home_page
):
    builders.session_index(home_page, slug="meetups")
    site = Site.objects.get(is_default_site=True)
    for page in Page.objects.live().filter(depth__gte=2).specific():
        path = page.url
        request = rf.get(path)
        mine = routing.route(request, routing.site_for_request(request), path.strip("/") + "/")
        theirs = Page.route_for_request(rf.get(path), path.strip("/") + "/")
        assert mine is not None and theirs is not None, path
        assert (type(mine.page), mine.page.pk) == (type(theirs.page), theirs.page.pk)
        assert client.get(path).status_code == 200
    assert site.root_page.specific.url == "/"


def test_a_page_that_is_not_there_or_not_live_is_not_found(client, guide, help_index):
    assert client.get("/help/no-such-guide/").status_code == 404
    assert client.get("/help/bedtime-without-tears/extra/").status_code == 404
    guide.unpublish()
    assert client.get("/help/bedtime-without-tears/").status_code == 404
    # The index page above it is still there.
    assert client.get("/help/").status_code == 200


def test_a_restriction_on_a_page_above_still_applies(client, parent, guide, help_index):
    PageViewRestriction.objects.create(page=help_index, restriction_type=PageViewRestriction.LOGIN)
    response = client.get("/help/bedtime-without-tears/")
    assert response.status_code == 302
    assert "login" in response["Location"] or "accounts" in response["Location"]
    client.force_login(parent)
    assert client.get("/help/bedtime-without-tears/").status_code == 200


def test_a_restriction_on_another_branch_does_not_apply(client, guide, home_page):
    meetups = builders.session_index(home_page, slug="meetups")
    PageViewRestriction.objects.create(page=meetups, restriction_type=PageViewRestriction.LOGIN)
    assert client.get("/help/bedtime-without-tears/").status_code == 200
    assert client.get("/meetups/").status_code == 302


def test_a_page_under_an_alias_is_left_to_wagtail(client, guide, help_index, home_page):
    alias = help_index.create_alias(update_slug="help-copy", recursive=True)
    PageViewRestriction.objects.create(page=help_index, restriction_type=PageViewRestriction.LOGIN)
    # Wagtail gives an alias its source's restrictions; the router hands the page to it.
    assert alias.alias_of_id == help_index.pk
    response = client.get("/help-copy/bedtime-without-tears/")
    assert response.status_code == 302


def test_the_site_is_chosen_by_host_and_port_as_wagtail_chooses_it(rf, home_page):
    default = Site.objects.get(is_default_site=True)
    other_root = builders.publish(home_page, ResourceIndexPage(title="Other", slug="o"))
    on_port = Site.objects.create(hostname="council.example", port=8443, root_page=other_root)
    request = rf.get("/", HTTP_HOST="council.example:8443")
    assert routing.site_for_request(request) == on_port
    # One site with that host name on another port: it, rather than the default.
    request = rf.get("/", HTTP_HOST="council.example:9000")
    assert routing.site_for_request(request) == on_port
    request = rf.get("/", HTTP_HOST="elsewhere.example")
    assert routing.site_for_request(request) == default
    for host in ("council.example:8443", "council.example:9000", "elsewhere.example"):
        assert routing.site_for_request(rf.get("/", HTTP_HOST=host)) == Site.find_for_request(
            rf.get("/", HTTP_HOST=host)
        )
