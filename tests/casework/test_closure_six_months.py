"""The six months after closure: each need met is checked daily against new agency records
(broken by one that breaks its test, sustained after six calendar months unbroken), the
family is asked how things are at three and six months, and key workers see both."""

import datetime as dt

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from notifications.models import Notification

from casework import services
from casework.models import FollowUp, Need
from casework.selectors import months_after
from portal import registry
from portal import services as core_services
from portal.models import AuditEvent, FamilyMember, StaffProfile
from tests import factories
from tests.helpers import closure as helpers

pytestmark = pytest.mark.django_db


@pytest.fixture
def child(family):
    return factories.child(family, name="Sam")


@pytest.fixture
def school(family, partner):
    helpers.on_team(partner, family)
    return partner


@pytest.fixture
def closed(key_worker, family, parent, child, school):
    """Work closed today with Sam's attendance and the household's rent arrears met."""
    episode = helpers.opened(key_worker, family, days_ago=200)
    helpers.need(key_worker, episode, "persistent-absence", child)
    helpers.need(key_worker, episode, "debt")
    return helpers.close(key_worker, episode)


def _at(day: dt.date):
    return dt.datetime.combine(day, dt.time(9), tzinfo=dt.UTC)


def _days(days: int):
    return _at(timezone.localdate() + dt.timedelta(days=days))


def _attendance(closed):
    return Need.objects.get(episode=closed, descriptor__code="persistent-absence")


# Sustained and broken ------------------------------------------------------------------------


def test_needs_met_are_sustained_after_six_calendar_months_unbroken(closed):
    six_months = months_after(closed.closed_on, 6)
    with time_machine.travel(_at(six_months - dt.timedelta(days=1)), tick=False):
        services.needs_sustain_check()
    assert set(Need.objects.filter(episode=closed).values_list("sustained", flat=True)) == {
        Need.Sustained.WAITING
    }
    with time_machine.travel(_at(six_months), tick=False):
        result = services.needs_sustain_check()
    assert result.sustained == 2
    need = _attendance(closed)
    assert (need.sustained, need.sustained_on) == (Need.Sustained.SUSTAINED, six_months)
    assert need.checked_at is not None


def test_a_new_low_attendance_after_closure_breaks_the_need_and_tells_the_key_worker(
    closed, school, child, key_worker, django_capture_on_commit_callbacks
):
    with time_machine.travel(_days(40), tick=False):
        low = helpers.record(
            school, closed.family, "school-attendance", "85", timezone.localdate(), member=child
        )
        with django_capture_on_commit_callbacks(execute=True):
            result = services.needs_sustain_check()
    assert result.broken == 1
    need = _attendance(closed)
    assert (need.sustained, need.broken_by) == (Need.Sustained.BROKEN, low)
    assert Notification.objects.filter(recipient=key_worker).exists()
    other = Need.objects.get(episode=closed, descriptor__code="debt")
    assert other.sustained == Need.Sustained.WAITING
    with time_machine.travel(_days(200), tick=False):
        services.needs_sustain_check()
    assert _attendance(closed).sustained == Need.Sustained.BROKEN  # stays broken


def test_entries_that_pass_the_test_or_are_about_someone_else_do_not_break_it(
    closed, school, family, child
):
    brother = factories.child(family, name="Tom")
    with time_machine.travel(_days(40), tick=False):
        today = timezone.localdate()
        helpers.record(school, family, "school-attendance", "96", today, member=child)
        helpers.record(school, family, "school-attendance", "60", today, member=brother)
        services.needs_sustain_check()
    assert _attendance(closed).sustained == Need.Sustained.WAITING


def test_entries_from_before_the_closure_do_not_break_it(key_worker, family, parent, child, school):
    episode = helpers.opened(key_worker, family, days_ago=200)
    helpers.need(key_worker, episode, "persistent-absence", child)
    helpers.record(
        school,
        family,
        "school-attendance",
        "70",
        timezone.localdate() - dt.timedelta(days=30),
        member=child,
    )
    closed = helpers.close(key_worker, episode)
    services.needs_sustain_check()
    assert _attendance(closed).sustained == Need.Sustained.WAITING


def test_a_household_need_is_broken_by_an_entry_about_the_household(closed, family):
    housing = factories.partner(family, agency=StaffProfile.Agency.HOUSING)
    helpers.on_team(housing, family, kind="housing")
    with time_machine.travel(_days(20), tick=False):
        arrears = helpers.record(housing, family, "rent-arrears", "120.00", timezone.localdate())
        services.needs_sustain_check()
    debt = Need.objects.get(episode=closed, descriptor__code="debt")
    assert (debt.sustained, debt.broken_by) == (Need.Sustained.BROKEN, arrears)


def test_a_correction_counts_by_its_current_value(closed, school, child):
    with time_machine.travel(_days(40), tick=False):
        low = helpers.record(
            school, closed.family, "school-attendance", "85", timezone.localdate(), member=child
        )
        services.needs_sustain_check()
        assert _attendance(closed).sustained == Need.Sustained.BROKEN
        services.agency_record_correct(
            records_access=helpers.partner_access(school, closed.family),
            record=low,
            member=child,
            value="95",
            starts=low.starts,
            ends=low.ends,
            reason="Typed the wrong figure",
            recorder=school,
        )
        result = services.needs_sustain_check()
    assert result.unbroken == 1
    need = _attendance(closed)
    assert (need.sustained, need.broken_by) == (Need.Sustained.WAITING, None)


def test_a_correction_that_still_breaks_the_test_is_the_entry_that_broke_it(closed, school, child):
    with time_machine.travel(_days(40), tick=False):
        low = helpers.record(
            school, closed.family, "school-attendance", "85", timezone.localdate(), member=child
        )
        services.needs_sustain_check()
        fixed = services.agency_record_correct(
            records_access=helpers.partner_access(school, closed.family),
            record=low,
            member=child,
            value="80",
            starts=low.starts,
            ends=low.ends,
            reason="The school sent the final figure",
            recorder=school,
        )
        services.needs_sustain_check()
    need = _attendance(closed)
    assert (need.sustained, need.broken_by) == (Need.Sustained.BROKEN, fixed)


def test_a_need_with_no_test_is_sustained_unless_the_key_worker_marks_it(
    client, key_worker, family, parent
):
    episode = helpers.opened(key_worker, family, days_ago=200)
    parenting = helpers.need(key_worker, episode, "parenting")
    carer = helpers.need(key_worker, episode, "young-carer")
    closed = helpers.close(key_worker, episode)
    client.force_login(key_worker)
    response = client.post(reverse("casework:need_not_sustained", kwargs={"need_id": carer.pk}))
    assert response.status_code == 302
    with time_machine.travel(_at(months_after(closed.closed_on, 6)), tick=False):
        services.needs_sustain_check()
    parenting.refresh_from_db()
    carer.refresh_from_db()
    assert parenting.sustained == Need.Sustained.SUSTAINED
    assert carer.sustained == Need.Sustained.BROKEN


def test_only_the_familys_key_worker_marks_a_need_not_sustained(client, closed, partner, parent):
    need = _attendance(closed)
    for person in (partner, parent, factories.staff()):
        client.force_login(person)
        response = client.post(reverse("casework:need_not_sustained", kwargs={"need_id": need.pk}))
        assert response.status_code in {302, 404}
        assert "/reason/" in response.get("Location", "/reason/")
    need.refresh_from_db()
    assert need.sustained == Need.Sustained.WAITING


def _closed_families(key_worker, school, count: int) -> None:
    for n in range(count):
        family = factories.family(key_worker=key_worker, name=f"Family {n}")
        child = factories.child(family)
        helpers.on_team(school, family)
        episode = helpers.opened(key_worker, family, days_ago=200)
        helpers.need(key_worker, episode, "persistent-absence", child)
        helpers.need(key_worker, episode, "police-call-outs")
        helpers.need(key_worker, episode, "parenting")
        helpers.close(key_worker, episode)
        helpers.record(
            school, family, "school-attendance", "95", timezone.localdate(), member=child
        )


def _check_queries() -> int:
    with CaptureQueriesContext(connection) as queries:
        services.needs_sustain_check(today=timezone.localdate() + dt.timedelta(days=1))
    return len(queries)


def test_the_check_makes_as_many_queries_for_many_needs_as_for_few(key_worker, school):
    _closed_families(key_worker, school, 2)
    few = _check_queries()
    Need.objects.update(sustained=Need.Sustained.WAITING)
    _closed_families(key_worker, school, 8)
    Need.objects.update(sustained=Need.Sustained.WAITING)
    assert _check_queries() == few


# "How are things now" ---------------------------------------------------------------------


def test_the_family_is_asked_at_three_and_six_months_once_each(
    closed, parent, django_capture_on_commit_callbacks
):
    closed_on = closed.closed_on
    for day, expected in [
        (months_after(closed_on, 3) - dt.timedelta(days=1), set()),
        (months_after(closed_on, 3), {3}),
        (months_after(closed_on, 3) + dt.timedelta(days=1), {3}),
        (months_after(closed_on, 6), {3, 6}),
        (months_after(closed_on, 6) + dt.timedelta(days=5), {3, 6}),
    ]:
        with (
            time_machine.travel(_at(day), tick=False),
            django_capture_on_commit_callbacks(execute=True),
        ):
            services.sustain_job_run()
        assert set(FollowUp.objects.filter(episode=closed).values_list("months", flat=True)) == (
            expected
        )
    assert Notification.objects.filter(recipient=parent).count() >= 2
    assert len([m for m in mail.outbox if parent.email in m.to]) == 2


def test_the_question_is_not_emailed_to_an_adult_who_chose_no_email(
    closed, parent, django_capture_on_commit_callbacks
):
    core_services.safe_contact_set(user=parent, by_email=False, by_text=False, by_phone=False)
    day = months_after(closed.closed_on, 3)
    with (
        time_machine.travel(_at(day), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        services.follow_ups_ask()
    assert FollowUp.objects.filter(episode=closed, months=3).exists()
    assert not [m for m in mail.outbox if parent.email in m.to]


def _asked(closed) -> FollowUp:
    with time_machine.travel(_at(months_after(closed.closed_on, 3)), tick=False):
        services.follow_ups_ask()
    return FollowUp.objects.get(episode=closed, months=3)


def test_a_parent_answers_how_things_are_and_the_key_worker_sees_it(
    client, closed, parent, key_worker
):
    follow_up = _asked(closed)
    url = reverse("casework:how_are_things", kwargs={"follow_up_id": follow_up.pk})
    client.force_login(parent)
    assert client.post(url, {}).status_code == 400
    response = client.post(url, {"answer": "better", "words": "Sam loves school now"})
    assert response.status_code == 302
    follow_up.refresh_from_db()
    assert follow_up.answer == "better"
    assert follow_up.answered_by == FamilyMember.objects.get(user=parent)
    client.post(url, {"answer": "worse"})
    follow_up.refresh_from_db()
    assert follow_up.answer == "better"  # answered once for the family
    client.force_login(key_worker)
    page = client.get(reverse("casework:six_months")).content.decode()
    assert "Sam loves school now" in page


def test_nobody_else_opens_the_question(client, closed, other_parent, key_worker, family):
    follow_up = _asked(closed)
    url = reverse("casework:how_are_things", kwargs={"follow_up_id": follow_up.pk})
    for person in (other_parent, key_worker):
        client.force_login(person)
        assert client.get(url).status_code == 404
    client.force_login(factories.parent(family, name="Jack"))
    assert client.get(url).status_code == 200  # the other adult of the family


# The six-month page -----------------------------------------------------------------------------


def test_the_key_worker_sees_their_familys_broken_need_and_the_entry_that_broke_it(
    client, closed, school, child, key_worker, manager
):
    with time_machine.travel(_days(40), tick=False):
        helpers.record(
            school, closed.family, "school-attendance", "85", timezone.localdate(), member=child
        )
        services.needs_sustain_check()
        for person in (key_worker, manager):
            client.force_login(person)
            page = client.get(reverse("casework:six_months")).content.decode()
            assert closed.family.display_name in page
            assert "Not sustained" in page
            assert "School attendance: 85%" in page
        client.force_login(key_worker)
        dashboard = client.get("/dashboard/").content.decode()
        assert "Six months after closure" in dashboard


def test_a_manager_reading_every_familys_checks_is_audited_for_each_family(
    client, closed, school, child, key_worker, manager
):
    with time_machine.travel(_days(40), tick=False):
        services.needs_sustain_check()
        client.force_login(key_worker)
        client.get(reverse("casework:six_months"))
        assert not AuditEvent.objects.filter(actor=key_worker, reason__contains="Six months")
        client.force_login(manager)
        client.get(reverse("casework:six_months"))
    read = AuditEvent.objects.get(actor=manager, reason="Six months after closure")
    assert (read.family, read.action) == (closed.family, AuditEvent.Action.VIEW)


def test_another_key_worker_does_not_see_the_family_and_parents_get_404(
    client, closed, parent, partner
):
    client.force_login(factories.staff())
    assert (
        closed.family.display_name
        not in client.get(reverse("casework:six_months")).content.decode()
    )
    for person in (parent, partner):
        client.force_login(person)
        assert client.get(reverse("casework:six_months")).status_code == 404


def test_the_six_month_page_makes_as_many_queries_for_many_families(
    client, key_worker, school, django_assert_max_num_queries
):
    _closed_families(key_worker, school, 2)
    client.force_login(key_worker)
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("casework:six_months"))
    _closed_families(key_worker, school, 6)
    with CaptureQueriesContext(connection) as many:
        response = client.get(reverse("casework:six_months"))
    assert response.content.decode().count('id="family-') == 8
    assert len(many) == len(few)


# The job --------------------------------------------------------------------------------------


def test_the_check_is_a_daily_job_with_its_command(closed):
    job = next(j for j in registry.periodic_jobs() if j.key == "casework_sustain_check")
    assert job.every_seconds == 24 * 60 * 60
    assert job.command == "check_sustained_needs"
    with time_machine.travel(_at(months_after(closed.closed_on, 6)), tick=False):
        call_command("check_sustained_needs")
    assert _attendance(closed).sustained == Need.Sustained.SUSTAINED
