"""The core of the family's journey: episodes, re-referrals and needs."""

import datetime

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from casework import services
from casework.models import Descriptor, Episode, Framework
from portal import services as core_services
from portal.access import ReasonRequired
from portal.models import AuditEvent, Family, FamilyStatusChange
from tests import factories

pytestmark = pytest.mark.django_db


def _close(episode: Episode, on: datetime.date, actor) -> None:
    # Closure has its own service and tests (test_closure.py); here only the date matters.
    episode.closed_on = on
    episode.closure_reason = Episode.Reason.ACHIEVED
    episode.save()
    core_services.family_status_set(family=episode.family, status=Family.Status.CLOSED, actor=actor)


def test_the_2022_25_framework_is_loaded_as_data_with_six_month_tests():
    framework = Framework.objects.get(in_use=True)
    assert framework.version == "2022-25"
    absence = Descriptor.objects.get(framework=framework, code="persistent-absence")
    assert absence.test_kind.code == "school-attendance"
    assert (absence.breaks_when, absence.threshold) == ("below", 90)
    outcomes = set(framework.descriptors.values_list("outcome", flat=True))
    assert len(outcomes) == 10


def test_opening_an_episode_makes_the_family_active_and_keeps_the_change(key_worker):
    family = factories.family(key_worker=key_worker, status=Family.Status.REFERRED)
    episode = services.episode_open(family=family, actor=key_worker)
    family.refresh_from_db()
    assert family.status == Family.Status.ACTIVE
    assert not episode.is_rereferral
    change = FamilyStatusChange.objects.filter(family=family).last()
    assert (change.before, change.after, change.changed_by) == ("referred", "active", key_worker)
    assert AuditEvent.objects.filter(family=family, object_type="Episode").exists()


def test_a_status_that_does_not_change_is_not_recorded(family, key_worker):
    before = FamilyStatusChange.objects.filter(family=family).count()
    core_services.family_status_set(family=family, status=Family.Status.ACTIVE, actor=key_worker)
    assert FamilyStatusChange.objects.filter(family=family).count() == before


def test_a_family_has_one_open_episode_at_a_time(family, key_worker):
    services.episode_open(family=family, actor=key_worker)
    with pytest.raises(ValidationError):
        services.episode_open(family=family, actor=key_worker)


def test_only_staff_who_manage_the_family_open_an_episode(family):
    # Another key worker is asked for a reason first; a partner is refused outright.
    with pytest.raises(ReasonRequired):
        services.episode_open(family=family, actor=factories.staff())
    with pytest.raises(PermissionDenied):
        services.episode_open(family=family, actor=factories.partner(family))


@time_machine.travel(datetime.datetime(2026, 6, 1, 10, tzinfo=datetime.UTC), tick=False)
@pytest.mark.parametrize(("days_later", "counted"), [(365, True), (366, False), (30, True)])
def test_work_starting_within_12_months_of_closure_is_a_re_referral(
    family, key_worker, days_later, counted
):
    first = services.episode_open(
        family=family, actor=key_worker, opened_on=datetime.date(2024, 1, 10)
    )
    closed = datetime.date(2025, 1, 10)
    _close(first, closed, key_worker)
    again = services.episode_open(
        family=family, actor=key_worker, opened_on=closed + datetime.timedelta(days=days_later)
    )
    assert again.is_rereferral is counted
    reason = FamilyStatusChange.objects.filter(family=family).order_by("id").last().reason
    assert ("Re-referred" in reason) is counted


def test_a_need_needs_a_baseline_and_belongs_to_the_family(family, key_worker, other_family):
    episode = services.episode_open(family=family, actor=key_worker)
    descriptor = Descriptor.objects.get(code="worklessness")
    stranger = factories.child(other_family, name="Not theirs")
    with pytest.raises(ValidationError) as refused:
        services.need_add(episode=episode, descriptor=descriptor, actor=key_worker)
    assert "baseline_rating" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        services.need_add(
            episode=episode,
            descriptor=descriptor,
            actor=key_worker,
            member=stranger,
            baseline_rating=11,
        )
    assert set(refused.value.message_dict) == {"member", "baseline_rating"}
    need = services.need_add(
        episode=episode, descriptor=descriptor, actor=key_worker, baseline_rating=3
    )
    assert (need.outcome, need.family, need.baseline_rating) == ("financial_stability", family, 3)


def test_postcodes_are_kept_in_one_form():
    assert core_services.postcode_normalise(" cv1  5fb") == "CV1 5FB"
    assert core_services.postcode_normalise("CV15FB") == "CV1 5FB"
    assert core_services.postcode_normalise("b1 1aa") == "B1 1AA"
