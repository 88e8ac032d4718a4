"""Importing a term's school attendance from a CSV file: every row checked and shown
first; one bad row refuses the whole file; saving is all the rows or none."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from casework.imports import MAX_ROWS
from casework.models import AgencyRecord, RecordImport
from portal.models import AuditEvent
from tests.helpers.casework_records import attendance_csv, kind

pytestmark = pytest.mark.django_db


def _upload(client, content, *, name="autumn.csv", code="school-attendance", agency=None, **extra):
    from portal.models import Agency

    agency = agency or Agency.objects.get(kind="school")
    return client.post(
        "/casework/imports/new/",
        {
            "kind": kind(code).pk,
            "agency": agency.pk,
            "starts": "03/09/2026",
            "ends": "23/10/2026",
            "file": SimpleUploadedFile(name, content, content_type="text/csv"),
            **extra,
        },
    )


def _good(world):
    ref = world["family"].reference
    return [
        (ref, "Zara", "04/05/2016", "87.5", "", "", ""),
        (ref, "Yusuf", "20/01/2019", "92", "", "", "Reception"),
    ]


def test_an_attendance_file_is_checked_then_saved_whole(client, records_world):
    school = records_world["people"]["school"]
    client.force_login(school)
    preview = _upload(client, attendance_csv(_good(records_world)))
    assert preview.status_code == 200
    html = preview.content.decode()
    assert "Check the file, then save it" in html and "Save all 2 entries" in html
    assert not AgencyRecord.objects.exists()
    record_import = RecordImport.objects.get()
    assert record_import.status == RecordImport.Status.PREVIEWED
    saved = client.post(f"/casework/imports/{record_import.pk}/confirm/")
    assert saved.status_code == 302 and saved["Location"] == record_import.get_absolute_url()
    record_import.refresh_from_db()
    assert record_import.status == RecordImport.Status.SAVED and record_import.row_count == 2
    entries = {e.member.name: e for e in AgencyRecord.objects.select_related("member")}
    assert entries["Zara"].value_display == "87.5%"
    assert entries["Yusuf"].note == "Reception"
    assert {e.source_import_id for e in entries.values()} == {record_import.pk}
    assert all(e.agency.kind == "school" for e in entries.values())
    assert AuditEvent.objects.filter(
        actor=school,
        action=AuditEvent.Action.CREATE,
        object_type="RecordImport",
        family=records_world["family"],
    ).exists()
    # Saving twice saves nothing more.
    client.post(f"/casework/imports/{record_import.pk}/confirm/")
    assert AgencyRecord.objects.count() == 2
    detail = client.get(record_import.get_absolute_url()).content.decode()
    assert "Saved" in detail and "87.5%" in detail
    listing = client.get("/casework/imports/").content.decode()
    assert "autumn.csv" in listing


def test_one_bad_row_refuses_the_whole_file_and_shows_that_rows_error(client, records_world):
    client.force_login(records_world["people"]["school"])
    ref = records_world["family"].reference
    rows = [*_good(records_world), (ref, "Zara", "04/05/2016", "120", "", "", "")]
    refused = _upload(client, attendance_csv(rows))
    assert refused.status_code == 400
    html = refused.content.decode()
    assert "Row 4, value: The percentage must be 100 or less." in html
    assert "Nothing from this file was saved." in html
    assert "Save all" not in html
    assert not AgencyRecord.objects.exists()
    record_import = RecordImport.objects.get()
    assert record_import.status == RecordImport.Status.REFUSED
    assert (record_import.row_count, record_import.error_count) == (3, 1)
    # Even a hand-made confirmation of the refused file saves nothing.
    client.post(f"/casework/imports/{record_import.pk}/confirm/")
    assert not AgencyRecord.objects.exists()


@pytest.mark.parametrize(
    ("row", "error"),
    [
        (
            ("{ref}", "Zainab", "04/05/2016", "90", "", "", ""),
            "Row 2, name: No one called Zainab lives in this family.",
        ),
        (
            ("{ref}", "Zara", "05/05/2016", "90", "", "", ""),
            "Row 2, date_of_birth: The date of birth does not match Zara&#x27;s.",
        ),
        (
            ("{ref}", "Zara", "04/05/2016", "90", "01/01/2026", "", ""),
            "Row 2, from: 01/01/2026 is outside the period (03/09/2026 to 23/10/2026).",
        ),
        (
            ("EH-99999", "Zara", "04/05/2016", "90", "", "", ""),
            "Row 2, family_reference: No family with the reference EH-99999 is on your team.",
        ),
        (
            ("{ref}", "", "", "90", "", "", ""),
            "Row 2, name: Enter the name of the person it is about.",
        ),
    ],
)
def test_each_rows_error_names_its_row_and_column(client, records_world, row, error):
    client.force_login(records_world["people"]["school"])
    ref = records_world["family"].reference
    refused = _upload(client, attendance_csv([tuple(c.format(ref=ref) for c in row)]))
    assert refused.status_code == 400
    assert error in refused.content.decode()
    assert not AgencyRecord.objects.exists()


def test_a_family_the_importer_is_not_on_the_team_of_reads_as_unknown(
    client, records_world, other_family
):
    from tests import factories

    factories.child(other_family, name="Ola")
    client.force_login(records_world["people"]["school"])
    refused = _upload(
        client, attendance_csv([(other_family.reference, "Ola", "", "90", "", "", "")])
    )
    assert refused.status_code == 400
    assert f"No family with the reference {other_family.reference} is on your team." in (
        refused.content.decode()
    )


def test_the_file_must_have_its_columns_and_not_too_many_rows(client, records_world):
    client.force_login(records_world["people"]["school"])
    no_header = _upload(client, b"Zara,87\n")
    assert no_header.status_code == 400
    assert "it has no family_reference, value column" in no_header.content.decode()
    ref = records_world["family"].reference
    many = [(ref, "Zara", "", "90", "", "", "")] * (MAX_ROWS + 1)
    too_many = _upload(client, attendance_csv(many))
    assert f"The file has more than {MAX_ROWS} rows" in too_many.content.decode()
    big = _upload(client, b"family_reference,value\n" + b"x" * 200_001)
    assert big.status_code == 400
    assert "The file must be smaller than 200 KB." in big.content.decode()
    assert not AgencyRecord.objects.exists()


def test_a_form_left_empty_says_what_to_give(client, records_world):
    client.force_login(records_world["people"]["school"])
    response = client.post("/casework/imports/new/", {})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Choose what the file records." in html and "Choose a CSV file." in html


def test_confirming_needs_the_file_checked_in_this_session(client, records_world):
    school = records_world["people"]["school"]
    client.force_login(school)
    _upload(client, attendance_csv(_good(records_world)))
    record_import = RecordImport.objects.get()
    client.logout()
    client.force_login(school)  # a new session: the file checked is not in it
    response = client.post(f"/casework/imports/{record_import.pk}/confirm/")
    assert response.status_code == 302 and response["Location"] == "/casework/imports/new/"
    assert not AgencyRecord.objects.exists()


def test_confirming_is_a_post(client, records_world):
    client.force_login(records_world["people"]["school"])
    _upload(client, attendance_csv(_good(records_world)))
    record_import = RecordImport.objects.get()
    assert client.get(f"/casework/imports/{record_import.pk}/confirm/").status_code == 405


@pytest.mark.parametrize(
    "role", ["lead_key_worker", "manager", "parent", "unnamed_partner", "police"]
)
def test_only_the_partner_who_uploaded_a_file_sees_or_saves_it(client, records_world, role):
    client.force_login(records_world["people"]["school"])
    _upload(client, attendance_csv(_good(records_world)))
    record_import = RecordImport.objects.get()
    client.force_login(records_world["people"][role])
    assert client.get(record_import.get_absolute_url()).status_code == 404
    assert client.post(f"/casework/imports/{record_import.pk}/confirm/").status_code in {404, 302}
    assert not AgencyRecord.objects.exists()


@pytest.mark.parametrize("role", ["lead_key_worker", "manager", "parent"])
def test_only_partners_import(client, records_world, role):
    client.force_login(records_world["people"][role])
    assert client.get("/casework/imports/new/").status_code == 404
    assert client.get("/casework/imports/").status_code == 404


def test_police_cannot_import_attendance(client, records_world):
    from portal.models import Agency

    client.force_login(records_world["people"]["police"])
    response = _upload(
        client, attendance_csv(_good(records_world)), agency=Agency.objects.get(kind="police")
    )
    assert response.status_code == 400
    assert not RecordImport.objects.exists()


def test_a_months_police_incidents_are_dated_inside_the_month(client, records_world):
    from portal.models import Agency

    client.force_login(records_world["people"]["police"])
    ref = records_world["family"].reference
    content = attendance_csv(
        [
            (ref, "", "", "1", "12/10/2026", "", "Neighbour called"),
            (ref, "", "", "1", "", "", ""),
        ]
    )
    response = client.post(
        "/casework/imports/new/",
        {
            "kind": kind("police-call-out").pk,
            "agency": Agency.objects.get(kind="police").pk,
            "starts": "01/10/2026",
            "ends": "31/10/2026",
            "file": SimpleUploadedFile("october.csv", content, content_type="text/csv"),
        },
    )
    assert response.status_code == 400
    assert "Row 3, from: Enter the date it happened." in response.content.decode()
