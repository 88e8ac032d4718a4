"""Closing the work with a family: what the key worker must say, the family's status and
what its adults read after, re-opening, and how long they may still read their plan."""

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone
from notifications.models import Notification

from casework import services
from casework.models import CaseworkSettings, Episode, Need
from plans import services as plan_services
from portal.models import AuditEvent, Family, FamilyMember, FamilyStatusChange
from tests import factories
from tests.helpers import closure as helpers

pytestmark = pytest.mark.django_db


@pytest.fixture
def child(family):
    return factories.child(family, name="Sam")


@pytest.fixture
def episode(key_worker, family, parent, child):
    episode = helpers.opened(key_worker, family, days_ago=200)
    helpers.need(key_worker, episode, "persistent-absence", child)
    helpers.need(key_worker, episode, "debt")
    return episode


def _close_post(episode, **overrides):
    data = {
        "closed_on": timezone.localdate().strftime("%d/%m/%Y"),
        "reason": Episode.Reason.ACHIEVED,
        "summary": "Sam goes to school every day now. Ask us again if you need help.",
        "social_care_referral": "",
    }
    for need in Need.objects.filter(episode=episode):
        data[f"need_{need.pk}"] = "yes"
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def _url(family):
    return reverse("casework:episode_close", kwargs={"family_id": family.pk})


# Validation ---------------------------------------------------------------------------


def test_closing_needs_a_reason_a_summary_and_every_need_answered(client, key_worker, episode):
    client.force_login(key_worker)
    need = Need.objects.filter(episode=episode).first()
    response = client.post(
        _url(episode.family),
        _close_post(episode, reason=None, summary="", **{f"need_{need.pk}": None}),
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "Choose why the work with the family ended." in page
    assert "Write a closing summary for the family." in page
    assert "Say whether this need was met." in page
    episode.refresh_from_db()
    assert episode.is_open


def test_the_service_refuses_a_need_left_unanswered(key_worker, episode):
    needs = list(Need.objects.filter(episode=episode))
    with pytest.raises(ValidationError) as caught:
        services.episode_close(
            episode=episode,
            actor=key_worker,
            closed_on=timezone.localdate(),
            reason=Episode.Reason.ACHIEVED,
            summary="Well done.",
            met={needs[0].pk: True},
        )
    assert f"need_{needs[1].pk}" in caught.value.error_dict


def test_stepping_up_needs_the_social_care_referral(client, key_worker, episode):
    client.force_login(key_worker)
    response = client.post(
        _url(episode.family), _close_post(episode, reason=Episode.Reason.STEPPED_UP)
    )
    assert response.status_code == 400
    assert "social care referral" in response.content.decode()
    response = client.post(
        _url(episode.family),
        _close_post(
            episode,
            reason=Episode.Reason.STEPPED_UP,
            social_care_referral="MASH-1234, 1 December 2026, Coventry children's services",
        ),
    )
    assert response.status_code == 302
    episode.refresh_from_db()
    assert episode.social_care_referral.startswith("MASH-1234")


@pytest.mark.parametrize(
    ("days", "message"),
    [(1, "must be today or in the past"), (-201, "must be on or after")],
)
def test_the_closing_date_is_not_in_the_future_nor_before_the_work_opened(
    client, key_worker, episode, days, message
):
    client.force_login(key_worker)
    day = timezone.localdate() + dt.timedelta(days=days)
    response = client.post(
        _url(episode.family), _close_post(episode, closed_on=day.strftime("%d/%m/%Y"))
    )
    assert response.status_code == 400
    assert message in response.content.decode()


def test_the_summary_is_checked_for_plain_english_but_not_refused(client, key_worker, episode):
    client.force_login(key_worker)
    response = client.post(
        _url(episode.family),
        _close_post(episode, summary="The multi-agency intervention facilitated outcomes."),
    )
    assert response.status_code == 302


# Who may close --------------------------------------------------------------------------


def test_only_the_lead_key_worker_or_staff_with_a_reason_open_the_closing_page(
    client, episode, parent, partner, other_parent
):
    for person in (parent, partner, other_parent):
        client.force_login(person)
        assert client.get(_url(episode.family)).status_code == 404
    client.force_login(factories.staff())
    assert "/reason/" in client.get(_url(episode.family))["Location"]  # asked for a reason


def test_a_family_with_no_open_work_has_no_closing_page(client, key_worker, family):
    client.force_login(key_worker)
    assert client.get(_url(family)).status_code == 404


def test_the_service_refuses_someone_else(episode, partner):
    with pytest.raises(PermissionDenied):
        helpers.close(partner, episode)


# What closing does ------------------------------------------------------------------------


def test_closing_fills_the_episode_and_the_needs_and_tells_the_family(
    client, key_worker, episode, parent, django_capture_on_commit_callbacks
):
    client.force_login(key_worker)
    needs = list(Need.objects.filter(episode=episode))
    post = _close_post(episode, **{f"need_{needs[1].pk}": "no"})
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(_url(episode.family), post)
    assert response.status_code == 302
    episode.refresh_from_db()
    assert episode.closed_on == timezone.localdate()
    assert episode.closed_by == key_worker
    assert episode.read_access_until == timezone.localdate() + dt.timedelta(
        days=CaseworkSettings.load().read_access_days
    )
    first, second = (Need.objects.get(pk=n.pk) for n in needs)
    assert (first.met_at_closure, first.sustained) == (True, Need.Sustained.WAITING)
    assert (second.met_at_closure, second.sustained) == (False, "")
    assert Notification.objects.filter(recipient=parent).exists()
    assert AuditEvent.objects.filter(object_type="Episode", actor=key_worker).exists()


@pytest.mark.parametrize(
    ("reason", "status"),
    [
        (Episode.Reason.STEPPED_DOWN, Family.Status.STEPPED_DOWN),
        (Episode.Reason.ACHIEVED, Family.Status.CLOSED),
        (Episode.Reason.MOVED, Family.Status.CLOSED),
    ],
)
def test_the_family_status_follows_the_reason_and_is_kept(key_worker, episode, reason, status):
    helpers.close(key_worker, episode, reason=reason)
    family = Family.objects.get(pk=episode.family_id)
    assert family.status == status
    change = FamilyStatusChange.objects.filter(family=family).order_by("-id").first()
    assert (change.before, change.after, change.changed_by) == (
        Family.Status.ACTIVE,
        status,
        key_worker,
    )


def test_work_closed_cannot_be_closed_again(key_worker, episode):
    helpers.close(key_worker, episode)
    with pytest.raises(ValidationError):
        helpers.close(key_worker, episode)


def test_a_new_referral_inside_twelve_months_opens_new_work_as_a_re_referral(key_worker, episode):
    family = episode.family
    helpers.close(key_worker, episode)
    with time_machine.travel(timezone.now() + dt.timedelta(days=100), tick=False):
        again = services.episode_open(family=family, actor=key_worker)
    assert again.pk != episode.pk
    assert again.is_rereferral
    family.refresh_from_db()
    assert family.status == Family.Status.ACTIVE
    assert list(FamilyStatusChange.objects.filter(family=family).values_list("after", flat=True))[
        -2:
    ] == [Family.Status.CLOSED, Family.Status.ACTIVE]


def test_a_referral_after_twelve_months_is_not_a_re_referral(key_worker, episode):
    helpers.close(key_worker, episode)
    with time_machine.travel(timezone.now() + dt.timedelta(days=400), tick=False):
        again = services.episode_open(family=episode.family, actor=key_worker)
    assert not again.is_rereferral


# What the family reads -----------------------------------------------------------------------


def test_the_parent_reads_the_summary_and_the_needs_met_in_plain_words(
    client, key_worker, episode, parent, family
):
    other_adult = factories.parent(family, name="Dan", relationship=FamilyMember.Relationship.DAD)
    dan = FamilyMember.objects.get(user=other_adult)
    helpers.need(key_worker, episode, "worklessness", dan)
    helpers.need(key_worker, episode, "domestic-abuse")
    helpers.close(key_worker, episode)
    client.force_login(parent)
    page = client.get(reverse("casework:yours_closed")).content.decode()
    assert "Sam goes to school" not in page  # the helper's summary, not the test's
    assert "You did so well" in page
    assert "Going to school most days" in page
    assert "Money worries under control" in page
    assert "Finding work" not in page  # about the other adult
    assert "Everyone safe at home" not in page  # domestic abuse is never shown
    dashboard = client.get("/dashboard/").content.decode()
    assert "You did so well" in dashboard


def test_the_closed_page_is_only_for_a_closed_familys_adults(
    client, key_worker, episode, parent, other_parent, child
):
    client.force_login(parent)
    assert client.get(reverse("casework:yours_closed")).status_code == 404  # still open
    helpers.close(key_worker, episode)
    for person in (other_parent, key_worker):
        client.force_login(person)
        assert client.get(reverse("casework:yours_closed")).status_code == 404


# Reading the plan after ---------------------------------------------------------------------


@pytest.fixture
def plan(family, parent):
    plan = plan_services.plan_start(family=family, actor=parent)
    plan_services.goal_create(plan=plan, actor=parent, title="Sam at school every day")
    return plan


def test_a_closed_family_reads_its_plan_until_the_date_but_cannot_change_it(
    client, key_worker, episode, parent, plan
):
    helpers.close(key_worker, episode)
    until = Episode.objects.get(pk=episode.pk).read_access_until
    client.force_login(parent)
    page = client.get(reverse("plans:plan"))
    assert page.status_code == 200
    assert "Sam at school every day" in page.content.decode()
    assert "but not change it" in page.content.decode()
    with pytest.raises(PermissionDenied):
        plan_services.goal_create(plan=plan, actor=parent, title="Something new")
    after = dt.datetime.combine(until + dt.timedelta(days=1), dt.time(12), tzinfo=dt.UTC)
    with time_machine.travel(after, tick=False):
        client.force_login(parent)  # the session has expired by then
        page = client.get(reverse("plans:plan"))
        assert page.status_code == 200
        assert "Sam at school every day" not in page.content.decode()
        assert "Your time with the service has ended" in page.content.decode()
        assert (
            client.get(reverse("plans:family_plan", kwargs={"family_id": plan.family_id}))
        ).status_code == 404


def test_a_family_still_being_worked_with_changes_its_plan(parent, plan, key_worker, episode):
    goal = plan_services.goal_create(plan=plan, actor=parent, title="Something new")
    assert goal.pk


def test_the_key_worker_still_reads_a_closed_familys_plan(
    client, key_worker, episode, plan, parent
):
    helpers.close(key_worker, episode)
    with time_machine.travel(timezone.now() + dt.timedelta(days=400), tick=False):
        client.force_login(key_worker)
        response = client.get(reverse("plans:family_plan", kwargs={"family_id": plan.family_id}))
    assert response.status_code == 200


# Settings ------------------------------------------------------------------------------------


def test_a_manager_sets_the_read_access_period_and_it_is_audited(client, manager):
    client.force_login(manager)
    response = client.post(reverse("casework:settings"), {"read_access_days": "30"})
    assert response.status_code == 302
    assert CaseworkSettings.load().read_access_days == 30
    assert AuditEvent.objects.filter(actor=manager, object_type="CaseworkSettings").exists()
    response = client.post(reverse("casework:settings"), {"read_access_days": "-3"})
    assert response.status_code == 400


def test_only_managers_open_the_settings(client, key_worker, parent):
    for person in (key_worker, parent):
        client.force_login(person)
        assert client.get(reverse("casework:settings")).status_code == 404


def test_a_manager_without_two_step_sign_in_is_sent_to_set_it_up(client, manager):
    from tests.helpers.sign_in import force_login_password_only

    force_login_password_only(client, manager)
    assert client.get(reverse("casework:settings")).status_code == 302


def test_a_closed_familys_comment_is_refused_while_it_reads_the_plan(
    client, key_worker, episode, parent, plan
):
    from plans.models import Comment

    helpers.close(key_worker, episode)
    client.force_login(parent)
    url = reverse("plans:comment_add", kwargs={"family_id": plan.family_id})
    assert client.post(url, {"text": "One more thing"}).status_code == 404
    assert not Comment.objects.filter(plan=plan).exists()
