"""A small, believable service for trying the portal. Safe to run more than once."""

from __future__ import annotations

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from . import services
from .models import (
    Agency,
    Family,
    FamilyMember,
    FamilyPractitioner,
    LeadKeyWorker,
    SafeContact,
    StaffProfile,
)
from .models import User as StaffUser
from .registry import demo_seeders

User = get_user_model()

DEMO_PASSWORD = "demo-password-2026"  # noqa: S105 - demo only; seeding refuses in production

STAFF = [
    (
        "manager",
        "manager@example.org",
        "Mina",
        "Patel",
        StaffProfile.Role.MANAGER,
        "Service manager",
    ),
    (
        "key_worker",
        "keyworker@example.org",
        "Kim",
        "Lewis",
        StaffProfile.Role.KEY_WORKER,
        "Family key worker",
    ),
    (
        "key_worker_2",
        "keyworker2@example.org",
        "Sam",
        "Okafor",
        StaffProfile.Role.KEY_WORKER,
        "Family key worker",
    ),
    ("editor", "editor@example.org", "Eve", "Morgan", StaffProfile.Role.EDITOR, "Content editor"),
    ("editor_2", "editor2@example.org", "Raj", "Singh", StaffProfile.Role.EDITOR, "Content editor"),
    (
        "partner",
        "school@example.org",
        "Pat",
        "Doyle",
        StaffProfile.Role.PARTNER,
        "Attendance officer",
    ),
    (
        "health_visitor",
        "healthvisitor@example.org",
        "Helen",
        "Brooks",
        StaffProfile.Role.PARTNER,
        "Health visitor",
    ),
    (
        "housing_officer",
        "housing@example.org",
        "Omar",
        "Reid",
        StaffProfile.Role.PARTNER,
        "Housing officer",
    ),
    (
        "police_officer",
        "police@example.org",
        "Dan",
        "Wright",
        StaffProfile.Role.PARTNER,
        "Neighbourhood police officer",
    ),
]

_PROFILE_AGENCY = {
    "partner": StaffProfile.Agency.SCHOOL,
    "health_visitor": StaffProfile.Agency.HEALTH,
    "housing_officer": StaffProfile.Agency.HOUSING,
    "police_officer": StaffProfile.Agency.POLICE,
}

# The Khans' team: (person, agency's name, kind, role on the team).
KHAN_TEAM = [
    ("partner", "Foleshill Primary School", Agency.Kind.SCHOOL, "Attendance officer"),
    ("health_visitor", "Coventry Health Visiting", Agency.Kind.HEALTH_VISITING, "Health visitor"),
    ("housing_officer", "Whitefriars Housing", Agency.Kind.HOUSING, "Housing officer"),
    ("police_officer", "West Midlands Police", Agency.Kind.POLICE, "Neighbourhood officer"),
]

# (key, name, surname, postcode, key worker, status, ward,
#  members: (name, relationship, email or None))
FAMILIES: list[tuple[str, str, str, str, str, str, str, list[tuple[str, str, str | None]]]] = [
    (
        "parent",
        "The Khan family",
        "Khan",
        "CV6 5AB",
        "key_worker",
        Family.Status.ACTIVE,
        "Foleshill",
        [
            ("Aisha", FamilyMember.Relationship.MUM, "parent@example.org"),
            ("Imran", FamilyMember.Relationship.DAD, "dad@example.org"),
            ("Zara", FamilyMember.Relationship.CHILD, None),
            ("Yusuf", FamilyMember.Relationship.CHILD, None),
        ],
    ),
    (
        "brown",
        "The Browns",
        "Brown",
        "CV1 5FB",
        "key_worker",
        Family.Status.ACTIVE,
        "Hillfields",
        [
            ("Lisa", FamilyMember.Relationship.MUM, "lisa@example.org"),
            ("Tyler", FamilyMember.Relationship.CHILD, None),
        ],
    ),
    (
        "nowak",
        "Nowak household",
        "Nowak",
        "CV4 9LJ",
        "key_worker_2",
        Family.Status.REFERRED,
        "Tile Hill",
        [
            ("Marta", FamilyMember.Relationship.MUM, None),
            ("Piotr", FamilyMember.Relationship.DAD, None),
            ("Ola", FamilyMember.Relationship.CHILD, None),
        ],
    ),
    (
        "mentor_family",
        "The Greens",
        "Green",
        "CV6 7DE",
        "key_worker_2",
        Family.Status.CLOSED,
        "Foleshill",
        [
            ("Jo", FamilyMember.Relationship.MUM, "mentor@example.org"),
            ("Ellie", FamilyMember.Relationship.CHILD, None),
        ],
    ),
    (
        "mentor_family_2",
        "Adeyemi family",
        "Adeyemi",
        "CV3 3GU",
        "key_worker",
        Family.Status.STEPPED_DOWN,
        "Willenhall",
        [
            ("Tunde", FamilyMember.Relationship.DAD, "mentor2@example.org"),
            ("Femi", FamilyMember.Relationship.CHILD, None),
        ],
    ),
]


def acting_signed_in(user: StaffUser) -> StaffUser:
    """A member of staff as they are after two-step sign-in, for demo seeders that act for
    them through the services (a fresh demo has set up nobody's authenticator app): what
    they do is checked and audited in their name, as in the portal. A copy of them, so
    nobody's own sign-in is changed."""
    acting = StaffUser.objects.get(pk=user.pk)
    acting._portal_has_mfa = True  # type: ignore[attr-defined]  # what access.has_mfa remembers
    acting._portal_session_mfa = True  # type: ignore[attr-defined]  # what mfa_passed reads
    return acting


def _brown_handover(people: dict) -> None:
    """The Browns were Sam's before Kim's: a history with a handover note to show."""
    family = people["family:brown"]
    history = LeadKeyWorker.objects.filter(family=family)
    if history.count() != 1:
        return
    now = timezone.now()
    handed_over = now - timedelta(days=90)
    history.update(started_at=handed_over)
    LeadKeyWorker.objects.create(
        family=family,
        key_worker=people["key_worker_2"],
        started_at=now - timedelta(days=240),
        ended_at=handed_over,
    )
    history.filter(key_worker=people["key_worker"]).update(
        handover_note=(
            "Lisa asked for a woman key worker. Tyler's school is worried about his attendance "
            "on Mondays. Lisa is working on her rent arrears with Whitefriars and would like "
            "help with the forms."
        ),
        handed_over_by=people["key_worker_2"],
    )


def _user(email: str, **kwargs):
    existing = User.objects.filter(email=email).first()
    if existing:
        return existing
    return services.user_create(email=email, password=DEMO_PASSWORD, **kwargs)


@transaction.atomic
def seed() -> dict:
    people: dict = {}
    for key, email, first, last, role, title in STAFF:
        user = User.objects.filter(email=email).first()
        if user is None:
            user = services.staff_create(
                email=email,
                password=DEMO_PASSWORD,
                first_name=first,
                last_name=last,
                role=role,
                job_title=title,
                agency=_PROFILE_AGENCY.get(key, StaffProfile.Agency.EARLY_HELP),
                phone="024 7683 1000",
            )
        people[key] = user
    for key, name, surname, postcode, worker, status, ward, members in FAMILIES:
        family = Family.objects.filter(display_name=name).first()
        if family is None:
            family = services.family_create(
                display_name=name,
                lead_key_worker=people[worker],
                status=status,
                ward=ward,
                surname=surname,
                postcode=postcode,
            )
            for member_name, relationship, member_email in members:
                user = _user(member_email, preferred_name=member_name) if member_email else None
                services.family_member_add(
                    family=family, name=member_name, relationship=relationship, user=user
                )
        people[f"family:{key}"] = family
        for member in family.members.select_related("user"):
            if member.user:
                people.setdefault(key, member.user)
    _brown_handover(people)
    parent_family = people["family:parent"]
    for person, agency_name, kind, team_role in KHAN_TEAM:
        agency, _created = Agency.objects.get_or_create(name=agency_name, defaults={"kind": kind})
        FamilyPractitioner.everyone.get_or_create(
            family=parent_family,
            user=people[person],
            defaults={
                "agency": agency,
                "role": team_role,
                "starts": timezone.localdate() - timedelta(days=60),
                "added_by": people["key_worker"],
            },
        )
    if not SafeContact.objects.filter(member__user=people["parent"]).exists():
        # Aisha: texts and the portal only, weekday mornings, no messages left, a safe word.
        services.safe_contact_set(
            user=people["parent"],
            by_email=False,
            by_text=True,
            by_phone=True,
            phone="07700 900123",
            days=[0, 1, 2, 3, 4],
            times=[SafeContact.Time.MORNING],
            leave_messages=False,
            safe_word="bluebell",
        )
    people["dad"] = User.objects.get(email="dad@example.org")
    people["mentor"] = User.objects.get(email="mentor@example.org")
    people["mentor_2"] = User.objects.get(email="mentor2@example.org")
    for seeder in demo_seeders():
        seeder(people)
    return people
