"""The demo gives the Khans' team a term of attendance and a year of incidents to show."""

import time_machine

from casework.models import AgencyRecord, RecordImport
from portal import demo


@time_machine.travel("2026-12-04 10:00 +0000", tick=False)
def test_the_khans_team_has_recorded_a_year_and_seeding_again_adds_nothing(db):
    demo.seed()
    count = AgencyRecord.objects.count()
    people = demo.seed()
    assert AgencyRecord.objects.count() == count
    family = people["family:parent"]
    records = AgencyRecord.objects.filter(family=family).select_related("kind", "agency", "member")
    attendance = [r for r in records if r.kind.code == "school-attendance"]
    # Four terms for each child, the spring figure for Yusuf corrected once.
    assert {(r.member.name) for r in attendance} == {"Zara", "Yusuf"}
    assert len(attendance) == 2 * 4 + 1
    correction = records.get(corrects__isnull=False)
    assert (correction.value_display, correction.corrects.value_display) == ("84.2%", "48.2%")
    agencies = {r.agency.name for r in records}
    assert agencies == {
        "Foleshill Primary School",
        "West Midlands Police",
        "Whitefriars Housing",
        "Coventry Health Visiting",
    }
    police = [r for r in records if r.agency.name == "West Midlands Police"]
    assert len({r.kind.code for r in police}) == 4
    assert min(r.starts for r in police).year == 2025
    assert [r.kind.code for r in records if r.kind.sensitive and r.kind.code.endswith("flag")] == [
        "police-intelligence-flag"
    ]
    imported = RecordImport.objects.get()
    assert imported.status == RecordImport.Status.SAVED and imported.row_count == 2
    assert imported.records.count() == 2
