"""Who sees a concern: every role against a concern, its receipt, its decision and the
list, through the real URLs. The second adult of the household never learns of it."""

import pytest
from django.core import mail
from notifications.models import Notification

from portal.models import AuditEvent
from safeguarding import services
from safeguarding.models import Concern

ROLES = (
    "parent",
    "second_adult",
    "other_parent",
    "lead_key_worker",
    "other_key_worker",
    "key_worker_with_reason",
    "named_partner",
    "unnamed_partner",
    "manager",
    "manager_without_mfa",
    "mentor",
    "editor",
    "anonymous",
)


@pytest.fixture
def concern(world):
    """Aisha tells us she is worried about her own safety at home."""
    return services.concern_raise(
        family=world["family"],
        raised_by=world["people"]["parent"],
        about=Concern.About.MY_SAFETY,
        details="Imran shouted at me again and I am scared to go home.",
    )


def _outcome(response) -> str:
    if response.status_code in {200, 404, 405}:
        return {200: "ok", 404: "404", 405: "405"}[response.status_code]
    if response.status_code == 302:
        location = response["Location"]
        if "/accounts/login" in location:
            return "login"
        if "totp" in location or "/mfa" in location:
            return "mfa"
        return "redirect"
    return str(response.status_code)


def _as(client, world, role):
    person = world["people"][role]
    if person is not None:
        client.force_login(person)
    return person


def _expect(allowed: dict[str, str]) -> list[tuple[str, str]]:
    return [(role, allowed.get(role, "404")) for role in ROLES]


DETAIL = _expect(
    {
        "lead_key_worker": "ok",
        "manager": "ok",
        "manager_without_mfa": "mfa",
        "anonymous": "login",
    }
)
# Staff without two-step sign-in are sent to set it up before any page at all.
RECEIPT = _expect({"parent": "ok", "manager_without_mfa": "mfa", "anonymous": "login"})
DECIDE = _expect({"manager": "redirect", "manager_without_mfa": "mfa", "anonymous": "login"})
LIST = _expect(
    {
        "lead_key_worker": "ok",
        "other_key_worker": "ok",
        "key_worker_with_reason": "ok",
        "manager": "ok",
        "manager_without_mfa": "mfa",
        "anonymous": "login",
    }
)


@pytest.mark.parametrize(("role", "expected"), DETAIL)
def test_the_concern_itself(client, world, concern, role, expected):
    _as(client, world, role)
    response = client.get(concern.get_absolute_url())
    assert _outcome(response) == expected
    if expected == "ok":
        assert b"scared to go home" in response.content


@pytest.mark.parametrize(("role", "expected"), RECEIPT)
def test_the_receipt_is_only_for_the_person_who_raised_it(client, world, concern, role, expected):
    _as(client, world, role)
    assert _outcome(client.get(concern.get_receipt_url())) == expected


@pytest.mark.parametrize(("role", "expected"), DECIDE)
def test_only_a_manager_records_the_decision(client, world, concern, role, expected):
    _as(client, world, role)
    response = client.post(
        f"/concerns/{concern.pk}/decision/",
        {"decision": "advice", "notes": "Talked to Aisha about a safety plan.", "share": "no"},
    )
    assert _outcome(response) == expected
    concern.refresh_from_db()
    assert concern.is_decided == (expected == "redirect")


@pytest.mark.parametrize(("role", "expected"), LIST)
def test_the_list_of_concerns(client, world, concern, role, expected):
    _as(client, world, role)
    response = client.get("/concerns/")
    assert _outcome(response) == expected
    if expected == "ok":
        # Only the family's key worker and managers see this family's concern on it.
        shown = concern.get_absolute_url().encode() in response.content
        assert shown == (role in {"lead_key_worker", "manager"})


def test_another_persons_concern_is_the_same_404_as_a_missing_one(client, world, concern):
    client.force_login(world["people"]["second_adult"])
    for url in (concern.get_absolute_url(), concern.get_receipt_url()):
        foreign = client.get(url)
        missing = client.get(url.replace(str(concern.pk), "999999"))
        assert foreign.status_code == missing.status_code == 404


def test_the_second_adult_is_never_told_and_nothing_is_emailed_home(
    client, world, django_capture_on_commit_callbacks
):
    people = world["people"]
    client.force_login(people["parent"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/concerns/tell-us/",
            {"about": "my_safety", "details": "Imran shouted at me again and I am scared."},
        )
    assert response.status_code == 302
    concern = Concern.objects.get()
    told = set(Notification.objects.values_list("recipient", flat=True))
    assert people["second_adult"].pk not in told and people["parent"].pk not in told
    emailed = {address for message in mail.outbox for address in message.to}
    assert people["second_adult"].email not in emailed
    assert people["parent"].email not in emailed
    client.force_login(people["second_adult"])
    dashboard = client.get("/dashboard/").content.decode()
    assert concern.get_receipt_url() not in dashboard
    assert "scared" not in dashboard
    assert "scared" not in client.get("/notifications/").content.decode()
    assert "scared" not in client.get("/concerns/yours/").content.decode()


def test_staff_reads_are_audited_and_the_raisers_are_not(client, world, concern):
    people = world["people"]
    for role in ("lead_key_worker", "manager"):
        client.force_login(people[role])
        client.get(concern.get_absolute_url())
        assert AuditEvent.objects.filter(
            actor=people[role], object_type="Concern", object_id=str(concern.pk), action="view"
        ).exists(), role
    client.force_login(people["parent"])
    client.get(concern.get_receipt_url())
    assert not AuditEvent.objects.filter(actor=people["parent"]).exists()


def test_the_list_read_is_audited_for_each_family_it_names(client, world, concern):
    manager = world["people"]["manager"]
    client.force_login(manager)
    client.get("/concerns/")
    assert AuditEvent.objects.filter(
        actor=manager, object_type="Concern", object_id=str(concern.pk), family=world["family"]
    ).exists()
