"""Demo messages between the Khan family and their key worker, Aisha's private
conversation with her, the Browns' key worker arranging support with their peer mentor,
and a duty rota. Safe to run twice."""

from __future__ import annotations

import uuid
from datetime import time, timedelta

from django.utils import timezone

from peer_mentors import selectors as mentor_selectors
from portal.registry import register_demo_seeder

from . import services
from .access import ConversationAccess, Role
from .models import DutyDay, WorkingHours

_NAMESPACE = uuid.UUID("6f1e3c52-6a0b-4a8e-9d86-2f4c1b7a9e10")

MESSAGES = [
    (
        "key_worker",
        "Hi Aisha, it was good to meet you all on Tuesday.\nI have put the school meeting in for Thursday at 10am.",
    ),
    ("parent", "Thanks Kim. Imran can come too. Is it OK if Zara stays with my sister?"),
    (
        "key_worker",
        "Yes, that is fine. The school's page about the meeting is here: https://www.gov.uk/school-attendance-absence",
    ),
    ("parent", "Great, see you Thursday."),
]

# Just Aisha and Kim: Imran cannot see these, nor be told of them.
PRIVATE_MESSAGES = [
    ("parent", "Kim, can we talk on our own? I do not want Imran to see this yet."),
    (
        "key_worker",
        "Of course, Aisha. Only you and I can see these messages. What would you like to talk about?",
    ),
    (
        "parent",
        "I have been struggling with my mood and I am not sleeping. Can we meet after the school meeting?",
    ),
    (
        "key_worker",
        "Yes. I will book the quiet room at the family hub for 11am on Thursday. We can talk about what might help.",
    ),
]


# Kim and Jo arrange the Browns' support; Lisa is told they talk, and nothing of what.
TEAM_MESSAGES = [
    (
        "key_worker",
        "Hi Jo, thanks for taking on the Browns. Lisa would like someone with her at the "
        "housing office. Could you do Tuesday morning?",
    ),
    ("mentor", "Hi Kim. Tuesday is fine. Shall I meet Lisa at the family hub at 9:30?"),
    ("key_worker", "Perfect, I will let Lisa know. Tell me afterwards if she needs anything."),
    ("mentor", "Will do. I will write the visit down on the match page too."),
]


def _seed_team(people: dict) -> None:
    browns = people["family:brown"]
    match = mentor_selectors.family_mentor_state(family=browns)["current"]
    if match is None:
        return
    # The match's own signal opens it once the demo commits; messages need it now.
    team = services.conversation_team_open(
        family=browns, mentor=people["mentor"], match_id=match.pk
    )
    for n, (who, body) in enumerate(TEAM_MESSAGES):
        role = Role.KEY_WORKER if who == "key_worker" else Role.MENTOR
        services.message_send(
            access=ConversationAccess(conversation=team, role=role),
            sender=people[who],
            body=body,
            client_id=uuid.uuid5(_NAMESPACE, f"brown-team-{n}"),
        )


def seed(people: dict) -> None:
    key_worker = people["key_worker"]
    family = people["family:parent"]
    for weekday in range(5):
        WorkingHours.objects.get_or_create(
            user=key_worker,
            weekday=weekday,
            defaults={"starts": time(9, 0), "ends": time(17, 0) if weekday < 4 else time(16, 30)},
        )
    conversation = services.conversation_key_worker_ensure(family=family)
    for n, (who, body) in enumerate(MESSAGES):
        sender = people[who]
        role = Role.KEY_WORKER if who == "key_worker" else Role.FAMILY
        services.message_send(
            access=ConversationAccess(conversation=conversation, role=role),
            sender=sender,
            body=body,
            client_id=uuid.uuid5(_NAMESPACE, f"khan-{n}"),
        )
    aisha = people["parent"]
    private = services.conversation_private_ensure(family=family, owner=aisha)
    for n, (who, body) in enumerate(PRIVATE_MESSAGES):
        role = Role.KEY_WORKER if who == "key_worker" else Role.FAMILY
        message, _created = services.message_send(
            access=ConversationAccess(conversation=private, role=role),
            sender=people[who],
            body=body,
            client_id=uuid.uuid5(_NAMESPACE, f"khan-private-{n}"),
        )
    services.conversation_read_mark(
        access=ConversationAccess(conversation=private, role=Role.FAMILY),
        user=aisha,
        up_to=message.pk,
    )
    _seed_team(people)
    # Kim is the duty key worker for the next two weeks: she covers Sam's families while
    # Sam is on leave. (Nobody covers Kim's own families, so the demo reads the same at
    # any hour.)
    today = timezone.localdate()
    for n in range(14):
        DutyDay.objects.get_or_create(
            date=today + timedelta(days=n),
            defaults={"key_worker": key_worker, "set_by": people["manager"]},
        )


register_demo_seeder(seed, order=70)
