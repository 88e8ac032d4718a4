"""A council-sized service for the page benchmark, written with bulk_create.

Every seeder takes the ``World`` (what was made so far) and adds one kind of record.
Feature apps add theirs to ``SEEDERS`` when they land in main, with the sizes the issue
asks for in ``TARGETS``: plan goals from the plans app, messages from the chat app.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass, field

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import transaction

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


# Order matters: each seeder may use what the ones before it made. When the plans and
# chat apps land, add their seeders here (plan goals for every family's plan, messages in
# each family's conversation with their key worker), counting into world.counts under
# the names in TARGETS.
SEEDERS: list[Callable[[World, str], None]] = [seed_staff, seed_families]


@transaction.atomic
def seed(*, families: int) -> World:
    world = World(families_wanted=families)
    password_hash = make_password(PASSWORD)
    for seeder in SEEDERS:
        seeder(world, password_hash)
    return world
