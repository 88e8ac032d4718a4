"""Safe contact: each adult says how and when it is safe to contact them; staff read it
before they make contact, and every email the portal sends honours it."""

import importlib

import pytest
from cryptography.fernet import Fernet
from django.core import mail
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.db import connection
from django.urls import reverse

from chat import services as chat_services
from chat import tasks as chat_tasks
from portal import services
from portal.fields import is_encrypted
from portal.models import AuditEvent, FamilyMember, SafeContact, StaffProfile
from portal.notify import email_send
from tests import factories
from tests.helpers.chat import send

URL = reverse("portal:safe_contact")

FULL = {
    "ways": ["email", "text"],
    "phone": "07700 900123",
    "days": ["0", "2"],
    "times": ["morning"],
    "leave_messages": "no",
    "safe_word": "bluebell",
}


@pytest.fixture
def dad(family):
    return factories.parent(family, name="Imran", relationship=FamilyMember.Relationship.DAD)


def _contact(user) -> SafeContact:
    return SafeContact.objects.get(member__user=user)


def _safe_word_url(family, user):
    member = FamilyMember.objects.get(user=user)
    return reverse(
        "portal:family_safe_word", kwargs={"family_id": family.pk, "member_id": member.pk}
    )


def test_parent_page_offers_govuk_checkboxes_with_an_exclusive_portal_only(client, parent):
    client.force_login(parent)
    response = client.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'class="govuk-checkboxes"' in html and 'data-module="govuk-checkboxes"' in html
    assert 'type="checkbox" value="email"' in html
    assert 'value="portal" data-behaviour="exclusive"' in html
    assert 'class="govuk-checkboxes__divider"' in html
    assert 'type="radio" value="no"' in html


def test_ticking_two_boxes_then_unticking_one_saves_each_time(client, parent):
    client.force_login(parent)
    response = client.post(URL, FULL)
    assert response.status_code == 302
    contact = _contact(parent)
    assert (contact.by_email, contact.by_text, contact.by_phone) == (True, True, False)
    assert contact.days == [0, 2] and contact.times == ["morning"]
    assert contact.leave_messages is False and contact.safe_word == "bluebell"
    html = client.get(URL).content.decode()
    assert 'value="email" checked' in html and 'value="text" checked' in html
    assert 'value="phone" checked' not in html

    client.post(URL, {**FULL, "ways": ["email"], "days": ["2"], "safe_word": ""})
    contact = _contact(parent)
    assert (contact.by_email, contact.by_text) == (True, False)
    assert contact.days == [2]
    assert contact.safe_word == "bluebell"  # empty keeps it
    html = client.get(URL).content.decode()
    assert 'value="email" checked' in html and 'value="text" checked' not in html
    assert 'value="0" checked' not in html and 'value="2" checked' in html


def test_the_safe_word_is_never_shown_back_and_can_be_removed(client, parent):
    client.force_login(parent)
    client.post(URL, FULL)
    html = client.get(URL).content.decode()
    assert "bluebell" not in html
    assert "You have a safe word" in html
    client.post(URL, {**FULL, "safe_word": "", "remove_safe_word": "on"})
    assert _contact(parent).safe_word == ""


def test_portal_only_with_another_way_is_an_error_with_a_summary(client, parent):
    client.force_login(parent)
    response = client.post(URL, {**FULL, "ways": ["portal", "email"]})
    assert response.status_code == 400
    html = response.content.decode()
    assert "govuk-error-summary" in html
    assert 'href="#id_ways_0"' in html
    assert not SafeContact.objects.exists()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"ways": []}, "Choose how it is safe to contact you"),
        ({"ways": ["phone"], "phone": ""}, "Enter a phone number that is safe to use"),
        ({"leave_messages": ""}, "Choose whether we can leave a message"),
    ],
)
def test_missing_answers_are_errors(client, parent, data, message):
    client.force_login(parent)
    response = client.post(URL, {**FULL, **data})
    assert response.status_code == 400
    assert message in response.content.decode()


def test_only_adults_of_a_household_have_the_page(client, key_worker, family):
    client.force_login(key_worker)
    assert client.get(URL).status_code == 404
    with pytest.raises(PermissionDenied):
        services.safe_contact_set(user=key_worker, by_email=True, by_text=False, by_phone=False)


def test_staff_see_preferences_before_contact_and_only_key_workers_open_the_word(
    client, family, parent, dad, key_worker
):
    client.force_login(parent)
    client.post(URL, FULL)
    partner = factories.partner(family)

    client.force_login(key_worker)
    html = client.get(family.get_absolute_url()).content.decode()
    assert "Before you contact this family" in html
    assert "07700 900123" in html and "Do not leave messages" in html
    assert "Monday, Wednesday" in html and "Morning" in html
    assert "bluebell" not in html  # never on the family page
    assert _safe_word_url(family, parent) in html
    assert "Imran" in html and "Has not told us" in html

    client.force_login(partner)
    html = client.get(family.get_absolute_url()).content.decode()
    assert "07700 900123" in html
    assert _safe_word_url(family, parent) not in html
    assert client.get(_safe_word_url(family, parent)).status_code == 404


def test_opening_the_safe_word_is_audited(client, family, parent, key_worker):
    client.force_login(parent)
    client.post(URL, FULL)
    client.force_login(key_worker)
    response = client.get(_safe_word_url(family, parent))
    assert response.status_code == 200
    assert "bluebell" in response.content.decode()
    event = AuditEvent.objects.get(actor=key_worker, object_type="SafeContact")
    assert event.family == family and event.object_id == str(_contact(parent).pk)


def test_a_manager_gives_a_reason_before_the_safe_word(client, family, parent, manager):
    client.force_login(parent)
    client.post(URL, FULL)
    client.force_login(manager)
    url = _safe_word_url(family, parent)
    response = client.get(url)
    assert response.status_code == 302
    assert reverse("portal:family_reason", kwargs={"family_id": family.pk}) in response["Location"]
    client.post(
        reverse("portal:family_reason", kwargs={"family_id": family.pk}),
        {"reason": "Covering for Kim while she is on leave", "next": url},
    )
    response = client.get(url)
    assert response.status_code == 200 and b"bluebell" in response.content
    assert AuditEvent.objects.filter(actor=manager, object_type="SafeContact").exists()


def test_no_one_in_the_household_sees_another_adults_preferences(client, family, parent, dad):
    client.force_login(parent)
    client.post(URL, FULL)
    client.force_login(dad)
    html = client.get(family.get_absolute_url()).content.decode()
    assert "07700 900123" not in html and "Before you contact" not in html
    assert client.get(_safe_word_url(family, parent)).status_code == 404
    # Their own page shows their own answers only.
    assert "07700 900123" not in client.get(URL).content.decode()


def test_conversation_page_shows_staff_the_preferences(client, family, parent, key_worker):
    client.force_login(parent)
    client.post(URL, {**FULL, "ways": ["portal"], "phone": ""})
    conversation = chat_services.conversation_key_worker_ensure(family=family)
    client.force_login(key_worker)
    html = client.get(conversation.get_absolute_url()).content.decode()
    assert "Before you contact this family" in html
    assert "Only through messages on this site. Do not email, text or call." in html
    client.force_login(parent)
    html = client.get(conversation.get_absolute_url()).content.decode()
    assert "Before you contact this family" not in html


def test_session_invitation_page_shows_staff_the_preferences(client, family, dad, key_worker):
    client.force_login(dad)
    client.post(URL, FULL)
    client.force_login(key_worker)
    response = client.get(reverse("content:session_invite", kwargs={"family_id": family.pk}))
    assert response.status_code == 200
    assert "07700 900123" in response.content.decode()


# Emails --------------------------------------------------------------------------------


def _portal_only(user):
    services.safe_contact_set(user=user, by_email=False, by_text=False, by_phone=False)


def test_email_send_leaves_out_adults_who_chose_portal_only(family, parent, dad, key_worker):
    _portal_only(parent)
    mail.outbox.clear()
    sent = email_send(subject="Hello", message="Body", users=[parent, dad, key_worker])
    assert sent == 2
    [email] = mail.outbox
    assert sorted(email.to) == sorted([dad.email, key_worker.email])
    assert email_send(subject="Hello", message="Body", users=[parent]) == 0
    assert len(mail.outbox) == 1


def test_email_send_reads_everyones_choice_in_one_query(
    family, parent, dad, key_worker, django_assert_num_queries
):
    _portal_only(parent)
    workers = [factories.staff(StaffProfile.Role.MANAGER) for _ in range(5)]
    with django_assert_num_queries(1):
        sent = email_send(subject="Hello", message="Body", users=[parent, dad, *workers])
    assert sent == 6


def test_text_only_means_no_email_either(family, parent):
    services.safe_contact_set(
        user=parent, by_email=False, by_text=True, by_phone=False, phone="07700 900123"
    )
    assert email_send(subject="Hello", message="Body", users=[parent]) == 0


def test_new_message_email_honours_portal_only(family, parent, dad, key_worker):
    conversation = chat_services.conversation_key_worker_ensure(family=family)
    _portal_only(parent)
    send(key_worker, conversation, "See you Tuesday")
    mail.outbox.clear()
    chat_tasks.new_message_email_send.call(conversation.pk, parent.pk)
    chat_tasks.new_message_email_send.call(conversation.pk, dad.pk)
    assert [email.to for email in mail.outbox] == [[dad.email]]


def test_changing_back_to_email_sends_again(family, parent, key_worker):
    conversation = chat_services.conversation_key_worker_ensure(family=family)
    _portal_only(parent)
    services.safe_contact_set(user=parent, by_email=True, by_text=False, by_phone=False)
    send(key_worker, conversation, "See you Tuesday")
    mail.outbox.clear()
    chat_tasks.new_message_email_send.call(conversation.pk, parent.pk)
    assert [email.to for email in mail.outbox] == [[parent.email]]


def test_staff_without_preferences_still_get_email(db):
    worker = factories.staff(StaffProfile.Role.KEY_WORKER)
    assert email_send(subject="Hello", message="Body", users=[worker]) == 1


def test_demo_aisha_has_safe_contact_preferences(db):
    from portal.demo import seed
    from portal.notify import email_allowed

    people = seed()
    contact = _contact(people["parent"])
    assert contact.member.name == "Aisha"
    assert contact.by_text and not contact.by_email and not contact.leave_messages
    assert contact.safe_word
    assert not email_allowed(people["parent"])
    seed()  # again: still one, unchanged
    assert SafeContact.objects.filter(member__user=people["parent"]).count() == 1


# Days and times ------------------------------------------------------------------------


def _at(text):
    from datetime import datetime

    from django.utils import timezone

    return timezone.make_aware(datetime.fromisoformat(text))


def test_email_waits_for_the_days_and_times_they_chose(family, parent, dad):
    from portal.notify import email_wait_until

    services.safe_contact_set(
        user=parent,
        by_email=True,
        by_text=False,
        by_phone=False,
        days=[0, 2],  # Monday, Wednesday
        times=["morning", "evening"],
    )
    monday = "2026-11-30"
    assert email_wait_until(parent, now=_at(f"{monday}T10:30")) is None
    assert email_wait_until(parent, now=_at(f"{monday}T13:00")) == _at(f"{monday}T17:00")
    assert email_wait_until(parent, now=_at(f"{monday}T21:00")) == _at("2026-12-02T09:00")
    assert email_wait_until(parent, now=_at("2026-12-03T08:00")) == _at("2026-12-07T09:00")
    assert email_wait_until(dad) is None  # said nothing: any time
    services.safe_contact_set(user=dad, by_email=True, by_text=False, by_phone=False, days=[5])
    assert email_wait_until(dad, now=_at("2026-12-05T23:59")) is None  # any time on Saturday
    assert email_wait_until(dad, now=_at("2026-12-06T00:01")) == _at("2026-12-12T00:00")


def test_new_message_email_is_put_off_until_a_safe_time(family, parent, key_worker, settings):
    from datetime import datetime, timedelta

    from django.utils import timezone
    from django_tasks import default_task_backend

    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    conversation = chat_services.conversation_key_worker_ensure(family=family)
    today = timezone.localdate().weekday()
    services.safe_contact_set(
        user=parent, by_email=True, by_text=False, by_phone=False, days=[(today + 1) % 7]
    )
    send(key_worker, conversation, "See you Tuesday")
    mail.outbox.clear()
    assert chat_tasks.new_message_email_send.call(conversation.pk, parent.pk) is False
    assert mail.outbox == []
    [later] = [
        r
        for r in default_task_backend.results
        if r.task.func is chat_tasks.new_message_email_send.func
    ]
    tomorrow = timezone.localdate() + timedelta(days=1)
    assert later.task.run_after == timezone.make_aware(
        datetime.combine(tomorrow, datetime.min.time())
    )


def _stored_word(contact: SafeContact) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT safe_word FROM portal_safecontact WHERE id = %s", [contact.pk])
        return cursor.fetchone()[0]


def _new_key() -> str:
    return Fernet.generate_key().decode()


def test_the_safe_word_is_kept_encrypted_in_the_database(client, parent):
    client.force_login(parent)
    client.post(URL, FULL)
    contact = _contact(parent)
    stored = _stored_word(contact)
    assert "bluebell" not in stored and is_encrypted(stored)
    assert contact.safe_word == "bluebell"
    # Only the empty word is looked up, and that still works.
    assert SafeContact.objects.exclude(safe_word="").filter(pk=contact.pk).exists()


def test_a_new_key_reads_old_words_and_a_missing_key_says_so(client, parent, settings):
    client.force_login(parent)
    client.post(URL, FULL)
    old = settings.FIELD_ENCRYPTION_KEYS
    settings.FIELD_ENCRYPTION_KEYS = [_new_key(), *old]
    assert _contact(parent).safe_word == "bluebell"
    settings.FIELD_ENCRYPTION_KEYS = [_new_key()]
    with pytest.raises(ImproperlyConfigured, match="FIELD_ENCRYPTION_KEYS"):
        _contact(parent)


def test_words_saved_before_encryption_are_encrypted_by_the_migration(client, parent):
    client.force_login(parent)
    client.post(URL, FULL)
    contact = _contact(parent)
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE portal_safecontact SET safe_word = 'primrose' WHERE id = %s", [contact.pk]
        )
    migration = importlib.import_module("portal.migrations.0004_safe_word_encrypted")
    editor = connection.schema_editor()
    migration.encrypt_safe_words(None, editor)
    assert is_encrypted(_stored_word(contact))
    assert _contact(parent).safe_word == "primrose"
    migration.encrypt_safe_words(None, editor)  # twice changes nothing
    assert _contact(parent).safe_word == "primrose"
    migration.decrypt_safe_words(None, editor)
    assert _stored_word(contact) == "primrose"
