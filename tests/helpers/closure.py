"""Closure and six-month test data, built through the services as the portal builds it."""

from __future__ import annotations

from datetime import date, timedelta

from django.utils import timezone

from casework import services
from casework.models import AgencyRecord, Descriptor, Episode, Need, RecordKind
from portal.models import Agency, FamilyMember, FamilyPractitioner


def descriptor(code: str) -> Descriptor:
    return Descriptor.objects.get(framework__in_use=True, code=code)


def opened(key_worker, family, *, days_ago: int = 200) -> Episode:
    return services.open_episode(family) or services.episode_open(
        family=family, actor=key_worker, opened_on=timezone.localdate() - timedelta(days=days_ago)
    )


def need(key_worker, episode: Episode, code: str, member: FamilyMember | None = None) -> Need:
    return services.need_add(
        episode=episode,
        descriptor=descriptor(code),
        actor=key_worker,
        member=member,
        identified_on=episode.opened_on,
        baseline_rating=3,
    )


def close(
    key_worker,
    episode: Episode,
    *,
    on: date | None = None,
    met: bool = True,
    reason: str = Episode.Reason.ACHIEVED,
    summary: str = "You did so well. Ask us again if you need help.",
    social_care_referral: str = "",
) -> Episode:
    needs = Need.objects.filter(episode=episode, removed_at__isnull=True)
    return services.episode_close(
        episode=episode,
        actor=key_worker,
        closed_on=on or timezone.localdate(),
        reason=reason,
        summary=summary,
        met={n.pk: met for n in needs},
        social_care_referral=social_care_referral,
    )


def partner_access(user, family):
    from casework import access
    from portal import access as core

    found = core.FamilyAccess(family=family, relation=core.Relation.PARTNER)
    return access.records_access(user, family, family_access=found)


def record(partner, family, code: str, value: str, starts: date, member=None) -> AgencyRecord:
    kind = RecordKind.objects.get(code=code)
    ends = starts if kind.is_span else None
    return services.agency_record_add(
        records_access=partner_access(partner, family),
        kind=kind,
        member=member,
        value=value,
        starts=starts,
        ends=ends,
        recorder=partner,
    )


def on_team(partner, family, kind: str = Agency.Kind.SCHOOL) -> None:
    """Put ``partner`` on ``family``'s team for an agency of ``kind`` from a year ago."""
    agency, _created = Agency.objects.get_or_create(
        name=Agency.Kind(kind).label, defaults={"kind": kind}
    )
    FamilyPractitioner.everyone.update_or_create(
        family=family,
        user=partner,
        defaults={"agency": agency, "starts": timezone.localdate() - timedelta(days=720)},
    )
