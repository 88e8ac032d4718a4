"""Pat, the school's attendance officer, uploads a term's attendance with one bad row: the
whole file is refused with that row's error; she fixes the file, checks it again and
saves it; the key worker sees the figures on the family's agency records."""

import pytest
from playwright.sync_api import expect

from casework.models import AgencyRecord, RecordImport
from tests.helpers.browser import Person, assert_accessible

pytestmark = pytest.mark.browser

HEADER = "family_reference,name,date_of_birth,value,from,to,note\n"


def _file(rows: list[str]) -> dict:
    return {
        "name": "spring-2026.csv",
        "mimeType": "text/csv",
        "buffer": (HEADER + "".join(f"{row}\n" for row in rows)).encode(),
    }


def test_an_attendance_file_with_one_bad_row_is_refused_whole_then_saved_fixed(open_page, people):
    family = people["family:parent"]
    ref = family.reference
    before = AgencyRecord.objects.count()

    pat = Person(open_page(people["partner"], viewport="desktop"))
    pat.page.goto("/dashboard/")
    pat.follow("Import records from a CSV file")
    expect(pat.page.get_by_role("heading", level=1)).to_have_text("Import records from a CSV file")
    pat.select("What the file records", "School attendance")
    pat.fill("Period from", "05/01/2026")
    pat.fill("Period to", "27/03/2026")
    pat.page.get_by_label("CSV file").set_input_files(
        _file([f"{ref},Zara,,91.5,,,", f"{ref},Yusuf,,109,,,"])
    )
    pat.press("Check the file")
    summary = pat.page.get_by_role("alert")
    expect(summary).to_contain_text("The file was not saved")
    expect(summary).to_contain_text("Row 3, value: The percentage must be 100 or less.")
    expect(pat.page.locator("#row-3")).to_contain_text("Error")
    expect(pat.page.get_by_role("button", name="Save all 2 entries")).to_have_count(0)
    assert_accessible(pat.page)
    assert AgencyRecord.objects.count() == before
    assert RecordImport.objects.filter(status=RecordImport.Status.REFUSED).count() == 1

    # The form below the errors keeps what she chose; only the file is new.
    expect(pat.page.get_by_label("Period from", exact=True)).to_have_value("05/01/2026")
    pat.page.get_by_label("CSV file").set_input_files(
        _file([f"{ref},Zara,,91.5,,,", f"{ref},Yusuf,,90,,,"])
    )
    pat.press("Check the file")
    expect(pat.page.get_by_role("heading", level=1)).to_have_text("Check the file, then save it")
    pat.press("Save all 2 entries")
    expect(pat.page.get_by_text("2 entries were saved from spring-2026.csv.")).to_be_visible()
    assert AgencyRecord.objects.count() == before + 2

    worker = Person(open_page(people["key_worker"], viewport="phone"))
    worker.page.goto(family.get_absolute_url())
    worker.follow("See the agency records")
    expect(worker.page.get_by_role("heading", level=1)).to_have_text("Agency records")
    expect(worker.page.locator("#records")).to_contain_text("91.5%")
    expect(worker.page.locator("#records")).to_contain_text("Foleshill Primary School")
    assert_accessible(worker.page)


def test_the_mum_reads_what_services_recorded_in_plain_words_without_the_police_flag(
    open_page, people
):
    mum = Person(open_page(people["parent"], viewport="phone"))
    mum.page.goto("/dashboard/")
    mum.follow("What services have recorded about your family")
    expect(mum.page.get_by_role("heading", level=1)).to_have_text(
        "What services have recorded about your family"
    )
    expect(mum.page.get_by_text("Exit this page").first).to_be_visible()
    recorded = mum.page.locator("#recorded")
    expect(recorded).to_contain_text("Time at school: Zara")
    expect(recorded).to_contain_text("Rent owed")
    expect(recorded).not_to_contain_text("Police information")
    expect(recorded).not_to_contain_text("Imran")
    assert_accessible(mum.page)
