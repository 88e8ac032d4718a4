"""Who sees which agency records: every role against the family's list, one entry's
correction page and the family's own page, through the real URLs."""

from datetime import date

import pytest

from portal.models import AuditEvent
from tests.helpers.casework_records import record

pytestmark = pytest.mark.django_db

ROLES = (
    "parent",
    "second_adult",
    "other_parent",
    "lead_key_worker",
    "other_key_worker",
    "key_worker_with_reason",
    "school",
    "police",
    "housing",
    "unnamed_partner",
    "manager",
    "mentor",
    "anonymous",
)


def _outcome(response) -> str:
    if response.status_code in {200, 404, 405}:
        return {200: "ok", 404: "404", 405: "405"}[response.status_code]
    if response.status_code == 302:
        location = response["Location"]
        if "/accounts/login" in location:
            return "login"
        if "/reason/" in location:
            return "reason"
        return "redirect"
    return str(response.status_code)


def _as(client, world, role):
    person = world["people"][role]
    if person is not None:
        client.force_login(person)
    return person


@pytest.fixture
def entries(records_world):
    """One entry of each sort: Zara's attendance (school), Imran's anti-social behaviour
    report (police, about an adult), a police intelligence flag on Imran (sensitive), the
    household's rent arrears (housing), Aisha's employment... (none: no job centre)."""
    people, family = records_world["people"], records_world["family"]
    return {
        "attendance": record(
            people["school"], family, "school-attendance", "87.5", member=records_world["zara"]
        ),
        "asb_imran": record(
            people["police"],
            family,
            "asb-report",
            "1",
            member=records_world["imran"],
            starts=date(2026, 10, 2),
        ),
        "asb_aisha": record(
            people["police"],
            family,
            "asb-report",
            "2",
            member=records_world["aisha"],
            starts=date(2026, 10, 3),
        ),
        "flag": record(
            people["police"],
            family,
            "police-intelligence-flag",
            "yes",
            member=records_world["imran"],
            starts=date(2026, 10, 4),
            note="Seen with a known dealer",
        ),
        "arrears": record(
            people["housing"], family, "rent-arrears", "420", starts=date(2026, 10, 5)
        ),
    }


LIST = {
    "lead_key_worker": "ok",
    "key_worker_with_reason": "ok",
    "school": "ok",
    "police": "ok",
    "housing": "ok",
    "other_key_worker": "reason",
    "manager": "reason",
    "parent": "redirect",
    "second_adult": "redirect",
    "anonymous": "login",
}


@pytest.mark.parametrize("role", ROLES)
def test_the_familys_agency_records_list(client, records_world, entries, role):
    _as(client, records_world, role)
    response = client.get(f"/casework/families/{records_world['family'].pk}/records/")
    assert _outcome(response) == LIST.get(role, "404")


# What each sees on the list: all for the key workers; a partner, the kinds their agency
# records (a sensitive one only where their own agency recorded it).
SEES = {
    "lead_key_worker": {"attendance", "asb_imran", "asb_aisha", "flag", "arrears"},
    "key_worker_with_reason": {"attendance", "asb_imran", "asb_aisha", "flag", "arrears"},
    "school": {"attendance"},
    "police": {"asb_imran", "asb_aisha", "flag"},
    "housing": {"asb_imran", "asb_aisha", "arrears"},
}


@pytest.mark.parametrize("role", sorted(SEES))
def test_each_sees_only_the_entries_their_part_allows(client, records_world, entries, role):
    _as(client, records_world, role)
    page = client.get(f"/casework/families/{records_world['family'].pk}/records/")
    html = page.content.decode()
    seen = {name for name, entry in entries.items() if f'id="record-{entry.pk}"' in html}
    assert seen == SEES[role]


def test_a_partners_read_is_audited_like_the_key_workers(client, records_world, entries):
    school = records_world["people"]["school"]
    client.force_login(school)
    client.get(f"/casework/families/{records_world['family'].pk}/records/")
    assert AuditEvent.objects.filter(
        actor=school, action=AuditEvent.Action.VIEW, family=records_world["family"]
    ).exists()


FAMILY_PAGE = {
    "parent": "ok",
    "second_adult": "ok",
    # Their own family's page, which shows nothing of this one (the mentor is a parent
    # of a family that finished the programme).
    "other_parent": "ok",
    "mentor": "ok",
    "anonymous": "login",
}


@pytest.mark.parametrize("role", ROLES)
def test_the_familys_own_page(client, records_world, entries, role):
    _as(client, records_world, role)
    response = client.get("/casework/yours/records/")
    assert _outcome(response) == FAMILY_PAGE.get(role, "404")
    if role in {"other_parent", "mentor"}:
        assert b"420" not in response.content and b"Time at school" not in response.content


def test_each_adult_sees_their_own_their_childrens_and_the_households_in_plain_words(
    client, records_world, entries
):
    client.force_login(records_world["people"]["parent"])
    html = client.get("/casework/yours/records/").content.decode()
    assert "Time at school: Zara" in html and "87.5%" in html
    assert "Rent owed" in html and "£420.00" in html
    assert "Reports of anti-social behaviour: Aisha" in html
    # Not about Imran, the other adult; never the sensitive flag.
    assert "Imran" not in html
    assert "Police information" not in html and "dealer" not in html
    assert "Exit this page" in html

    client.force_login(records_world["people"]["second_adult"])
    html = client.get("/casework/yours/records/").content.decode()
    assert "Reports of anti-social behaviour: Imran" in html
    assert "Aisha" not in html
    assert "Police information" not in html


CORRECT = {
    "attendance": {"school": "ok"},
    "flag": {"police": "ok"},
    "arrears": {"housing": "ok"},
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("which", sorted(CORRECT))
def test_only_the_recording_agency_opens_an_entrys_correction(
    client, records_world, entries, role, which
):
    _as(client, records_world, role)
    response = client.get(f"/casework/records/{entries[which].pk}/correct/")
    expected = CORRECT[which].get(role, "404")
    if role == "anonymous":
        expected = "login"
    elif role in {"other_key_worker", "manager"}:
        expected = "reason"
    assert _outcome(response) == expected


def test_a_missing_entry_is_the_same_404(client, records_world):
    client.force_login(records_world["people"]["school"])
    assert client.get("/casework/records/999999/correct/").status_code == 404
    assert client.get("/casework/families/999999/records/").status_code == 404
