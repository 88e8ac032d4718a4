"""A council-sized service for the page benchmark, written with bulk_create.

Every seeder takes the ``World`` (what was made so far) and adds one kind of record.
Feature apps add theirs to ``SEEDERS`` when they land in main, with the sizes the issue
asks for in ``TARGETS``: plan goals from the plans app, messages from the chat app.
"""

from __future__ import annotations

import itertools
import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from portal.models import Family, FamilyMember, StaffProfile

User = get_user_model()

# The sizes issue 7 asks for. A kind with no seeder yet is reported as not seeded.
TARGETS = {"families": 1_000, "plan goals": 20_000, "messages": 200_000}

BATCH = 1_000
PASSWORD = "bench-password-2026"  # noqa: S105 - a throwaway loopback database
WARDS = ["Foleshill", "Hillfields", "Tile Hill", "Willenhall", "Canley", "Radford", "Stoke"]
STATUSES = [Family.Status.ACTIVE] * 6 + [Family.Status.REFERRED, Family.Status.STEPPED_DOWN]


@dataclass
class World:
    families_wanted: int
    key_workers: list = field(default_factory=list)
    managers: list = field(default_factory=list)
    families: list = field(default_factory=list)
    parents: list = field(default_factory=list)
    conversations: list = field(default_factory=list)
    resources: list = field(default_factory=list)
    counts: dict = field(default_factory=dict)

    @property
    def parent(self):
        """The parent whose pages are measured: the first family's mum."""
        return self.parents[0]


def _users(rows: list[dict], password_hash: str) -> list:
    users = User.objects.bulk_create(
        [User(password=password_hash, **row) for row in rows], batch_size=BATCH
    )
    EmailAddress.objects.bulk_create(
        [EmailAddress(user=u, email=u.email, primary=True, verified=True) for u in users],
        batch_size=BATCH,
    )
    return users


def seed_staff(world: World, password_hash: str) -> None:
    """Four managers, each leading ten key workers (a caseload of about 25 each)."""
    managers = _users(
        [
            {"email": f"manager{n}@bench.example.org", "first_name": "Manager", "last_name": str(n)}
            for n in range(1, 5)
        ],
        password_hash,
    )
    workers_needed = max(1, world.families_wanted // 25)
    workers = _users(
        [
            {
                "email": f"worker{n}@bench.example.org",
                "first_name": "Key",
                "last_name": f"Worker {n}",
            }
            for n in range(1, workers_needed + 1)
        ],
        password_hash,
    )
    StaffProfile.objects.bulk_create(
        [StaffProfile(user=u, role=StaffProfile.Role.MANAGER) for u in managers]
        + [
            StaffProfile(
                user=u,
                role=StaffProfile.Role.KEY_WORKER,
                manager=managers[i % len(managers)],
                phone="024 7683 1000",
            )
            for i, u in enumerate(workers)
        ],
        batch_size=BATCH,
    )
    world.managers, world.key_workers = managers, workers
    world.counts["staff"] = len(managers) + len(workers)


def seed_families(world: World, password_hash: str) -> None:
    """Families of four: a mum and a dad who use the portal, and two children."""
    n = world.families_wanted
    families = Family.objects.bulk_create(
        [
            Family(
                reference=f"EH-{i:05d}",
                display_name=f"The Bench family {i}",
                status=STATUSES[i % len(STATUSES)],
                lead_key_worker=world.key_workers[i % len(world.key_workers)],
                ward=WARDS[i % len(WARDS)],
            )
            for i in range(1, n + 1)
        ],
        batch_size=BATCH,
    )
    mums = _users(
        [
            {"email": f"parent{i}@bench.example.org", "preferred_name": f"Mum {i}"}
            for i in range(1, n + 1)
        ],
        password_hash,
    )
    dads = _users(
        [
            {"email": f"dad{i}@bench.example.org", "preferred_name": f"Dad {i}"}
            for i in range(1, n + 1)
        ],
        password_hash,
    )
    R = FamilyMember.Relationship
    members = itertools.chain.from_iterable(
        (
            FamilyMember(family=family, user=mum, name=mum.preferred_name, relationship=R.MUM),
            FamilyMember(family=family, user=dad, name=dad.preferred_name, relationship=R.DAD),
            FamilyMember(family=family, name=f"Child A{i}", relationship=R.CHILD),
            FamilyMember(family=family, name=f"Child B{i}", relationship=R.CHILD),
        )
        for i, (family, mum, dad) in enumerate(zip(families, mums, dads, strict=True), start=1)
    )
    FamilyMember.objects.bulk_create(list(members), batch_size=BATCH)
    world.families, world.parents = families, mums
    world.counts["families"] = len(families)
    world.counts["family members"] = 4 * len(families)
    world.counts["people who sign in"] = User.objects.count()


GOALS_PER_FAMILY = 20  # the plan page shows them all: goal 16 is the check text
STEPS_PER_GOAL = 2
MESSAGES_PER_FAMILY = 200
GOAL_TITLES = [
    "Get the children to school on time",
    "Have calmer evenings at home",
    "Sort out the rent arrears",
    "Feel less alone",
    "Get help with Sam's sleep",
]
MESSAGE_TEXTS = [
    "Hi, are we still on for Thursday at 10?",
    "Yes, see you then. I will bring the forms.",
    "School rang again about Sam. Can we talk?",
    "Of course. I can call you at 2pm today.",
    "Thank you, that helped a lot.",
]


def seed_plans(world: World, password_hash: str) -> None:
    """A plan per family with 20 goals of two steps each, and a done review rating them."""
    from plans.models import Goal, GoalRating, Plan, Review, Step, Who

    now = timezone.now()
    plans = Plan.objects.bulk_create(
        [
            Plan(
                family=family,
                strengths="We love each other and we want things to be better.",
                worries="Mornings are hard and money is tight.",
                created_by=family.lead_key_worker,
            )
            for family in world.families
        ],
        batch_size=BATCH,
    )
    goals = Goal.objects.bulk_create(
        [
            Goal(
                plan=plan,
                title=f"{GOAL_TITLES[g % len(GOAL_TITLES)]} ({g + 1})",
                details="We will make a plan each Sunday and stick it on the fridge.",
                how_we_know="The school says the children are there on time.",
                order=g,
                created_by=mum,
                updated_by=mum,
            )
            for plan, mum in zip(plans, world.parents, strict=True)
            for g in range(GOALS_PER_FAMILY)
        ],
        batch_size=BATCH,
    )
    Step.objects.bulk_create(
        [
            Step(
                goal=goal,
                text=f"Step {s + 1}: pack the school bags the night before",
                who=Who.KEY_WORKER if s else Who.MEMBER,
                due_date=(now + timedelta(days=7 * (s + 1))).date(),
                order=s,
                created_by=goal.created_by,
            )
            for goal in goals
            for s in range(STEPS_PER_GOAL)
        ],
        batch_size=BATCH,
    )
    reviews = Review.objects.bulk_create(
        [
            Review(
                plan=plan,
                date=(now - timedelta(days=14)).date(),
                status=Review.Status.DONE,
                created_by=plan.created_by,
            )
            for plan in plans
        ],
        batch_size=BATCH,
    )
    review_of = {review.plan_id: review for review in reviews}
    GoalRating.objects.bulk_create(
        [
            GoalRating(
                review=review_of[goal.plan_id],
                goal=goal,
                by=GoalRating.By.FAMILY,
                score=1 + goal.order % 10,
                rated_by=goal.created_by,
            )
            for goal in goals
        ],
        batch_size=BATCH,
    )
    world.counts["plan goals"] = len(goals)
    world.counts["plan steps"] = len(goals) * STEPS_PER_GOAL
    world.counts["goal ratings"] = len(goals)


def seed_messages(world: World, password_hash: str) -> None:
    """Each family's key-worker conversation: mum, dad and key worker, 200 messages."""
    from chat.models import Conversation, Message, Participant

    now = timezone.now()
    conversations = Conversation.objects.bulk_create(
        [
            Conversation(family=f, kind=Conversation.Kind.KEY_WORKER, last_message_at=now)
            for f in world.families
        ],
        batch_size=BATCH,
    )
    dads = {
        m.family_id: m.user_id
        for m in FamilyMember.objects.filter(relationship=FamilyMember.Relationship.DAD)
    }
    total = 0
    last_ids = {}
    for start in range(0, len(conversations), 50):
        rows = []
        for conversation, family, mum in zip(
            conversations[start : start + 50],
            world.families[start : start + 50],
            world.parents[start : start + 50],
            strict=True,
        ):
            senders = [mum.pk, family.lead_key_worker_id, dads[family.pk]]
            for n in range(MESSAGES_PER_FAMILY):
                rows.append(
                    Message(
                        conversation=conversation,
                        sender_id=senders[n % 3 if n % 5 else 1],
                        client_id=uuid.uuid4(),
                        body=MESSAGE_TEXTS[n % len(MESSAGE_TEXTS)],
                    )
                )
        made = Message.objects.bulk_create(rows, batch_size=5_000)
        for message in made:
            last_ids[message.conversation_id] = message.pk
        total += len(made)
    # Written here without chat.services: each conversation's newest id, which the next
    # send names as the message before it.
    for conversation in conversations:
        conversation.last_message_id = last_ids[conversation.pk]
    Conversation.objects.bulk_update(conversations, ["last_message_id"], batch_size=BATCH)
    R = Participant.Role
    Participant.objects.bulk_create(
        [
            Participant(conversation=c, user_id=user_id, role=role, last_read_id=last_ids[c.pk])
            for c, family, mum in zip(conversations, world.families, world.parents, strict=True)
            for user_id, role in (
                (mum.pk, R.FAMILY),
                (dads[family.pk], R.FAMILY),
                (family.lead_key_worker_id, R.KEY_WORKER),
            )
        ],
        batch_size=BATCH,
    )
    world.conversations = conversations
    world.counts["messages"] = total


RESOURCE_TEXT = "Teenagers often talk more when you are side by side"


def seed_resources(world: World, password_hash: str) -> None:
    """A few published resource pages, made through Wagtail's tree API (not bulk_create)."""
    from content.demo import seed_home_page
    from content.models import ResourceIndexPage, ResourcePage

    home = seed_home_page({})
    index = ResourceIndexPage(title="Help and advice", slug="help", intro="Guides for families.")
    home.add_child(instance=index)
    index.save_revision().publish()
    pages = []
    for n in range(1, 6):
        page = ResourcePage(
            title=f"Talking with your teenager {n}",
            slug=f"talking-with-your-teenager-{n}",
            kind=ResourcePage.Kind.GUIDE,
            summary="Small ways to keep talking when it feels hard.",
            body=json.dumps(
                [
                    {"type": "text", "value": f"<p>{RESOURCE_TEXT}, not face to face.</p>"},
                    {
                        "type": "callout",
                        "value": {"style": "inset", "text": "Listen first. Fix it later."},
                    },
                ]
            ),
        )
        index.add_child(instance=page)
        page.save_revision().publish()
        pages.append(page)
    world.resources = pages
    world.counts["resource pages"] = len(pages)


# Order matters: each seeder may use what the ones before it made. Each counts into
# world.counts under the names in TARGETS.
SEEDERS: list[Callable[[World, str], None]] = [
    seed_staff,
    seed_families,
    seed_plans,
    seed_messages,
    seed_resources,
]


@transaction.atomic
def seed(*, families: int) -> World:
    world = World(families_wanted=families)
    password_hash = make_password(PASSWORD)
    for seeder in SEEDERS:
        seeder(world, password_hash)
    return world
