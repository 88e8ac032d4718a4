"""One lead key worker at a time, with dates: passing a family to another key worker
happens in the portal, with a note for the new worker, not in the Django admin."""

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from notifications.models import Notification

from portal import services
from portal.models import AuditEvent, Family, LeadKeyWorker, StaffProfile
from tests import factories

NOTE = "Aisha prefers a text before any visit. The school meeting is on Thursday."


@pytest.fixture
def sam(db):
    return factories.staff(StaffProfile.Role.KEY_WORKER, first_name="Sam", last_name="Okafor")


def _url(family):
    return reverse("portal:lead_transfer", kwargs={"family_id": family.pk})


def test_opening_a_family_starts_its_lead_key_worker_history(family, key_worker):
    (spell,) = LeadKeyWorker.objects.filter(family=family)
    assert spell.key_worker == key_worker
    assert spell.ended_at is None


def test_the_lead_passes_the_family_on_with_a_note(family, key_worker, parent, sam, settings):
    services.family_lead_transfer(family=family, to=sam, note=NOTE, actor=key_worker)

    family.refresh_from_db()
    assert family.lead_key_worker == sam
    old, new = (
        LeadKeyWorker.objects.get(family=family, key_worker=key_worker),
        LeadKeyWorker.objects.get(family=family, key_worker=sam),
    )
    assert old.ended_at == new.started_at
    assert new.ended_at is None
    assert new.handover_note == NOTE
    assert new.handed_over_by == key_worker
    event = AuditEvent.objects.filter(family=family, action=AuditEvent.Action.UPDATE).latest("id")
    assert event.reason == f"Lead key worker changed from {key_worker.display_name} to Sam Okafor"


def test_the_new_key_worker_and_the_family_are_told(
    family, key_worker, parent, sam, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.family_lead_transfer(family=family, to=sam, note=NOTE, actor=key_worker)

    assert Notification.objects.get(recipient=sam).verb == "A family has been passed to you"
    told = Notification.objects.get(recipient=parent)
    assert told.verb == "You have a new key worker: Sam Okafor"
    assert NOTE not in told.description
    (email,) = mail.outbox
    assert email.to == [sam.email]
    assert NOTE not in email.body  # the note stays on the record, behind sign-in
    assert family.display_name not in email.body


def test_a_manager_passing_the_family_on_tells_the_old_key_worker(
    family, key_worker, manager, sam, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.family_lead_transfer(family=family, to=sam, note=NOTE, actor=manager)
    assert Notification.objects.get(recipient=key_worker).verb == (
        "A family on your caseload has been passed on"
    )


def test_only_the_lead_or_a_manager_may_pass_a_family_on(family, sam, partner):
    other_worker = factories.staff(StaffProfile.Role.KEY_WORKER)
    for actor in (other_worker, sam, partner):
        with pytest.raises(PermissionDenied):
            services.family_lead_transfer(family=family, to=sam, note=NOTE, actor=actor)
    assert Family.objects.get(pk=family.pk).lead_key_worker != sam


def test_a_manager_who_has_not_passed_two_step_sign_in_may_not(family, sam):
    manager = factories.staff(StaffProfile.Role.MANAGER)
    manager._portal_session_mfa = False
    with pytest.raises(PermissionDenied):
        services.family_lead_transfer(family=family, to=sam, note=NOTE, actor=manager)


@pytest.mark.parametrize(
    ("who", "note", "field"),
    [
        ("partner", NOTE, "to"),
        ("lead", NOTE, "to"),
        ("sam", "   ", "note"),
        ("sam", "x" * 2001, "note"),
    ],
)
def test_a_transfer_needs_another_key_worker_and_a_note(
    family, key_worker, partner, sam, who, note, field
):
    to = {"partner": partner, "lead": key_worker, "sam": sam}[who]
    with pytest.raises(ValidationError) as raised:
        services.family_lead_transfer(family=family, to=to, note=note, actor=key_worker)
    assert field in raised.value.message_dict
    assert LeadKeyWorker.objects.filter(family=family).count() == 1


def test_the_page_passes_the_family_on_and_keeps_the_note_after_a_mistake(
    client, family, key_worker, sam
):
    client.force_login(key_worker)
    page = client.get(_url(family))
    assert page.status_code == 200
    assert "Sam Okafor" in page.content.decode()

    wrong = client.post(_url(family), {"to": "", "note": NOTE})
    assert wrong.status_code == 400
    body = wrong.content.decode()
    assert "Choose a key worker from the list." in body
    assert "Aisha prefers a text before any visit." in body

    done = client.post(_url(family), {"to": sam.pk, "note": NOTE})
    assert done.status_code == 302
    assert Family.objects.get(pk=family.pk).lead_key_worker == sam
    # The old lead no longer leads it: opening it now needs a reason.
    assert client.get(_url(family)).status_code == 302


def test_the_new_lead_reads_the_handover_note_and_the_history(client, family, key_worker, sam):
    services.family_lead_transfer(family=family, to=sam, note=NOTE, actor=key_worker)
    client.force_login(sam)
    body = client.get(family.get_absolute_url()).content.decode()
    assert f"Handover note from {key_worker.display_name}" in body
    assert "The school meeting is on Thursday." in body
    assert "Key workers before" in body


def test_the_family_never_sees_the_handover_note(client, family, key_worker, parent, sam):
    services.family_lead_transfer(family=family, to=sam, note=NOTE, actor=key_worker)
    client.force_login(parent)
    page = client.get(family.get_absolute_url())
    assert page.status_code == 200
    assert "The school meeting is on Thursday." not in page.content.decode()
    assert client.get(_url(family)).status_code == 404


@pytest.mark.parametrize("who", ["partner", "other_key_worker", "other_parent"])
def test_no_one_else_may_open_the_page(client, family, who, partner, other_parent):
    person = {
        "partner": partner,
        "other_key_worker": factories.staff(StaffProfile.Role.KEY_WORKER),
        "other_parent": other_parent,
    }[who]
    client.force_login(person)
    assert client.get(_url(family)).status_code in (302, 404)  # a reason first, or a stranger
    assert client.post(_url(family), {"to": person.pk, "note": NOTE}).status_code in (302, 404)
    assert Family.objects.get(pk=family.pk).lead_key_worker != person


def test_the_admin_cannot_change_the_lead_key_worker_or_status(client, family):
    admin = factories.staff(StaffProfile.Role.MANAGER)
    admin.is_superuser = True
    admin.save()
    client.force_login(admin)
    url = reverse("admin:portal_family_change", args=[family.pk])
    form = client.get(url).context["adminform"].form
    assert "lead_key_worker" not in form.fields
    assert "status" not in form.fields
