"""Referrals: a practitioner refers, a family asks for help, a service manager finds the
families it may be about and decides; the referrer hears the outcome and nothing more."""

from datetime import date

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from casework import access, selectors, services
from casework.models import Episode, Outcome, Referral
from casework.views.referrals import ASK_LIMIT
from portal import services as core_services
from portal.models import AccessGrant, AuditEvent, Family, FamilyMember, LeadKeyWorker
from tests import factories
from tests.helpers import casework_referrals as helpers
from tests.helpers import content as content_helpers
from tests.helpers.sign_in import force_login_password_only

QUEUE = "/casework/referrals/"
MINE = "/casework/referrals/mine/"
NEW = "/casework/referrals/new/"
ASK = "/casework/ask-for-help/"


@pytest.fixture
def khans(key_worker):
    family = factories.family(
        key_worker=key_worker, name="Khan household", surname="Khan", postcode="CV6 5AB"
    )
    core_services.family_member_add(
        family=family, name="Aisha", relationship=FamilyMember.Relationship.MUM
    )
    core_services.family_member_add(
        family=family,
        name="Zara",
        relationship=FamilyMember.Relationship.CHILD,
        date_of_birth=date(2016, 5, 4),
    )
    return family


@pytest.fixture
def school(partner):
    return access.referring_agencies(partner)[0]


def _form(**extra):
    data = {
        "surname": "Khan",
        "postcode": "CV6 5AB",
        "person_1_name": "Aisha",
        "person_1_relationship": "mum",
        "person_1_date_of_birth": "",
        "person_2_name": "Zara",
        "person_2_relationship": "child",
        "person_2_date_of_birth": "04/05/2016",
        "worries": "Zara is missing Mondays.",
        "outcomes": ["education"],
        "consent": "yes",
        "no_consent_reason": "",
    }
    data.update(extra)
    return data


# Possible duplicates ---------------------------------------------------------------------


def test_a_family_with_the_same_surname_and_postcode_is_a_possible_duplicate(
    partner, school, khans
):
    referral = helpers.refer(
        partner, agency=school, surname="KHAN", postcode="cv65ab", who=helpers.KHANS[:1]
    )
    found = selectors.possible_duplicates(referral)
    assert [f.pk for f in found] == [khans.pk]
    assert [m.name for m in found[0].household] == ["Aisha", "Zara"]


def test_a_child_born_on_the_same_day_at_the_postcode_is_a_possible_duplicate(
    partner, school, khans
):
    referral = helpers.refer(
        partner,
        agency=school,
        surname="Begum",
        who=[("Zara", FamilyMember.Relationship.CHILD, date(2016, 5, 4))],
    )
    assert [f.pk for f in selectors.possible_duplicates(referral)] == [khans.pk]


def test_no_duplicate_for_another_postcode_or_another_surname_and_birthday(partner, school, khans):
    elsewhere = helpers.refer(partner, agency=school, postcode="CV1 5FB")
    stranger = helpers.refer(
        partner,
        agency=school,
        surname="Begum",
        who=[("Zara", FamilyMember.Relationship.CHILD, date(2016, 5, 5))],
    )
    assert selectors.possible_duplicates(elsewhere) == []
    assert selectors.possible_duplicates(stranger) == []


def test_the_manager_sees_the_possible_duplicate_and_its_view_is_audited(
    client, partner, school, khans, manager
):
    referral = helpers.refer(partner, agency=school)
    client.force_login(manager)
    page = client.get(referral.get_absolute_url()).content.decode()
    assert "Yes: Khan household" in page
    assert khans.reference in page
    assert AuditEvent.objects.filter(
        actor=manager, family=khans, object_type="Referral", object_id=str(referral.pk)
    ).exists()


# Making a referral ------------------------------------------------------------------------


def test_a_referral_without_the_familys_agreement_needs_a_safeguarding_reason(
    client, partner, school
):
    client.force_login(partner)
    refused = client.post(NEW, _form(agency=school.pk, consent="no"))
    assert refused.status_code == 400
    page = refused.content.decode()
    assert "govuk-error-summary" in page
    assert "Give the safeguarding reason" in page
    assert 'value="Zara"' in page  # nothing typed is lost
    assert not Referral.objects.exists()
    sent = client.post(
        NEW,
        _form(agency=school.pk, consent="no", no_consent_reason="Asking would put Zara at risk."),
    )
    referral = Referral.objects.get()
    assert sent["Location"] == reverse("casework:referral_sent", args=[referral.pk])
    assert not referral.consent
    assert referral.no_consent_reason == "Asking would put Zara at risk."
    assert referral.referrer_agency == school
    assert referral.postcode == "CV6 5AB"
    assert [p["name"] for p in referral.people] == ["Aisha", "Zara"]


def test_the_service_refuses_a_referral_without_agreement_or_a_reason(partner, school):
    with pytest.raises(ValidationError) as refused:
        helpers.refer(partner, agency=school, consent=False)
    assert "no_consent_reason" in refused.value.message_dict


def test_a_referral_needs_a_person_and_an_outcome(client, partner, school):
    client.force_login(partner)
    response = client.post(
        NEW, _form(agency=school.pk, person_1_name="", person_2_name="", outcomes=[])
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "Add at least one person in the family." in page
    assert "Choose at least one of the headline outcomes." in page


def test_families_and_mentors_cannot_refer(client, parent):
    client.force_login(parent)
    assert client.get(NEW).status_code == 404
    assert client.get(MINE).status_code == 404


# The manager's queue ----------------------------------------------------------------------


@pytest.mark.parametrize("who", ["key_worker", "partner", "parent"])
def test_only_managers_open_the_queue_and_a_referral(client, request, who, manager):
    referral = helpers.ask()
    client.force_login(request.getfixturevalue(who))
    assert client.get(QUEUE).status_code == 404
    assert client.get(referral.get_absolute_url()).status_code == 404


def test_a_manager_without_two_step_sign_in_is_sent_to_enter_a_code(client, manager):
    referral = helpers.ask()
    force_login_password_only(client, manager)
    for url in (QUEUE, referral.get_absolute_url()):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("mfa_reauthenticate"))


def test_visitors_are_sent_to_sign_in(client, db):
    response = client.get(QUEUE)
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]


def test_waiting_referrals_come_first_the_longest_wait_at_the_top(manager, partner, school):
    with time_machine.travel("2026-11-01 10:00Z"):
        first = helpers.ask(surname="First")
    with time_machine.travel("2026-11-02 10:00Z"):
        second = helpers.refer(partner, agency=school, surname="Second")
    with time_machine.travel("2026-11-03 10:00Z"):
        decided = helpers.ask(surname="Decided")
        services.referral_decide(
            referral=decided, actor=manager, decision=Referral.Status.SOCIAL_CARE
        )
    queue = selectors.referral_queue()
    assert [r.pk for r in queue["waiting"]] == [first.pk, second.pk]
    assert [r.pk for r in queue["decided"]] == [decided.pk]


def test_the_queue_makes_as_many_queries_for_twelve_referrals_as_for_three(
    client, manager, partner, school, django_assert_num_queries, session_queries
):
    def fill(n):
        for i in range(n):
            made = helpers.refer(partner, agency=school, surname=f"Family{i}")
            if i % 3 == 0:
                services.referral_decide(
                    referral=made, actor=manager, decision=Referral.Status.SOCIAL_CARE
                )
            helpers.ask(surname=f"Asked{i}")

    fill(3)
    client.force_login(manager)
    client.get(QUEUE)  # the session and sign-in settle
    with CaptureQueriesContext(connection) as few:
        assert client.get(QUEUE).status_code == 200
    fill(9)
    with CaptureQueriesContext(connection) as many:
        page = client.get(QUEUE)
    assert page.status_code == 200
    assert "Family8" in page.content.decode()
    assert len(many) == len(few)
    # Signed-in person, authenticator, the audit event, waiting and decided referrals
    # (with their referrers and agencies), the menu and panels.
    with django_assert_num_queries(len(few)):
        client.get(QUEUE)


# Deciding ----------------------------------------------------------------------------------


def _accept(referral, manager, lead, family=None, **kw):
    return services.referral_decide(
        referral=referral,
        actor=manager,
        decision=Referral.Status.ACCEPTED,
        family=family,
        lead=lead,
        **kw,
    )


def test_accepting_a_new_family_opens_it_with_its_people_lead_and_work(
    partner, school, manager, key_worker, django_capture_on_commit_callbacks
):
    referral = helpers.refer(partner, agency=school, surname="Begum", postcode="CV2 4FT")
    with django_capture_on_commit_callbacks(execute=True):
        decided = _accept(referral, manager, key_worker, note="Kim will call this week.")
    family = decided.family
    assert family.display_name == "The Begum family"
    assert (family.surname, family.postcode, family.status) == ("Begum", "CV2 4FT", "active")
    assert family.lead_key_worker == key_worker
    assert sorted(m.name for m in family.members.all()) == ["Aisha", "Zara"]
    episode = Episode.objects.get(family=family)
    assert episode.referral == decided and episode.is_open and not episode.is_rereferral
    assert AuditEvent.objects.filter(
        actor=manager, object_type="Referral", object_id=str(referral.pk), action="update"
    ).exists()
    assert AccessGrant.objects.filter(user=manager, family=family).exists()
    assert key_worker.notifications.filter(verb="A family has been allocated to you").exists()
    assert partner.notifications.filter(verb__contains="Accepted").exists()
    [email] = [m for m in mail.outbox if partner.email in m.to]
    assert "Accepted" in email.body
    assert "Kim will call this week." in email.body
    assert family.reference not in email.body
    assert key_worker.display_name not in email.body


def test_accepting_for_a_known_family_passes_it_to_the_new_lead(
    partner, school, manager, khans, key_worker
):
    sam = factories.staff(first_name="Sam")
    referral = helpers.refer(partner, agency=school)
    decided = _accept(referral, manager, sam, family=khans, handover_note="Mondays are hard.")
    khans.refresh_from_db()
    assert decided.family == khans
    assert khans.lead_key_worker == sam
    assert LeadKeyWorker.objects.get(family=khans, ended_at__isnull=True).handover_note == (
        "Mondays are hard."
    )
    assert Episode.objects.get(family=khans, closed_on__isnull=True).referral == decided
    assert not Family.objects.filter(surname="Khan").exclude(pk=khans.pk).exists()


def test_a_referral_links_only_to_a_family_it_may_be_about(
    partner, school, manager, key_worker, other_family
):
    referral = helpers.refer(partner, agency=school)
    with pytest.raises(ValidationError):
        _accept(referral, manager, key_worker, family=other_family)
    referral.refresh_from_db()
    assert referral.status == Referral.Status.NEW


def test_two_managers_cannot_both_decide(partner, school, manager, key_worker):
    other_manager = factories.staff("manager")
    referral = helpers.refer(partner, agency=school, surname="Begum")
    _accept(referral, manager, key_worker)
    with pytest.raises(ValidationError, match="already been decided"):
        services.referral_decide(
            referral=referral, actor=other_manager, decision=Referral.Status.SOCIAL_CARE
        )
    assert Family.objects.filter(surname="Begum").count() == 1


def test_only_a_manager_with_two_step_decides(partner, school, key_worker):
    referral = helpers.refer(partner, agency=school)
    with pytest.raises(PermissionDenied):
        services.referral_decide(
            referral=referral, actor=key_worker, decision=Referral.Status.SOCIAL_CARE
        )


def test_signposting_keeps_the_services_id_and_name(partner, school, manager):
    service = content_helpers.local_service(name="Money Advice Drop-in")
    referral = helpers.refer(partner, agency=school)
    decided = services.referral_decide(
        referral=referral,
        actor=manager,
        decision=Referral.Status.SIGNPOSTED,
        service_id=service.pk,
    )
    assert (decided.signposted_service_id, decided.signposted_service_name) == (
        service.pk,
        "Money Advice Drop-in",
    )
    assert decided.family is None
    assert services.referral_outcome(referral=decided) == "Signposted to Money Advice Drop-in"


@time_machine.travel("2026-12-06 10:00Z")
def test_accepting_within_12_months_of_closure_is_a_rereferral(
    client, partner, school, manager, khans, key_worker
):
    helpers.closed_episode(khans, closed_on=date(2026, 3, 3), by=key_worker)
    referral = helpers.refer(partner, agency=school)
    client.force_login(manager)
    data = {"family": khans.pk, "decision": "accepted", "lead": key_worker.pk, "note": ""}
    check = client.post(referral.get_absolute_url(), data).content.decode()
    assert "Check your decision" in check
    assert (
        "This family's work closed on 3 March 2026: accepting it counts as a re-referral" in check
    )
    client.post(referral.get_absolute_url(), data | {"confirm": "on"})
    referral.refresh_from_db()
    assert referral.status == Referral.Status.ACCEPTED
    assert referral.is_rereferral
    assert Episode.objects.get(family=khans, closed_on__isnull=True).is_rereferral


@time_machine.travel("2026-12-06 10:00Z")
def test_accepting_more_than_12_months_after_closure_is_not_a_rereferral(
    partner, school, manager, khans, key_worker
):
    helpers.closed_episode(khans, closed_on=date(2025, 11, 30), by=key_worker)
    referral = helpers.refer(partner, agency=school)
    [found] = selectors.possible_duplicates(referral)
    assert selectors.rereferral_closed_on(found) is None
    decided = _accept(referral, manager, key_worker, family=khans)
    assert not decided.is_rereferral


def test_the_decision_page_keeps_what_was_chosen_when_something_is_missing(
    client, partner, school, manager, khans
):
    referral = helpers.refer(partner, agency=school)
    client.force_login(manager)
    response = client.post(
        referral.get_absolute_url(), {"family": khans.pk, "decision": "accepted", "note": "Hi"}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "Choose the key worker who will lead the family" in page
    assert f'value="{khans.pk}" checked' in page
    assert referral.status == Referral.Status.NEW


# What the referrer sees ---------------------------------------------------------------


def test_the_referrer_sees_the_outcome_and_nothing_of_the_family(
    client, partner, school, manager, khans, key_worker
):
    referral = helpers.refer(partner, agency=school)
    client.force_login(partner)
    assert "Waiting for a decision" in client.get(MINE).content.decode()
    _accept(referral, manager, key_worker, family=khans, note="Thank you for this.")
    page = client.get(MINE).content.decode()
    assert "Accepted" in page
    assert "Thank you for this." in page
    for secret in (khans.reference, key_worker.display_name, khans.display_name):
        assert secret not in page
    assert client.get(referral.get_absolute_url()).status_code == 404


def test_someone_elses_referral_confirmation_is_not_found(client, partner, school):
    referral = helpers.refer(partner, agency=school)
    client.force_login(factories.partner())
    assert client.get(reverse("casework:referral_sent", args=[referral.pk])).status_code == 404


def test_the_new_lead_reads_the_referral_but_cannot_decide(
    client, partner, school, manager, key_worker
):
    referral = helpers.refer(partner, agency=school, surname="Begum")
    decided = _accept(referral, manager, key_worker)
    client.force_login(key_worker)
    record = client.get(decided.family.get_absolute_url()).content.decode()
    assert f'href="{referral.get_absolute_url()}"' in record
    page = client.get(referral.get_absolute_url())
    assert page.status_code == 200
    assert "Zara is missing Mondays" in page.content.decode()
    assert client.post(referral.get_absolute_url(), {"decision": "social_care"}).status_code == 404


# Asking for help ----------------------------------------------------------------------------


def _ask_form(**extra):
    data = {
        "contact_name": "Sarah",
        "contact_ways": ["text"],
        "contact_email": "",
        "contact_phone": "07700 900456",
        "when_safe": "Afternoons only",
        "surname": "Ellis",
        "postcode": "CV2 1BD",
        "person_1_name": "Sarah",
        "person_1_relationship": "mum",
        "worries": "Money since my partner left.",
    }
    data.update(extra)
    return data


def test_a_family_asks_for_help_without_signing_in(
    client, db, manager, django_capture_on_commit_callbacks
):
    page = client.get(ASK)
    assert page.status_code == 200
    assert b"govuk-exit-this-page" in page.content
    assert b"We will only contact you in the way you choose" in page.content
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(ASK, _ask_form())
    assert response["Location"] == reverse("casework:ask_for_help_sent")
    referral = Referral.objects.get()
    assert referral.source == Referral.Source.FAMILY
    assert referral.consent
    assert referral.contact_by_text and not referral.contact_by_email
    assert referral.outcomes == []
    assert manager.notifications.filter(verb__contains="new referral").exists()
    done = client.get(response["Location"]).content.decode()
    assert "What happens next" in done


def test_asking_for_help_by_email_needs_an_address(client, db):
    response = client.post(ASK, _ask_form(contact_ways=["email"], contact_phone=""))
    assert response.status_code == 400
    assert "Enter your email address" in response.content.decode()
    assert 'value="Ellis"' in response.content.decode()


def test_asking_for_help_is_limited_for_each_visitor(client, db):
    limit = ASK_LIMIT.count
    for _n in range(3):  # putting mistakes right is never counted
        assert client.post(ASK, _ask_form(contact_name="")).status_code == 400
    for _n in range(limit):
        assert client.post(ASK, _ask_form()).status_code == 302
    refused = client.post(ASK, _ask_form())
    assert refused.status_code == 429
    assert Referral.objects.count() == limit
    elsewhere = client.post(ASK, _ask_form(), REMOTE_ADDR="192.0.2.7")
    assert elsewhere.status_code == 302


def test_a_family_is_emailed_the_outcome_only_if_they_said_email_is_safe(
    manager, django_capture_on_commit_callbacks
):
    by_text = helpers.ask(surname="Text")
    by_email = helpers.ask(surname="Mail", email="sarah@example.org", by_email=True, by_text=False)
    with django_capture_on_commit_callbacks(execute=True):
        for referral in (by_text, by_email):
            services.referral_decide(
                referral=referral, actor=manager, decision=Referral.Status.SOCIAL_CARE
            )
    assert [m.to for m in mail.outbox] == [["sarah@example.org"]]
    assert "children's social care" in mail.outbox[0].body


# Adding a family directly ---------------------------------------------------------------


def test_a_family_a_key_worker_adds_has_work_open(client, key_worker):
    client.force_login(key_worker)
    client.post(
        reverse("portal:family_create"),
        {"display_name": "The Parkers", "surname": "Parker", "postcode": "cv3 1aa"},
    )
    family = Family.objects.get(display_name="The Parkers")
    assert family.postcode == "CV3 1AA"
    assert family.status == Family.Status.ACTIVE
    assert Episode.objects.get(family=family).is_open


def test_outcomes_a_family_can_choose_are_in_plain_words():
    from casework.forms import FAMILY_OUTCOME_LABELS

    assert set(FAMILY_OUTCOME_LABELS) == set(Outcome)


def test_a_key_worker_refers_for_the_service_itself(client, key_worker):
    client.force_login(key_worker)
    page = client.get(NEW).content.decode()
    assert "Which agency are you referring for?" not in page
    response = client.post(NEW, _form())
    assert response.status_code == 302
    referral = Referral.objects.get()
    assert referral.referrer_agency is None
    assert referral.referred_by == key_worker


def test_a_partner_refers_only_for_an_agency_of_theirs(client, partner, school):
    other = factories.agency_record(name="Another School")
    client.force_login(partner)
    response = client.post(NEW, _form(agency=other.pk))
    assert response.status_code == 400
    assert not Referral.objects.exists()


def test_the_manager_checks_a_signposting_before_it_is_made(client, partner, school, manager):
    service = content_helpers.local_service(name="Money Advice Drop-in")
    referral = helpers.refer(partner, agency=school)
    client.force_login(manager)
    data = {"family": "new", "decision": "signposted", "service": service.pk, "note": "Try them"}
    check = client.post(referral.get_absolute_url(), data).content.decode()
    assert "Signpost to Money Advice Drop-in" in check
    referral.refresh_from_db()
    assert referral.status == Referral.Status.NEW
    changed = client.post(referral.get_absolute_url(), data | {"confirm": "on", "change": "1"})
    assert "Try them" in changed.content.decode()  # "Change it" keeps what was chosen
    client.post(referral.get_absolute_url(), data | {"confirm": "on"})
    referral.refresh_from_db()
    assert referral.signposted_service_name == "Money Advice Drop-in"
    assert referral.decision_note == "Try them"
