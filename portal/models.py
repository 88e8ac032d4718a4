"""The core records: people, families, staff, invitations and the audit trail."""

import functools
import hashlib
from datetime import date
from typing import ClassVar

from django.conf import settings
from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .fields import EncryptedCharField


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra_fields: object) -> "User":
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(
        self, email: str, password: str | None = None, **extra_fields: object
    ) -> "User":
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(
        self, email: str, password: str | None = None, **extra_fields: object
    ) -> "User":
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra_fields)


class User(AbstractUser):
    """A person who signs in. Email is the login; there is no username."""

    username = None  # type: ignore[assignment]  # Django's way to drop an inherited field
    email = models.EmailField(_("email address"), unique=True)
    preferred_name = models.CharField(_("name you would like us to use"), max_length=80, blank=True)

    # AbstractUser's stub wants auth's UserManager, which needs a username.
    objects: ClassVar[UserManager] = UserManager()  # type: ignore[assignment]

    # Set for the request by portal.backends (what it loaded) and portal.access (whether
    # this session passed two-step sign-in).
    _portal_related_loaded: bool
    _portal_session_mfa: bool

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = []

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [models.UniqueConstraint(Lower("email"), name="user_email_ci_unique")]

    def __str__(self):
        return self.display_name

    @property
    def display_name(self):
        return self.preferred_name or self.get_full_name() or self.email


class StaffProfile(models.Model):
    """What a member of staff does. Having one makes someone staff in the portal."""

    class Role(models.TextChoices):
        KEY_WORKER = "key_worker", _("Key worker")
        PARTNER = "partner", _("Partner practitioner")
        MANAGER = "manager", _("Service manager")
        EDITOR = "editor", _("Content editor")

    class Agency(models.TextChoices):
        EARLY_HELP = "early_help", _("Early help")
        SCHOOL = "school", _("School")
        HEALTH = "health", _("Health")
        POLICE = "police", _("Police")
        HOUSING = "housing", _("Housing")
        OTHER = "other", _("Other")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staff_profile"
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    agency = models.CharField(
        _("agency"), max_length=20, choices=Agency.choices, default=Agency.EARLY_HELP
    )
    job_title = models.CharField(_("job title"), max_length=120, blank=True)
    phone = models.CharField(_("work phone"), max_length=40, blank=True)
    manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="team_members",
        verbose_name=_("line manager"),
    )

    class Meta:
        verbose_name = _("staff profile")
        verbose_name_plural = _("staff profiles")

    def __str__(self):
        return f"{self.user} ({self.get_role_display()})"


class Family(models.Model):
    """A household supported by the service."""

    class Status(models.TextChoices):
        REFERRED = "referred", _("Referred")
        ACTIVE = "active", _("Active")
        STEPPED_DOWN = "stepped_down", _("Stepped down")
        CLOSED = "closed", _("Closed")

    reference = models.CharField(_("reference"), max_length=20, unique=True)
    display_name = models.CharField(
        _("family name"),
        max_length=80,
        help_text=_("The name the family chose, for example 'The Khan family'."),
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.REFERRED
    )
    lead_key_worker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="caseload",
        verbose_name=_("lead key worker"),
    )
    ward = models.CharField(_("area (ward)"), max_length=80, blank=True)
    # For finding a family that may already be known when a referral comes in
    # (``casework.selectors.possible_duplicates``): the surname most of the household uses,
    # and the postcode kept in one form (capitals, one space before the last three).
    surname = models.CharField(_("surname"), max_length=80, blank=True)
    postcode = models.CharField(_("postcode"), max_length=10, blank=True, db_index=True)
    preferred_language = models.CharField(_("preferred language"), max_length=40, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("family")
        verbose_name_plural = _("families")
        ordering = ["display_name", "id"]
        indexes = [models.Index(fields=["lead_key_worker", "status"])]

    def __str__(self):
        return f"{self.display_name} ({self.reference})"

    def get_absolute_url(self):
        return reverse("portal:family_detail", kwargs={"family_id": self.pk})


class FamilyStatusChange(models.Model):
    """Each time the family moved on in the programme (referred, active, stepped down,
    closed), by whom and why: written only by ``portal.services.family_status_set``."""

    family = models.ForeignKey(Family, on_delete=models.CASCADE, related_name="status_changes")
    before = models.CharField(max_length=20, choices=Family.Status.choices, blank=True)
    after = models.CharField(max_length=20, choices=Family.Status.choices)
    changed_at = models.DateTimeField(default=timezone.now)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reason = models.CharField(max_length=300, blank=True)

    class Meta:
        verbose_name = _("change of family status")
        verbose_name_plural = _("changes of family status")
        ordering = ["changed_at", "id"]

    def __str__(self):
        return f"{self.family} {self.before or '-'} -> {self.after}"


class LeadKeyWorker(models.Model):
    """One spell of a key worker leading a family's work. One at a time: the open spell
    (no ``ended_at``) is the family's ``lead_key_worker``; earlier ones are its history."""

    family = models.ForeignKey(Family, on_delete=models.CASCADE, related_name="lead_history")
    key_worker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("key worker"),
    )
    started_at = models.DateTimeField(default=timezone.now)
    ended_at = models.DateTimeField(null=True, blank=True)
    # What whoever passed the family on wrote for the new key worker.
    handover_note = models.TextField(_("note for the new key worker"), blank=True)
    handed_over_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("lead key worker")
        verbose_name_plural = _("lead key workers")
        ordering = ["-started_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["family"],
                condition=models.Q(ended_at__isnull=True),
                name="one_lead_key_worker_at_a_time",
            )
        ]

    def __str__(self):
        return f"{self.key_worker} leading {self.family}"


class CurrentMemberManager(models.Manager["FamilyMember"]):
    """People who live in the household now: someone who has left is no one's member."""

    def get_queryset(self) -> models.QuerySet["FamilyMember"]:
        return super().get_queryset().filter(left_at__isnull=True)


class FamilyMember(models.Model):
    """Someone in the household. Children usually have no account.

    Someone removed from the household (``portal.services.family_member_remove``) keeps
    their row for the family's history, without their account: ``objects`` and
    ``family.members`` never find them, ``everyone`` does.
    """

    class Relationship(models.TextChoices):
        MUM = "mum", _("Mum")
        DAD = "dad", _("Dad")
        CARER = "carer", _("Parent or carer")
        CHILD = "child", _("Child or young person")
        OTHER_ADULT = "other_adult", _("Other adult")

    family = models.ForeignKey(Family, on_delete=models.CASCADE, related_name="members")
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="family_membership",
    )
    name = models.CharField(_("name"), max_length=80)
    relationship = models.CharField(_("relationship"), max_length=20, choices=Relationship.choices)
    date_of_birth = models.DateField(_("date of birth"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    left_at = models.DateTimeField(_("left the household"), null=True, blank=True)
    left_reason = models.TextField(_("why they were removed"), blank=True)
    removed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    everyone = models.Manager()
    objects = CurrentMemberManager()

    class Meta:
        verbose_name = _("family member")
        verbose_name_plural = _("family members")
        default_manager_name = "objects"
        ordering = ["family", "id"]

    def __str__(self):
        return self.name

    @property
    def is_adult(self):
        return self.relationship != self.Relationship.CHILD

    @property
    def is_father(self):
        return self.relationship == self.Relationship.DAD


class SafeContact(models.Model):
    """How and when it is safe to contact one adult of the household, in their words.

    Only that adult and the staff who support the family see it; only the family's key
    workers and managers see the safe word, and each time they do it is audited.
    """

    class Day(models.IntegerChoices):
        MONDAY = 0, _("Monday")
        TUESDAY = 1, _("Tuesday")
        WEDNESDAY = 2, _("Wednesday")
        THURSDAY = 3, _("Thursday")
        FRIDAY = 4, _("Friday")
        SATURDAY = 5, _("Saturday")
        SUNDAY = 6, _("Sunday")

    class Time(models.TextChoices):
        MORNING = "morning", _("Morning (9am to 12 noon)")
        AFTERNOON = "afternoon", _("Afternoon (12 noon to 5pm)")
        EVENING = "evening", _("Evening (5pm to 8pm)")

    member = models.OneToOneField(
        FamilyMember, on_delete=models.CASCADE, related_name="safe_contact"
    )
    by_email = models.BooleanField(_("email"), default=False)
    by_text = models.BooleanField(_("text message"), default=False)
    by_phone = models.BooleanField(_("phone call"), default=False)
    phone = models.CharField(_("safe phone number"), max_length=40, blank=True)
    # Weekday numbers and Time values; empty means any day, or any time.
    days = models.JSONField(default=list, blank=True)
    times = models.JSONField(default=list, blank=True)
    leave_messages = models.BooleanField(_("messages may be left"), default=False)
    # Kept encrypted: a database dump or backup never shows it.
    safe_word = EncryptedCharField(_("safe word"), max_length=60, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("safe contact preference")
        verbose_name_plural = _("safe contact preferences")

    def __str__(self):
        return f"Safe contact for {self.member}"

    # When each time of day starts and ends, in the service's time zone (hours).
    HOURS = {Time.MORNING: (9, 12), Time.AFTERNOON: (12, 17), Time.EVENING: (17, 20)}

    @property
    def portal_only(self) -> bool:
        return not (self.by_email or self.by_text or self.by_phone)

    @property
    def ways_display(self) -> list[str]:
        ways = [str(_("Messages on this site"))]
        for allowed, label in (
            (self.by_email, _("Email")),
            (self.by_text, _("Text message")),
            (self.by_phone, _("Phone call")),
        ):
            if allowed:
                ways.append(str(label))
        return ways

    @property
    def days_display(self) -> list[str]:
        return [str(label) for value, label in self.Day.choices if value in self.days]

    @property
    def times_display(self) -> list[str]:
        return [str(label) for value, label in self.Time.choices if value in self.times]


class Agency(models.Model):
    """An organisation whose practitioners join families' teams. Service managers keep
    the list; a retired agency stays on the teams it was on but is offered to no one."""

    class Kind(models.TextChoices):
        SCHOOL = "school", _("School")
        EARLY_YEARS = "early_years", _("Early years")
        HEALTH_VISITING = "health_visiting", _("Health visiting")
        GP = "gp", _("GP")
        MIDWIFERY = "midwifery", _("Midwifery")
        ADULT_MENTAL_HEALTH = "adult_mental_health", _("Adult mental health")
        CAMHS = "camhs", _("Children and young people's mental health (CAMHS)")
        SUBSTANCE_MISUSE = "substance_misuse", _("Substance misuse service")
        POLICE = "police", _("Police")
        YOUTH_JUSTICE = "youth_justice", _("Youth justice")
        HOUSING = "housing", _("Housing")
        JOB_CENTRE = "job_centre", _("Job centre")
        DOMESTIC_ABUSE = "domestic_abuse", _("Domestic abuse service")
        VOLUNTARY = "voluntary", _("Voluntary sector")

    name = models.CharField(_("name"), max_length=120, unique=True)
    kind = models.CharField(_("kind of agency"), max_length=30, choices=Kind.choices)
    is_active = models.BooleanField(_("in use"), default=True)
    retired_reason = models.TextField(_("why it was retired"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("agency")
        verbose_name_plural = _("agencies")
        ordering = ["name"]

    def __str__(self):
        return self.name


def on_team_today(prefix: str = "") -> models.Q:
    """A filter for team memberships that hold today (the service's local date): started,
    not yet ended (the end date is their last day), and not removed. ``prefix`` reaches
    ``FamilyPractitioner`` from another model ("practitioners__")."""
    today = timezone.localdate()
    return models.Q(**{f"{prefix}removed_at__isnull": True, f"{prefix}starts__lte": today}) & (
        models.Q(**{f"{prefix}ends__isnull": True}) | models.Q(**{f"{prefix}ends__gte": today})
    )


class CurrentTeamManager(models.Manager["FamilyPractitioner"]):
    """Practitioners on a family's team today (``on_team_today``)."""

    def get_queryset(self) -> models.QuerySet["FamilyPractitioner"]:
        return super().get_queryset().filter(on_team_today())


class FamilyPractitioner(models.Model):
    """A partner practitioner on a family's team, for an agency, in a role, for a time.

    ``objects`` and ``family.practitioners`` find only today's team; ``everyone`` also
    finds those yet to start, those whose time has ended and those removed (kept for the
    family's history: their steps and what was shared with them point here).
    """

    family = models.ForeignKey(Family, on_delete=models.CASCADE, related_name="practitioners")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="partner_families"
    )
    agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, related_name="team_members", verbose_name=_("agency")
    )
    role = models.CharField(_("role"), max_length=120, blank=True)
    starts = models.DateField(_("start date"))
    ends = models.DateField(_("end date"), null=True, blank=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    added_at = models.DateTimeField(auto_now_add=True)
    removed_at = models.DateTimeField(_("removed from the team"), null=True, blank=True)
    removed_reason = models.TextField(_("why they were removed"), blank=True)
    removed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # When their leaving was carried through (sockets closed, notifications withdrawn), so
    # an end date that passes is carried through once by the periodic sweep.
    left_at = models.DateTimeField(null=True, blank=True)

    everyone = models.Manager()
    objects = CurrentTeamManager()

    class Meta:
        verbose_name = _("team member")
        verbose_name_plural = _("team members")
        default_manager_name = "objects"
        constraints = [
            models.UniqueConstraint(fields=["family", "user"], name="unique_family_practitioner"),
            models.CheckConstraint(
                condition=models.Q(ends__isnull=True) | models.Q(ends__gte=models.F("starts")),
                name="family_practitioner_ends_after_starts",
            ),
        ]

    def __str__(self):
        return f"{self.user} on {self.family}"

    @property
    def name_with_agency(self) -> str:
        """How their name is shown beside what they wrote ("Pat Doyle, Foleshill Primary")."""
        return f"{self.user.display_name}, {self.agency.name}"

    def is_current(self, today: date | None = None) -> bool:
        today = today or timezone.localdate()
        return (
            self.removed_at is None
            and self.starts <= today
            and (self.ends is None or self.ends >= today)
        )


class Invitation(models.Model):
    """An emailed link that lets a parent set up an account and join their family once."""

    family = models.ForeignKey(Family, on_delete=models.CASCADE, related_name="invitations")
    member = models.ForeignKey(
        FamilyMember, on_delete=models.CASCADE, null=True, blank=True, related_name="invitations"
    )
    email = models.EmailField(_("email address"))
    token_hash = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"Invitation for {self.email} to {self.family}"

    @staticmethod
    def hash_token(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()

    @property
    def is_usable(self) -> bool:
        return self.accepted_at is None and self.expires_at > timezone.now()


@functools.cache
def _verbose_names() -> dict[str, str]:
    """Each model's name in words, by class name (what an audit event records)."""
    from django.apps import apps

    return {model.__name__: str(model._meta.verbose_name) for model in apps.get_models()}


class AuditEvent(models.Model):
    """A record that a member of staff read or changed family data."""

    class Action(models.TextChoices):
        VIEW = "view", _("Viewed")
        CREATE = "create", _("Created")
        UPDATE = "update", _("Changed")
        DELETE = "delete", _("Deleted")
        INVITE = "invite", _("Invited")
        REMOVE = "remove", _("Removed")

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="audit_events"
    )
    action = models.CharField(max_length=20, choices=Action.choices)
    family = models.ForeignKey(
        Family, on_delete=models.SET_NULL, null=True, blank=True, related_name="audit_events"
    )
    object_type = models.CharField(max_length=60)
    object_id = models.CharField(max_length=40, blank=True)
    reason = models.TextField(blank=True)
    path = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["family", "-created_at"])]

    def __str__(self):
        return f"{self.actor} {self.action} {self.object_type} {self.object_id}"

    @property
    def description(self) -> str:
        """What happened, in words a manager reads ("Created a supervision note")."""
        name = str(_verbose_names().get(self.object_type, self.object_type))
        article = "an" if name[:1].lower() in "aeiou" else "a"
        verb = _("Opened") if self.action == self.Action.VIEW else self.get_action_display()
        return f"{verb} {article} {name}"


class AccessGrant(models.Model):
    """A reason a member of staff gave for opening a family outside their caseload."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="access_grants"
    )
    family = models.ForeignKey(Family, on_delete=models.CASCADE, related_name="access_grants")
    reason = models.TextField(_("reason"))
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["user", "family", "expires_at"])]

    def __str__(self):
        return f"{self.user} → {self.family} until {self.expires_at:%H:%M}"
