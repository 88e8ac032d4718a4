"""Demo messages between the Khan family and their key worker. Safe to run twice."""

from __future__ import annotations

import uuid
from datetime import time

from portal.registry import register_demo_seeder

from . import services
from .access import ConversationAccess, Role
from .models import WorkingHours

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


register_demo_seeder(seed, order=70)
