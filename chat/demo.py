"""Demo messages between the Khan family and their key worker, Aisha's private
conversation with her, and a duty rota. Safe to run twice."""

from __future__ import annotations

import uuid
from datetime import time, timedelta

from django.utils import timezone

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
