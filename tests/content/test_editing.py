"""Editors in Wagtail: the two-person review, and bad input refused with clear messages."""

import pytest
from django.urls import reverse
from django.utils import timezone
from wagtail.models import WorkflowState
from wagtail.test.utils.form_data import inline_formset, nested_form_data, streamfield

from content import services
from content.blocks import ImageBlock, VideoBlock
from content.models import LocalService, ResourcePage, SessionOccurrence, SessionSeriesPage
from portal.models import StaffProfile
from tests import factories
from tests.helpers import content as builders


@pytest.fixture
def editors(home_page):
    services.editorial_setup(home_page=home_page)
    first = factories.staff(StaffProfile.Role.EDITOR)
    second = factories.staff(StaffProfile.Role.EDITOR)
    return first, second


def _resource_form(**overrides):
    data = {
        "title": "Getting ready for school",
        "slug": "getting-ready-for-school",
        "kind": "how_to",
        "summary": "Mornings that work.",
        "body": streamfield(
            [("callout", {"style": "inset", "text": "Lay clothes out the night before."})]
        ),
        "action-submit": "Submit for moderation",
    }
    data.update(overrides)
    return nested_form_data(data)


def _approve(client, page, user):
    state = WorkflowState.objects.get(
        base_content_type__isnull=False, object_id=str(page.pk), status="in_progress"
    )
    task_state = state.current_task_state
    client.force_login(user)
    return client.post(
        reverse("wagtailadmin_pages:workflow_action", args=(page.pk, "approve", task_state.pk)),
        {"comment": ""},
    )


def test_resource_is_published_only_after_a_second_editor_approves(client, help_index, editors):
    author, reviewer = editors
    client.force_login(author)
    add_url = reverse("wagtailadmin_pages:add", args=("content", "resourcepage", help_index.pk))
    response = client.post(add_url, _resource_form())
    assert response.status_code == 302
    page = ResourcePage.objects.get(slug="getting-ready-for-school")
    assert not page.live
    assert page.current_workflow_state.status == WorkflowState.STATUS_IN_PROGRESS

    # The author cannot approve their own page.
    response = _approve(client, page, author)
    assert response.status_code in {302, 403}  # Wagtail turns the refusal into a redirect
    page.refresh_from_db()
    assert not page.live

    response = _approve(client, page, reviewer)
    assert response.status_code in {200, 302}
    page.refresh_from_db()
    assert page.live
    assert client.get(page.url).status_code == 200


def test_editor_cannot_publish_directly(client, help_index, editors):
    author, _reviewer = editors
    client.force_login(author)
    add_url = reverse("wagtailadmin_pages:add", args=("content", "resourcepage", help_index.pk))
    data = _resource_form(**{"action-submit": None})
    data.pop("action-submit")
    data["action-publish"] = "Publish"
    client.post(add_url, data)
    page = ResourcePage.objects.get(slug="getting-ready-for-school")
    assert not page.live


def test_session_series_with_no_dates_is_refused_with_a_clear_message(client, groups, editors):
    author, _reviewer = editors
    client.force_login(author)
    venue = builders.venue()
    add_url = reverse("wagtailadmin_pages:add", args=("content", "sessionseriespage", groups.pk))
    data = {
        "title": "Dads' group",
        "slug": "dads",
        "summary": "Play.",
        "audience": "Dads",
        "what_happens": streamfield([("callout", {"style": "inset", "text": "Come along."})]),
        "facilitator": "Marcus",
        "venue": venue.pk,
        "capacity": 6,
        "booking_open": "on",
        "occurrences": inline_formset([]),
        "action-submit": "Submit",
    }
    response = client.post(add_url, nested_form_data(data))
    assert response.status_code == 200
    assert "Add at least one date and time for this session." in response.content.decode()
    assert not SessionSeriesPage.objects.exists()

    data["occurrences"] = inline_formset(
        [{"starts_at": "2030-03-02 10:00", "ends_at": "2030-03-02 12:00", "note": ""}]
    )
    response = client.post(add_url, nested_form_data(data))
    assert response.status_code == 302
    draft = SessionSeriesPage.objects.get(slug="dads")
    assert not draft.live  # bookable only once a second editor approves it
    assert draft.occurrences.count() == 1


def test_a_date_with_bookings_cannot_be_removed_from_a_series(
    client, dads_group, occurrence, dad, editors
):
    services.booking_create(occurrence_id=occurrence.pk, user=dad)
    author, _reviewer = editors
    client.force_login(author)

    def dates(remove: SessionOccurrence):
        rows = []
        for date in dads_group.occurrences.order_by("starts_at"):
            start, end = timezone.localtime(date.starts_at), timezone.localtime(date.ends_at)
            rows.append(
                {
                    "id": date.pk,
                    "starts_at": f"{start:%Y-%m-%d %H:%M}",
                    "ends_at": f"{end:%Y-%m-%d %H:%M}",
                    "note": "",
                    "DELETE": "on" if date == remove else "",
                }
            )
        return inline_formset(rows, initial=len(rows))

    data = {
        "title": dads_group.title,
        "slug": dads_group.slug,
        "summary": dads_group.summary,
        "audience": dads_group.audience,
        "what_happens": streamfield([("callout", {"style": "inset", "text": "Come along."})]),
        "facilitator": dads_group.facilitator,
        "venue": dads_group.venue_id,
        "capacity": dads_group.capacity,
        "booking_open": "on",
        "occurrences": dates(remove=occurrence),
    }
    edit_url = reverse("wagtailadmin_pages:edit", args=(dads_group.pk,))
    response = client.post(edit_url, nested_form_data(data))
    assert response.status_code == 200
    assert "A date you removed has bookings." in response.content.decode()
    assert SessionOccurrence.objects.filter(pk=occurrence.pk).exists()

    unbooked = dads_group.occurrences.exclude(pk=occurrence.pk).get()
    data["occurrences"] = dates(remove=unbooked)
    assert client.post(edit_url, nested_form_data(data)).status_code == 302
    draft = SessionSeriesPage.objects.get(pk=dads_group.pk).get_latest_revision_as_object()
    assert [date.pk for date in draft.occurrences.all()] == [occurrence.pk]


def test_image_without_alt_text_is_refused():
    from django.core.exceptions import ValidationError

    block = ImageBlock()
    with pytest.raises(ValidationError) as excinfo:
        block.clean({"image": None, "alt_text": "  ", "caption": ""})
    assert "Enter alt text that describes the image" in str(excinfo.value.block_errors["alt_text"])


def test_video_without_transcript_is_refused():
    from django.core.exceptions import ValidationError

    block = VideoBlock()
    with pytest.raises(ValidationError) as excinfo:
        block.clean({"title": "Bedtime", "video": None, "transcript": ""})
    assert "transcript" in str(excinfo.value.block_errors["transcript"]).lower()


def test_service_with_bad_email_and_phone_is_refused_in_the_editor(client, editors):
    author, _reviewer = editors
    client.force_login(author)
    url = reverse("wagtailsnippets_content_localservice:add")
    data = {
        "name": "Bad contact",
        "organisation": "Trust",
        "description": "Help.",
        "who_for": "Anyone",
        "is_free": "on",
        "email": "not-an-email",
        "phone": "12345",
        "is_published": "on",
    }
    response = client.post(url, data)
    assert response.status_code == 200
    body = response.content.decode()
    assert "Enter an email address in the right format" in body
    assert "Enter a UK phone number" in body
    assert not LocalService.objects.exists()

    data.update(email="help@example.org", phone="+44 24 7600 1234")
    response = client.post(url, data)
    assert response.status_code == 302
    assert LocalService.objects.get().phone == "+44 24 7600 1234"


def test_non_editor_cannot_open_the_cms(client, parent, home_page):
    client.force_login(parent)
    response = client.get("/cms/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


@pytest.mark.parametrize("model", ["localservice", "venue", "taxonomyterm", "taxonomy"])
def test_editors_manage_the_directory_as_snippets(client, editors, model):
    author, _reviewer = editors
    builders.local_service(terms=[builders.taxonomy_term()])
    client.force_login(author)
    assert client.get(reverse(f"wagtailsnippets_content_{model}:list")).status_code == 200
    assert client.get(reverse(f"wagtailsnippets_content_{model}:add")).status_code == 200


def test_parents_cannot_open_the_directory_editor(client, parent, home_page):
    services.editorial_setup(home_page=home_page)
    client.force_login(parent)
    response = client.get(reverse("wagtailsnippets_content_localservice:list"))
    assert response.status_code in {302, 403}
    assert "SECRET" not in response.content.decode()
