"""Demo mentors: Jo and Tunde, both active, their applications recorded by the manager;
Jo supports the Browns (the Khans ask for a mentor in the demo's own journeys)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone

from . import services
from .models import Availability, Experience, Mentor, MentorMatch, ProfilePart, SupervisionNote

JO: dict[str, Any] = {
    "display_name": "Jo",
    "story": (
        "Two years ago my daughter Ellie stopped going to school and I was drinking too much. "
        "I did not want anyone in my house. My key worker and another mum helped me see "
        "I was not on my own. I have been sober since, and Ellie is back at school. "
        "I can come with you to meetings if that helps."
    ),
    "experiences": [Experience.SCHOOL_ATTENDANCE, Experience.RECOVERY],
    "languages": ["English"],
    "ward": "Foleshill",
    "availability": [Availability.WEEKDAY_MORNINGS, Availability.WEEKDAY_AFTERNOONS],
    "can_accompany": True,
    "capacity": 2,
    "is_dad": False,
    "prefers_dads": False,
    "shown": list(ProfilePart.values),
}

TUNDE: dict[str, Any] = {
    "display_name": "Tunde",
    "story": (
        "I am a dad of one. After I lost my job the bills piled up and I stopped opening "
        "letters. Working with the family support team, I sorted the debts and learned a lot "
        "about being the dad my son needs. I like talking with other dads."
    ),
    "experiences": [Experience.BEING_A_DAD, Experience.DEBT],
    "languages": ["English", "Yoruba"],
    "ward": "Willenhall",
    "availability": [Availability.WEEKDAY_EVENINGS, Availability.WEEKENDS],
    "can_accompany": False,
    "capacity": 1,
    "is_dad": True,
    "prefers_dads": True,
    "shown": list(ProfilePart.values),
}

WHY = {
    "mentor": "I want other mums to have someone who has been there, like I did.",
    "mentor_2": "Dads do not always ask for help. I would like to be someone they can talk to.",
}


def seed_demo(people: dict) -> None:
    manager = people["manager"]
    today = timezone.localdate()
    for key, profile in (("mentor", JO), ("mentor_2", TUNDE)):
        user = people[key]
        mentor = Mentor.objects.filter(user=user).first()
        if mentor is None:
            mentor = services.mentor_apply(user=user, actor=manager, why_mentor=WHY[key])
        if mentor.status == Mentor.Status.ACTIVE:
            continue
        services.mentor_profile_update(mentor=mentor, actor=user, **profile)
        services.mentor_checks_record(
            mentor=mentor,
            actor=manager,
            dbs_checked_on=today - timedelta(days=120),
            references_checked_on=today - timedelta(days=100),
            training_completed_on=today - timedelta(days=60),
            code_agreed_on=today - timedelta(days=60),
        )
        services.mentor_status_set(mentor=mentor, status=Mentor.Status.ACTIVE, actor=manager)
        if not SupervisionNote.objects.filter(mentor=mentor).exists():
            services.supervision_note_add(
                mentor=mentor,
                actor=manager,
                note="First supervision after training. Feeling ready; agreed to check in monthly.",
            )
    browns = people["family:brown"]
    if not MentorMatch.objects.filter(family=browns).exists():
        jo = Mentor.objects.get(user=people["mentor"])
        match = services.match_request(
            family=browns,
            mentor=jo,
            actor=people["brown"],
            message="I would like someone to come with me to the housing office.",
        )
        services.match_respond(match=match, actor=people["mentor"], accept=True)
