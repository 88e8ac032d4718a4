"""The family's chronology: every significant event read from the records themselves,
filtered by member and kind, printable, audited, and for partners only what the family
shared with them."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from casework import services
from casework.models import ChronologyEntry
from portal import access as core
from portal import services as core_services
from portal.models import AuditEvent, FamilyPractitioner
from tests import factories
from tests.helpers import casework_records as record_helpers
from tests.helpers import chronology as helpers
from tests.helpers import plans as plan_helpers

pytestmark = pytest.mark.django_db


def _url(family):
    return reverse("casework:family_chronology", kwargs={"family_id": family.pk})


@pytest.fixture
def world(records_world):
    """The Khans with one of every kind of event: the school referred them, the journey
    through an episode and back, agency records, meetings, an appointment, the plan agreed
    and reviewed, a concern and entries added by hand by three agencies."""
    people, family = records_world["people"], records_world["family"]
    kim, school, police = people["lead_key_worker"], people["school"], people["police"]
    school_row = FamilyPractitioner.objects.get(family=family, user=school)
    referral = helpers.referral_by(school, family, decided_by=people["manager"])
    journey = helpers.journey(family, kim, members=records_world, police=police)
    records = {
        "attendance": record_helpers.record(
            school, family, "school-attendance", "91", member=records_world["zara"]
        ),
        "abuse": record_helpers.record(police, family, "domestic-abuse-incident", "1"),
    }
    meetings = helpers.meetings_and_appointments(family, kim, team_member=school_row)
    adults = [people["parent"], people["second_adult"]]
    plan, school_goal, home_goal = helpers.agreed_plan(family, adults, kim, shared_with=school_row)
    concern = helpers.concern(family, kim)
    entries = {
        "kim": helpers.entry(family, kim, "Home visit with Aisha", member=records_world["aisha"]),
        "school": helpers.entry(
            family, school, "Call with Aisha about Zara", member=records_world["zara"]
        ),
        "police": helpers.entry(family, police, "Neighbourhood officer called round"),
    }
    return {
        **records_world,
        "journey": journey,
        "records": records,
        "meetings": meetings,
        "plan": plan,
        "school_goal": school_goal,
        "home_goal": home_goal,
        "concern": concern,
        "entries": entries,
        "referral": referral,
    }


EVERY_KIND = [
    "Referral received",
    "Referral decided: Accepted for early help",
    "Work with the family began",
    "Work with the family began again: a re-referral within 12 months",
    "Case closed: The plan was achieved",
    "Status changed from Active to Closed",
    "The plan was achieved",
    "became the lead key worker",
    "Whole-family assessment",
    "Need identified:",
    "Need removed:",
    "Recorded by mistake",
    "Need met at closure:",
    "Need came back:",
    "Not sustained: Police call-out to the home 1 on",
    "School attendance: 91%",
    "Domestic abuse incident: 1",
    "Team meeting arranged",
    "Appointment booked: Talk about the mornings",
    "Plan agreed",
    "Plan review held",
    "Zara gets to school on time: 6/10",
    "Concern about safety raised",
    "I am worried about the children at night.",
    "Home visit with Aisha",
    "Call with Aisha about Zara",
    "Neighbourhood officer called round",
]


def _page(client, user, family, query=""):
    client.force_login(user)
    response = client.get(_url(family) + query)
    assert response.status_code == 200
    return response.content.decode()


def test_the_lead_key_worker_sees_every_kind_of_event_newest_first(client, world):
    page = _page(client, world["people"]["lead_key_worker"], world["family"])
    missing = [text for text in EVERY_KIND if text not in page]
    assert not missing
    # Newest first: the re-referral today comes before the first episode 100 days ago.
    assert page.index("a re-referral within 12 months") < page.index("Case closed")
    assert page.index("Case closed") < page.index("Whole-family assessment")


def test_a_status_change_says_who_changed_it_and_why(client, world):
    page = _page(client, world["people"]["lead_key_worker"], world["family"])
    row = page[page.index("Status changed from Active to Closed") :]
    row = row[: row.index("</tr>")]
    assert "The plan was achieved" in row
    assert world["people"]["lead_key_worker"].display_name in row


def test_staff_with_a_reason_see_everything_but_concerns_and_the_reason(client, world):
    covering = world["people"]["key_worker_with_reason"]
    page = _page(client, covering, world["family"])
    assert "Need identified:" in page
    assert "Appointment booked" in page
    assert "Covering for a colleague on leave" in page
    # Only the lead key worker and managers open a concern; nobody else learns of one.
    assert "Concern about safety raised" not in page
    assert "I am worried about the children at night." not in page


def test_a_manager_with_a_reason_sees_the_concern_and_opens_it(client, world):
    manager = plan_helpers.with_reason(world["people"]["manager"], world["family"])
    page = _page(client, manager, world["family"])
    assert "I am worried about the children at night." in page
    assert world["concern"].get_absolute_url() in page


def test_filtering_by_a_child_shows_only_events_about_them(client, world):
    zara = world["zara"]
    page = _page(client, world["people"]["lead_key_worker"], world["family"], f"?member={zara.pk}")
    assert "School attendance: 91%" in page
    assert "Call with Aisha about Zara" in page
    assert "Whole-family assessment" in page  # it covered Zara
    assert "Home visit with Aisha" not in page
    assert "Status changed" not in page
    assert f'value="{zara.pk}" checked' in page


def test_filtering_by_kind_keeps_the_filters_in_the_address_and_names_them(client, world):
    page = _page(
        client, world["people"]["lead_key_worker"], world["family"], "?kind=need&kind=entry"
    )
    assert "Need identified:" in page
    assert "Home visit with Aisha" in page
    assert "School attendance" not in page.split('id="chronology"')[1]
    assert "Plan review held" not in page
    assert "Showing: Needs, Added by hand." in page
    assert 'value="need" checked' in page and 'value="entry" checked' in page


def test_a_filter_that_is_not_a_choice_is_refused(client, world):
    client.force_login(world["people"]["lead_key_worker"])
    response = client.get(_url(world["family"]) + "?kind=secret")
    assert response.status_code == 400
    assert "govuk-error-summary" in response.content.decode()


def test_the_printed_page_names_the_family_reference_and_date_and_hides_controls(client, world):
    page = _page(client, world["people"]["lead_key_worker"], world["family"], "?kind=need")
    assert f"Family reference {world['family'].reference}." in page
    assert f"Printed on {timezone.localdate():%-d %B %Y}" in page
    assert "casework/chronology.css" in page
    assert "data-chronology-print hidden" in page
    assert 'class="govuk-details app-no-print app-chronology-filter" open' in page


def test_a_partner_sees_only_what_the_family_shared_with_them(client, world):
    page = _page(client, world["people"]["school"], world["family"])
    table = page.split('id="chronology"')[1]
    # Their referral, what they may see of the records, the meeting they were invited
    # to, plan events on the goal shared with them and their own agency's entry.
    assert "Referral received" in table
    assert "School attendance: 91%" in table
    assert world["meetings"]["invited"].get_absolute_url() in table
    assert "Plan agreed" in table
    assert "Zara gets to school on time" in table
    assert "Call with Aisha about Zara" in table
    # Never concerns, appointments, other agencies' entries, another goal, sensitive
    # records of another agency, or the key worker's own work.
    for hidden in (
        "Concern about safety",
        "Appointment",
        "Neighbourhood officer called round",
        "Home visit with Aisha",
        "Calmer evenings at home",
        "Domestic abuse incident",
        "Need identified",
        "Status changed",
        "became the lead key worker",
        world["meetings"]["not_invited"].get_absolute_url(),
        "Zara and Yusuf are often late",  # what the referral said stays with the service
        world["referral"].get_absolute_url(),  # the managers' and the lead's page
    ):
        assert hidden not in table, hidden
    assert "Concerns about safety" not in page  # not even as a filter


def test_the_referral_links_to_its_page_for_the_lead_key_worker_and_managers(client, world):
    url = world["referral"].get_absolute_url()
    for who in ("lead_key_worker", "manager"):
        user = world["people"][who]
        if who == "manager":
            core_services.access_grant_create(
                user=user, family=world["family"], reason="Checking the referral was decided"
            )
        assert f'href="{url}"' in _page(client, user, world["family"]), who
    # A key worker covering with a reason reads the chronology, not the referral itself.
    assert url not in _page(client, world["people"]["key_worker_with_reason"], world["family"])


def test_a_partner_with_no_goal_shared_sees_no_plan_events(client, world):
    page = _page(client, world["people"]["police"], world["family"])
    table = page.split('id="chronology"')[1]
    assert "Plan agreed" not in table
    assert "Plan review held" not in table
    assert "Domestic abuse incident: 1" in table  # their own agency recorded it
    assert "Neighbourhood officer called round" in table
    assert "Call with Aisha about Zara" not in table
    assert "Referral received" not in table


@pytest.mark.parametrize("who", ["parent", "second_adult", "mentor", "unnamed_partner"])
def test_the_family_its_mentor_and_other_partners_get_404(client, world, who):
    client.force_login(world["people"][who])
    assert client.get(_url(world["family"])).status_code == 404
    entry_url = reverse("casework:chronology_entry_add", kwargs={"family_id": world["family"].pk})
    assert client.post(entry_url, {"title": "x"}).status_code == 404


def test_a_matched_mentor_gets_404(client, family, parent):
    mentor, provider = plan_helpers.matched_mentor_for(family)
    try:
        client.force_login(mentor)
        assert client.get(_url(family)).status_code == 404
    finally:
        core._relation_providers.remove(provider)


def test_another_key_worker_must_give_a_reason_and_sees_nothing_first(client, world):
    client.force_login(world["people"]["other_key_worker"])
    response = client.get(_url(world["family"]))
    assert response.status_code == 302
    assert (
        reverse("portal:family_reason", kwargs={"family_id": world["family"].pk})
        in (response["Location"])
    )


def test_signed_out_people_are_sent_to_sign_in(client, family):
    response = client.get(_url(family))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_each_view_is_audited_with_the_filters_and_the_reason(client, world):
    covering = world["people"]["key_worker_with_reason"]
    _page(client, covering, world["family"], "?kind=need")
    event = AuditEvent.objects.filter(actor=covering, object_type="Chronology").get()
    assert event.action == AuditEvent.Action.VIEW
    assert event.family_id == world["family"].pk
    assert event.reason == "Covering for a colleague on leave"
    assert event.path.endswith("?kind=need")


def test_the_family_record_links_to_the_chronology_for_those_who_may_see_it(client, world):
    family = world["family"]
    url = _url(family)
    client.force_login(world["people"]["lead_key_worker"])
    assert url in client.get(family.get_absolute_url()).content.decode()
    client.force_login(world["people"]["school"])
    assert url in client.get(family.get_absolute_url()).content.decode()


# Entries added by hand --------------------------------------------------------------------


def test_a_key_worker_adds_an_entry_and_sees_it(client, records_world):
    family, kim = records_world["family"], records_world["people"]["lead_key_worker"]
    client.force_login(kim)
    add = reverse("casework:chronology_entry_add", kwargs={"family_id": family.pk})
    assert client.get(add).status_code == 200
    day = timezone.localdate() - dt.timedelta(days=2)
    response = client.post(
        add,
        {
            "happened_on": f"{day:%d/%m/%Y}",
            "title": "Phone call with Aisha",
            "detail": "Mornings are better this week.",
            "member": str(records_world["aisha"].pk),
        },
    )
    assert response.status_code == 302
    entry = ChronologyEntry.objects.get(family=family)
    assert (entry.happened_on, entry.member, entry.agency) == (day, records_world["aisha"], None)
    assert AuditEvent.objects.filter(
        actor=kim, action=AuditEvent.Action.CREATE, object_type="ChronologyEntry"
    ).exists()
    page = client.get(response["Location"]).content.decode()
    assert "Phone call with Aisha" in page and "Mornings are better this week." in page


def test_a_partners_entry_carries_their_agency(records_world):
    family, school = records_world["family"], records_world["people"]["school"]
    entry = helpers.entry(family, school, "Met Aisha at the school gate")
    agency = FamilyPractitioner.objects.get(family=family, user=school).agency
    assert entry.agency == agency


def test_an_entry_cannot_be_in_the_future(records_world):
    with pytest.raises(ValidationError) as error:
        helpers.entry(
            records_world["family"], records_world["people"]["lead_key_worker"], "A", days_ago=-1
        )
    assert "happened_on" in error.value.error_dict


def test_an_entry_needs_a_title(client, records_world):
    family = records_world["family"]
    client.force_login(records_world["people"]["lead_key_worker"])
    add = reverse("casework:chronology_entry_add", kwargs={"family_id": family.pk})
    response = client.post(add, {"happened_on": f"{timezone.localdate():%d/%m/%Y}", "title": ""})
    assert response.status_code == 400
    assert "Enter what happened." in response.content.decode()
    assert not ChronologyEntry.objects.exists()
    with pytest.raises(ValidationError):
        helpers.entry(family, records_world["people"]["lead_key_worker"], "   ")


def test_an_entry_about_someone_in_another_family_is_refused(records_world, other_family):
    stranger = factories.child(other_family, name="Sam")
    with pytest.raises(ValidationError):
        helpers.entry(
            records_world["family"],
            records_world["people"]["lead_key_worker"],
            "A visit",
            member=stranger,
        )


def test_the_family_and_other_partners_cannot_add_entries(records_world):
    for who in ("parent", "unnamed_partner"):
        with pytest.raises(PermissionDenied):
            helpers.entry(records_world["family"], records_world["people"][who], "A visit")


# Queries ----------------------------------------------------------------------------------


# Signing in, the access check and its audit, the filter's members, three queries for the
# plan, one for concerns, fifteen for casework's own records and the menu's badge count.
QUERIES = 23


def _more(world, n):
    """``n`` more events of every kind casework, plans and safeguarding read."""
    people, family = world["people"], world["family"]
    kim, school, police = people["lead_key_worker"], people["school"], people["police"]
    school_row = FamilyPractitioner.objects.get(family=family, user=school)
    for i in range(n):
        helpers.referral_by(school, family, decided_by=people["manager"], days_ago=200 + i)
        record_helpers.record(
            school, family, "school-attendance", f"{80 + i}", member=world["zara"]
        )
        record_helpers.record(police, family, "police-call-out", "1")
        helpers.meetings_and_appointments(family, kim, team_member=school_row)
        helpers.concern(family, kim, details=f"Another worry about the family, number {i}.")
        helpers.entry(family, kim, f"Visit {i}", member=world["aisha"])
        helpers.entry(family, school, f"Call {i}", member=world["zara"])
        services.need_add(
            episode=world["journey"]["reopened"],
            descriptor=helpers.descriptor(),
            actor=kim,
            member=world["yusuf"],
            baseline_rating=4,
        )


def _queries(client, family) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(_url(family)).status_code == 200
    return len(queries)


@pytest.mark.parametrize("who", ["lead_key_worker", "school"])
def test_the_chronology_runs_the_same_queries_with_twice_as_many_events(client, world, who):
    client.force_login(world["people"][who])
    _more(world, 3)
    before = _queries(client, world["family"])
    _more(world, 3)
    assert _queries(client, world["family"]) == before


def test_the_chronology_query_count_is_pinned(
    client, world, django_assert_num_queries, session_queries
):
    _more(world, 4)
    client.force_login(world["people"]["lead_key_worker"])
    with django_assert_num_queries(QUERIES + session_queries):
        assert client.get(_url(world["family"])).status_code == 200


# Demo -------------------------------------------------------------------------------------


def test_the_demo_adds_entries_by_hand_once_and_the_rest_comes_from_the_records(client):
    from portal import demo

    demo.seed()
    people = demo.seed()
    family = people["family:parent"]
    entries = ChronologyEntry.objects.filter(family=family).select_related("agency")
    assert entries.count() == 3
    by_pat = entries.get(written_by=people["partner"])
    assert by_pat.agency.name == "Foleshill Primary School"
    page = _page(client, factories.give_mfa(people["key_worker"]), family)
    assert "Home visit with Aisha and Imran" in page
    assert "Team meeting held" in page
    assert "School attendance" in page
