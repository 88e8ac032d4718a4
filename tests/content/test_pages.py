"""Every page type: where it may be created, that it renders, and its bad inputs."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from wagtail.models import Page
from wagtail.test.utils import WagtailPageTestCase
from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text, streamfield

from content.models import (
    HomePage,
    ResourceIndexPage,
    ResourcePage,
    SessionIndexPage,
    SessionSeriesPage,
)
from portal import services
from tests import factories
from tests.helpers import content as builders


class PageTreeRulesTest(WagtailPageTestCase):
    def test_home_page_sits_at_the_root_only(self):
        self.assertCanCreateAt(Page, HomePage)
        self.assertAllowedSubpageTypes(HomePage, {ResourceIndexPage, SessionIndexPage})
        self.assertCanNotCreateAt(ResourceIndexPage, HomePage)

    def test_resource_pages_only_go_under_a_resource_index(self):
        self.assertCanCreateAt(HomePage, ResourceIndexPage)
        self.assertCanCreateAt(ResourceIndexPage, ResourcePage)
        self.assertCanNotCreateAt(HomePage, ResourcePage)
        self.assertCanNotCreateAt(SessionIndexPage, ResourcePage)
        self.assertAllowedParentPageTypes(ResourcePage, {ResourceIndexPage})
        self.assertAllowedSubpageTypes(ResourcePage, set())

    def test_session_series_only_go_under_a_session_index(self):
        self.assertCanCreateAt(HomePage, SessionIndexPage)
        self.assertCanCreateAt(SessionIndexPage, SessionSeriesPage)
        self.assertCanNotCreateAt(HomePage, SessionSeriesPage)
        self.assertCanNotCreateAt(ResourceIndexPage, SessionSeriesPage)
        self.assertAllowedParentPageTypes(SessionSeriesPage, {SessionIndexPage})
        self.assertAllowedSubpageTypes(SessionSeriesPage, set())

    def test_every_page_type_renders(self):
        home = builders.home()
        help_index = builders.resource_index(home)
        guide = builders.resource(help_index)
        groups = builders.session_index(home)
        series = builders.series(groups)
        for page in (home, help_index, guide, groups, series):
            self.assertPageIsRenderable(page)
            self.assertPageIsRoutable(page)

    def test_every_page_type_previews(self):
        home = builders.home()
        help_index = builders.resource_index(home)
        guide = builders.resource(help_index)
        groups = builders.session_index(home)
        series = builders.series(groups)
        admin = factories.give_mfa(
            services.user_create(
                email="admin@example.org",
                password="x-long-password-1",
                is_staff=True,
                is_superuser=True,
            )
        )
        occurrence = builders.first_occurrence(series)
        callout = streamfield([("callout", {"style": "inset", "text": "Notice this."})])
        forms = {
            home: {
                "title": home.title,
                "slug": home.slug,
                "intro": "Hello",
                "body": rich_text("<p>Hi</p>"),
            },
            help_index: {"title": "Help", "slug": help_index.slug, "intro": ""},
            guide: {
                "title": "Guide",
                "slug": guide.slug,
                "kind": "guide",
                "summary": "Short.",
                "body": callout,
            },
            groups: {"title": "Groups", "slug": groups.slug, "intro": ""},
            series: {
                "title": "Dads",
                "slug": series.slug,
                "summary": "Play.",
                "audience": "Dads",
                "what_happens": callout,
                "facilitator": "Marcus",
                "venue": series.venue_id,
                "capacity": 4,
                "booking_open": "on",
                "occurrences": inline_formset(
                    [
                        {
                            "id": occurrence.pk,
                            "starts_at": timezone.localtime(occurrence.starts_at).strftime(
                                "%Y-%m-%d %H:%M"
                            ),
                            "ends_at": timezone.localtime(occurrence.ends_at).strftime(
                                "%Y-%m-%d %H:%M"
                            ),
                            "note": "",
                        }
                    ]
                ),
            },
        }
        for page, data in forms.items():
            self.assertPageIsPreviewable(page, post_data=nested_form_data(data), user=admin)


def test_pages_render_for_families_in_govuk_markup(client, help_index, dads_group):
    guide = builders.resource(help_index, title="Talking with your teenager")
    for url in ("/", help_index.url, guide.url, "/groups/", dads_group.url):
        response = client.get(url)
        assert response.status_code == 200, url
        assert b"govuk-heading-xl" in response.content
    assert "Talking with your teenager" in client.get(help_index.url).content.decode()


def test_family_story_needs_consent_before_it_can_be_saved(help_index):
    story = ResourcePage(
        title="Our story",
        slug="our-story",
        kind=ResourcePage.Kind.STORY,
        summary="How things changed.",
        body=builders.stream(("text", "<p>Our story.</p>")),
        consent_given=False,
    )
    with pytest.raises(ValidationError) as excinfo:
        help_index.add_child(instance=story)
    assert "Confirm the family agreed to share their story." in str(excinfo.value)


def test_family_story_with_consent_is_published(help_index):
    story = builders.resource(help_index, kind=ResourcePage.Kind.STORY, title="Our story")
    assert story.live


def test_occurrence_must_end_after_it_starts(dads_group):
    occurrence = builders.first_occurrence(dads_group)
    occurrence.ends_at = occurrence.starts_at
    with pytest.raises(ValidationError) as excinfo:
        occurrence.full_clean()
    assert "The end time must be after the start time." in str(excinfo.value)
