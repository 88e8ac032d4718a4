"""Peer mentor test data, built through the services as the portal builds it."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from peer_mentors import services
from peer_mentors.models import Mentor, MentorMatch, ProfilePart, dbs_valid_days
from portal.models import Family, FamilyMember
from tests import factories


def mentor(
    manager,
    *,
    name="Jo",
    ward="Foleshill",
    experiences=("school_attendance",),
    languages=("English",),
    availability=("weekday_mornings",),
    capacity=2,
    is_dad=False,
    prefers_dads=False,
    can_accompany=True,
    status=Mentor.Status.ACTIVE,
    dbs_days_ago=100,
    shown=None,
    story="I have been there too.",
) -> Mentor:
    """A parent from a finished family, vetted and (by default) active."""
    past_family = factories.family(status=Family.Status.CLOSED, name=f"{name}'s family")
    user = factories.parent(
        past_family,
        name=name,
        relationship=FamilyMember.Relationship.DAD if is_dad else FamilyMember.Relationship.MUM,
    )
    record = services.mentor_apply(user=user, actor=manager, why_mentor="To help.")
    services.mentor_profile_update(
        mentor=record,
        actor=user,
        display_name=name,
        story=story,
        experiences=list(experiences),
        languages=list(languages),
        ward=ward,
        availability=list(availability),
        can_accompany=can_accompany,
        capacity=capacity,
        is_dad=is_dad,
        prefers_dads=prefers_dads,
        shown=list(shown if shown is not None else ProfilePart.values),
    )
    today = timezone.localdate()
    lapsed = dbs_days_ago >= dbs_valid_days()
    services.mentor_checks_record(
        mentor=record,
        actor=manager,
        dbs_checked_on=today - timedelta(days=0 if lapsed else dbs_days_ago),
        references_checked_on=today,
        training_completed_on=today,
        code_agreed_on=today,
    )
    if status in {Mentor.Status.ACTIVE, Mentor.Status.PAUSED, Mentor.Status.STOPPED}:
        services.mentor_status_set(mentor=record, status=Mentor.Status.ACTIVE, actor=manager)
    if status not in {Mentor.Status.ACTIVE, Mentor.Status.APPLIED}:
        services.mentor_status_set(mentor=record, status=status, actor=manager)
    if lapsed:
        # Time passes: a check that was current when they started has now run out.
        Mentor.objects.filter(pk=record.pk).update(
            dbs_checked_on=today - timedelta(days=dbs_days_ago)
        )
    record.refresh_from_db()
    return record


def request(parent, mentor_record, *, message="") -> MentorMatch:
    member = parent.family_membership
    return services.match_request(
        family=member.family, mentor=mentor_record, actor=parent, message=message
    )


def accepted_match(parent, mentor_record) -> MentorMatch:
    match = request(parent, mentor_record)
    return services.match_respond(match=match, actor=mentor_record.user, accept=True)
