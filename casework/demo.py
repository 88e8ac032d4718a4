"""Demo meetings and appointments for the Khans: a team meeting held ten days ago whose
actions went on the plan and whose notes the family agreed, one to come, an appointment
to come and one where the key worker wrote down who came.

The Khans have no peer mentor in the demo (finding Jo is the peer mentors' demo journey),
so no appointment asks for one yet: once Aisha is matched, she can ask from the
appointment's page.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django.utils import timezone

from plans import selectors as plan_selectors
from portal.models import FamilyMember, FamilyPractitioner, User

from . import services
from .models import Appointment, Meeting


def _as_signed_in(user: User) -> User:
    """The key worker as she is after two-step sign-in (a fresh demo has not set up her
    authenticator app yet): what she arranges is audited in her name, as in the portal."""
    acting = User.objects.get(pk=user.pk)
    acting._portal_has_mfa = True  # type: ignore[attr-defined]  # what has_mfa remembers
    acting._portal_session_mfa = True
    return acting


def _at(days: int, hour: int) -> datetime:
    return timezone.make_aware(
        datetime.combine(timezone.localdate() + timedelta(days=days), time(hour))
    )


def _happened(record: Meeting | Appointment, days_ago: int) -> None:
    """Time passes: it took place ``days_ago`` days ago at the same hour."""
    starts = record.starts_at - timedelta(days=days_ago + 30)
    type(record).objects.filter(pk=record.pk).update(
        starts_at=starts, ends_at=starts + (record.ends_at - record.starts_at)
    )
    record.refresh_from_db()


def seed_demo(people: dict) -> None:
    family = people["family:parent"]
    if Meeting.objects.filter(family=family).exists():
        return
    kim = _as_signed_in(people["key_worker"])
    adults = list(
        FamilyMember.objects.filter(family=family).exclude(
            relationship=FamilyMember.Relationship.CHILD
        )
    )
    aisha = next(m for m in adults if m.user_id == people["parent"].pk)
    team = {p.user_id: p for p in FamilyPractitioner.objects.filter(family=family)}
    school = team.get(people["partner"].pk)
    health = team.get(people["health_visitor"].pk)
    invited = [p for p in (school, health) if p is not None]

    held = services.meeting_arrange(
        family=family,
        actor=kim,
        starts_at=_at(20, 10),
        ends_at=_at(20, 11),
        where="place",
        place="Foleshill Family Hub, 1 Broad Street, Room 2",
        members=adults,
        practitioners=invited,
        staff_notes="School attendance is at 82% this term.",
    )
    _happened(held, 10)
    goals = plan_selectors.goals_for_meeting_actions(family=family)
    actions = []
    if goals:
        goal_id = goals[0][0]
        actions.append(
            services.ActionInput(
                text="Walk Zara and Yusuf to school with the mums on our route",
                who="member",
                goal_id=goal_id,
                member=aisha,
                due_date=timezone.localdate() + timedelta(days=14),
            )
        )
        if school is not None:
            actions.append(
                services.ActionInput(
                    text="Ring Aisha by 9.30 if the children are not in school",
                    who="partner",
                    goal_id=goal_id,
                    practitioner=school,
                    due_date=timezone.localdate() + timedelta(days=7),
                )
            )
    services.meeting_record(
        meeting=held,
        actor=kim,
        attended=[invite.pk for invite in held.invites.all()],
        actions=actions,
        staff_notes="School attendance is at 82% this term. Mornings are the hard part.",
        family_notes=(
            "Mornings are the hardest time. Aisha and Imran will walk with the other mums. "
            "The school will ring the same morning if the children are not in, not at the end "
            "of the week."
        ),
        notes_agreed=True,
    )
    services.meeting_arrange(
        family=family,
        actor=kim,
        starts_at=_at(12, 10),
        ends_at=_at(12, 11),
        where="call",
        place="Video call: the link is in your email. Or phone 024 7683 1000, code 4412.",
        members=adults,
        practitioners=invited,
    )

    services.appointment_book(
        family=family,
        actor=kim,
        starts_at=_at(4, 14),
        ends_at=_at(4, 15),
        where="Foleshill Family Hub, 1 Broad Street",
        purpose="Talk about how the school mornings are going",
        coming=[aisha],
    )
    past = services.appointment_book(
        family=family,
        actor=kim,
        starts_at=_at(2, 11),
        ends_at=_at(2, 12),
        where="At home",
        purpose="Get to know each other and talk about what you want to change",
        coming=adults,
    )
    _happened(past, 7)
    services.appointment_record(appointment=past, actor=kim, came=adults)
