"""Recording, correcting and defining kinds through the pages: a wrong form keeps what
was typed, a right one saves; the list's queries stay flat as entries grow."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from casework import services
from casework.models import AgencyRecord, RecordKind
from tests.helpers.casework_records import kind, record, records_access_for

pytestmark = pytest.mark.django_db


def test_a_partner_records_attendance_wrong_then_right(client, records_world):
    family, zara = records_world["family"], records_world["zara"]
    client.force_login(records_world["people"]["school"])
    choose = client.get(f"/casework/families/{family.pk}/records/new/")
    assert choose.status_code == 200
    assert b"School attendance" in choose.content and b"Police call-out" not in choose.content
    chosen = client.get(
        f"/casework/families/{family.pk}/records/new/", {"kind": kind("school-attendance").pk}
    )
    url = chosen["Location"]
    assert url.endswith(f"/records/new/{kind('school-attendance').pk}/")
    wrong = client.post(
        url,
        {
            "member": zara.pk,
            "value": "120",
            "starts": "03/09/2026",
            "ends": "23/10/2026",
            "note": "From the register",
        },
    )
    assert wrong.status_code == 400
    html = wrong.content.decode()
    assert "The percentage must be 100 or less." in html
    assert 'value="120"' in html and "From the register" in html
    assert not AgencyRecord.objects.exists()
    right = client.post(
        url,
        {
            "member": zara.pk,
            "value": "87.5",
            "starts": "03/09/2026",
            "ends": "23/10/2026",
            "note": "From the register",
        },
    )
    assert right.status_code == 302
    entry = AgencyRecord.objects.get()
    assert (entry.member, entry.value_display, entry.ends) == (zara, "87.5%", date(2026, 10, 23))


def test_a_partner_cannot_open_a_kind_their_agency_does_not_record(client, records_world):
    family = records_world["family"]
    client.force_login(records_world["people"]["school"])
    url = f"/casework/families/{family.pk}/records/new/{kind('police-call-out').pk}/"
    assert client.get(url).status_code == 404
    assert client.post(url, {"value": "1", "starts": "01/10/2026"}).status_code == 404
    assert not AgencyRecord.objects.exists()


def test_the_key_worker_has_no_record_form(client, records_world):
    client.force_login(records_world["people"]["lead_key_worker"])
    family = records_world["family"]
    assert client.get(f"/casework/families/{family.pk}/records/new/").status_code == 404
    page = client.get(f"/casework/families/{family.pk}/records/")
    assert b"Record an entry" not in page.content


def test_a_correction_wrong_then_right_shows_beside_the_entry(client, records_world):
    school, family, zara = (
        records_world["people"]["school"],
        records_world["family"],
        records_world["zara"],
    )
    entry = record(school, family, "school-attendance", "58", member=zara)
    client.force_login(school)
    url = f"/casework/records/{entry.pk}/correct/"
    form = client.get(url).content.decode()
    assert 'value="58"' in form
    wrong = client.post(
        url,
        {
            "member": zara.pk,
            "value": "85",
            "starts": "03/09/2026",
            "ends": "23/10/2026",
            "reason": "",
        },
    )
    assert wrong.status_code == 400
    assert "Say why the entry was wrong." in wrong.content.decode()
    assert 'value="85"' in wrong.content.decode()
    right = client.post(
        url,
        {
            "member": zara.pk,
            "value": "85",
            "starts": "03/09/2026",
            "ends": "23/10/2026",
            "reason": "Typed the wrong column.",
        },
    )
    assert right.status_code == 302
    page = client.get(f"/casework/families/{family.pk}/records/").content.decode()
    assert "Corrects 58%" in page and "Typed the wrong column." in page
    assert "Corrected" in page
    # The entry corrected offers no second correction.
    assert client.get(url).status_code == 404


def test_the_list_filters_by_person_and_kind(client, records_world):
    people, family = records_world["people"], records_world["family"]
    zara_entry = record(
        people["school"], family, "school-attendance", "90", member=records_world["zara"]
    )
    yusuf_entry = record(
        people["school"], family, "school-attendance", "70", member=records_world["yusuf"]
    )
    client.force_login(people["lead_key_worker"])
    html = client.get(
        f"/casework/families/{family.pk}/records/", {"member": records_world["zara"].pk}
    ).content.decode()
    assert f"record-{zara_entry.pk}" in html and f"record-{yusuf_entry.pk}" not in html


def test_the_records_list_makes_the_same_queries_with_3_or_30_entries(
    client, records_world, django_assert_num_queries
):
    """Every third entry corrected, so corrections and what they correct are on it too."""
    people, family = records_world["people"], records_world["family"]
    school, zara = people["school"], records_world["zara"]
    allowed = records_access_for(school, family)

    def add(start, stop):
        for i in range(start, stop):
            entry = record(school, family, "school-attendance", str(50 + i % 40), member=zara)
            if i % 3 == 0:
                services.agency_record_correct(
                    records_access=allowed,
                    record=entry,
                    member=zara,
                    value="99",
                    starts=entry.starts,
                    ends=entry.ends,
                    reason="Wrong figure sent.",
                    recorder=school,
                )

    add(0, 3)
    url = f"/casework/families/{family.pk}/records/"
    client.force_login(school)
    client.get(url)
    with CaptureQueriesContext(connection) as three:
        assert client.get(url).content.decode().count('id="record-') == 3 + 1
    add(3, 30)
    with django_assert_num_queries(len(three)):
        page = client.get(url)
    assert page.content.decode().count('id="record-') == 30 + 10


def test_managers_add_a_kind_wrong_then_right_and_retire_it(client, records_world):
    manager = records_world["people"]["manager"]
    client.force_login(manager)
    assert client.get("/casework/record-kinds/").status_code == 200
    wrong = client.post(
        "/casework/record-kinds/",
        {
            "name": "Free school meals",
            "family_label": "",
            "value_type": "yes_no",
            "about": "member",
            "period": "day",
            "outcome": "education",
        },
    )
    assert wrong.status_code == 400
    html = wrong.content.decode()
    assert "Enter the name the family sees." in html
    assert "Choose at least one kind of agency that may record it." in html
    assert 'value="Free school meals"' in html
    right = client.post(
        "/casework/record-kinds/",
        {
            "name": "Free school meals",
            "family_label": "Free school meals",
            "value_type": "yes_no",
            "about": "member",
            "period": "day",
            "outcome": "education",
            "agency_kinds": ["school"],
        },
    )
    assert right.status_code == 302
    made = RecordKind.objects.get(name="Free school meals")
    retire = f"/casework/record-kinds/{made.pk}/retire/"
    assert client.post(retire, {"reason": ""}).status_code == 400
    assert client.post(retire, {"reason": "The council counts these now."}).status_code == 302
    made.refresh_from_db()
    assert not made.is_active


@pytest.mark.parametrize("role", ["lead_key_worker", "school", "parent"])
def test_only_managers_open_the_kinds(client, records_world, role):
    client.force_login(records_world["people"][role])
    assert client.get("/casework/record-kinds/").status_code == 404
    assert (
        client.post(
            f"/casework/record-kinds/{kind('suspensions').pk}/retire/",
            {"reason": "No longer needed here."},
        ).status_code
        == 404
    )
    assert kind("suspensions").is_active


def test_the_family_record_page_links_to_the_agency_records(client, records_world):
    client.force_login(records_world["people"]["school"])
    page = client.get(records_world["family"].get_absolute_url()).content.decode()
    assert f"/casework/families/{records_world['family'].pk}/records/" in page
    client.force_login(records_world["people"]["parent"])
    assert "/casework/yours/records/" in client.get("/dashboard/").content.decode()
