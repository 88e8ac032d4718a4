"""The family's journey and the team around it, on the one record."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.models import Agency, Family, FamilyMember, FamilyPractitioner


class Outcome(models.TextChoices):
    """The ten Supporting Families headline outcomes (slugs as ``portal.registry.OUTCOME_SLUGS``)."""

    EDUCATION = "education", _("Getting a good education")
    EARLY_YEARS = "early_years", _("Good early years development")
    HEALTH = "health", _("Improved mental and physical health")
    SUBSTANCE_USE = "substance_use", _("Promoting recovery and reducing harm from substance use")
    FAMILY_RELATIONSHIPS = "family_relationships", _("Improved family relationships")
    SAFE_FROM_EXPLOITATION = (
        "safe_from_exploitation",
        _("Children safe from abuse and exploitation"),
    )
    CRIME = "crime", _("Crime prevention and tackling crime")
    DOMESTIC_ABUSE = "domestic_abuse", _("Safe from domestic abuse")
    HOUSING = "housing", _("Secure housing")
    FINANCIAL_STABILITY = "financial_stability", _("Financial stability")


class RecordKind(models.Model):
    """A kind of fact agencies record about families ("school attendance for a term"),
    defined by service managers: what its value is, which outcome it speaks to, which
    agencies may record it and whether the family may see it."""

    class ValueType(models.TextChoices):
        PERCENTAGE = "percentage", _("Percentage")
        COUNT = "count", _("Count (a whole number)")
        YES_NO = "yes_no", _("Yes or no")
        MONEY = "money", _("Money (pounds and pence)")
        STATUS = "status", _("A status from a list")

    class About(models.TextChoices):
        MEMBER = "member", _("One person in the family")
        HOUSEHOLD = "household", _("The whole household")

    class Period(models.TextChoices):
        DAY = "day", _("A day (the date it happened)")
        SPAN = "span", _("A period (from one date to another, such as a school term)")

    code = models.SlugField(_("short code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=120, unique=True)
    family_label = models.CharField(
        _("name the family sees"),
        max_length=120,
        help_text=_("In plain words, for example 'Time at school'."),
    )
    value_type = models.CharField(_("kind of value"), max_length=20, choices=ValueType.choices)
    statuses = models.JSONField(_("statuses to choose from"), default=list, blank=True)
    about = models.CharField(_("about"), max_length=20, choices=About.choices, default=About.MEMBER)
    period = models.CharField(
        _("covers"), max_length=10, choices=Period.choices, default=Period.DAY
    )
    outcome = models.CharField(_("headline outcome"), max_length=30, choices=Outcome.choices)
    # ``Agency.Kind`` values whose practitioners may record it.
    agency_kinds = models.JSONField(_("agencies that may record it"), default=list)
    sensitive = models.BooleanField(
        _("sensitive for safeguarding"),
        default=False,
        help_text=_("The family never sees it, nor do other agencies."),
    )
    is_active = models.BooleanField(_("in use"), default=True)
    retired_reason = models.TextField(_("why it was retired"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("kind of agency record")
        verbose_name_plural = _("kinds of agency record")
        ordering = ["name"]

    def __str__(self):
        return self.name

    @property
    def agency_kinds_display(self) -> list[str]:
        return [str(label) for value, label in Agency.Kind.choices if value in self.agency_kinds]

    @property
    def for_member(self) -> bool:
        return self.about == self.About.MEMBER

    @property
    def is_span(self) -> bool:
        return self.period == self.Period.SPAN


class RecordImport(models.Model):
    """One CSV file of entries a practitioner uploaded for an agency: kept whether it was
    refused or saved, so every import can be traced."""

    class Status(models.TextChoices):
        PREVIEWED = "previewed", _("Checked, not saved yet")
        REFUSED = "refused", _("Refused: rows had errors")
        SAVED = "saved", _("Saved")

    kind = models.ForeignKey(RecordKind, on_delete=models.PROTECT, related_name="imports")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="record_imports")
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="record_imports"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    saved_at = models.DateTimeField(null=True, blank=True)
    file_name = models.CharField(_("file name"), max_length=200)
    # A digest of the file checked, so only that file is ever saved from the session.
    content_sha256 = models.CharField(max_length=64)
    starts = models.DateField(_("period from"))
    ends = models.DateField(_("period to"))
    row_count = models.PositiveIntegerField(_("rows"), default=0)
    error_count = models.PositiveIntegerField(_("rows with errors"), default=0)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.PREVIEWED
    )

    class Meta:
        verbose_name = _("import of agency records")
        verbose_name_plural = _("imports of agency records")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.file_name} ({self.get_status_display()})"

    def get_absolute_url(self):
        return reverse("casework:import_detail", kwargs={"import_id": self.pk})


class AgencyRecord(models.Model):
    """One fact an agency holds about a family member (or the household), for a date or
    a period. Append-only: nothing is changed or deleted; a correction is a new entry
    that points at the one it corrects, with a reason. Only ``casework.services``
    writes them."""

    family = models.ForeignKey(Family, on_delete=models.PROTECT, related_name="agency_records")
    member = models.ForeignKey(
        FamilyMember,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="agency_records",
        verbose_name=_("about"),
    )
    kind = models.ForeignKey(RecordKind, on_delete=models.PROTECT, related_name="records")
    # The value, by the kind's value type: a percentage, a count or pence in ``number``;
    # yes or no in ``flag``; a status's words in ``status``.
    number = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    flag = models.BooleanField(null=True, blank=True)
    status = models.CharField(max_length=80, blank=True)
    starts = models.DateField(_("date"))
    ends = models.DateField(_("to"), null=True, blank=True)
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="records")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="agency_records"
    )
    recorded_at = models.DateTimeField()
    note = models.TextField(_("note"), blank=True)
    corrects = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="corrected_by",
        verbose_name=_("corrects"),
    )
    correction_reason = models.TextField(_("why it was corrected"), blank=True)
    source_import = models.ForeignKey(
        RecordImport, on_delete=models.PROTECT, null=True, blank=True, related_name="records"
    )

    class Meta:
        verbose_name = _("agency record")
        verbose_name_plural = _("agency records")
        ordering = ["-starts", "-recorded_at", "-id"]
        indexes = [models.Index(fields=["family", "-starts"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends__isnull=True) | models.Q(ends__gte=models.F("starts")),
                name="agency_record_ends_after_starts",
            ),
            models.CheckConstraint(
                condition=models.Q(corrects__isnull=True) | ~models.Q(correction_reason=""),
                name="agency_record_correction_has_reason",
            ),
        ]

    def __str__(self):
        return f"{self.kind} for {self.family}: {self.value_display}"

    @property
    def value_display(self) -> str:
        kind = self.kind.value_type
        if kind == RecordKind.ValueType.YES_NO:
            return str(_("Yes") if self.flag else _("No"))
        if kind == RecordKind.ValueType.STATUS:
            return self.status
        if self.number is None:
            return ""
        if kind == RecordKind.ValueType.PERCENTAGE:
            return f"{self.number.normalize():f}%"
        if kind == RecordKind.ValueType.MONEY:
            pounds = self.number / Decimal(100)
            return f"£{pounds:,.2f}"
        return f"{int(self.number)}"

    @property
    def value_input(self) -> str:
        """The value as someone would type it again (to correct it)."""
        kind = self.kind.value_type
        if kind == RecordKind.ValueType.MONEY and self.number is not None:
            return f"{self.number / Decimal(100):.2f}"
        if kind == RecordKind.ValueType.PERCENTAGE and self.number is not None:
            return f"{self.number.normalize():f}"
        return self.value_display

    @property
    def is_correction(self) -> bool:
        return self.corrects_id is not None


class Where(models.TextChoices):
    PLACE = "place", _("In person")
    CALL = "call", _("Phone or video call")


class Meeting(models.Model):
    """A team-around-the-family meeting the key worker arranges."""

    class Status(models.TextChoices):
        ARRANGED = "arranged", _("Arranged")
        CHANGED = "changed", _("Changed")
        CANCELLED = "cancelled", _("Cancelled")
        HELD = "held", _("Held")

    family = models.ForeignKey(Family, on_delete=models.CASCADE, related_name="team_meetings")
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    where = models.CharField(_("where"), max_length=10, choices=Where.choices)
    place = models.CharField(_("the place, or how to join the call"), max_length=300, blank=True)
    arranged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ARRANGED)
    # Only the key worker and managers read these.
    staff_notes = models.TextField(_("notes for staff"), max_length=5000, blank=True)
    # What the family agreed may be written down; shown to them and everyone invited.
    family_notes = models.TextField(_("notes agreed with the family"), max_length=5000, blank=True)
    notes_agreed = models.BooleanField(_("the family agreed these notes"), default=False)
    cancel_reason = models.CharField(max_length=300, blank=True)
    # Calendar files of the same meeting carry the same UID and a rising SEQUENCE.
    sequence = models.PositiveIntegerField(default=0)
    held_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["starts_at", "id"]
        indexes = [models.Index(fields=["family", "starts_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="meeting_ends_after_start"
            )
        ]

    # Told apart from an appointment where the two are listed together.
    is_meeting = True

    def __str__(self):
        return f"Team meeting for {self.family} on {self.starts_at:%d/%m/%Y}"

    def get_absolute_url(self) -> str:
        return reverse("casework:meeting", kwargs={"meeting_id": self.pk})

    @property
    def has_started(self) -> bool:
        """Whether it is time to record who came (not before it starts)."""
        return self.starts_at <= timezone.now()

    @property
    def is_open(self) -> bool:
        return self.status in {self.Status.ARRANGED, self.Status.CHANGED}


class MeetingInvite(models.Model):
    """One person invited to a meeting: an adult of the family, a team member or the
    family's peer mentor. Whether they came is recorded after."""

    class Kind(models.TextChoices):
        FAMILY = "family", _("Family")
        TEAM = "team", _("Team")
        MENTOR = "mentor", _("Peer mentor")

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="invites")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    member = models.ForeignKey(
        FamilyMember, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    practitioner = models.ForeignKey(
        FamilyPractitioner, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    # The mentor's account (the mentor is known to casework only through peer_mentors).
    mentor_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    mentor_name = models.CharField(max_length=40, blank=True)
    attended = models.BooleanField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(kind="family", member__isnull=False, practitioner__isnull=True)
                    | Q(kind="team", practitioner__isnull=False, member__isnull=True)
                    | Q(kind="mentor", mentor_user__isnull=False, member__isnull=True)
                ),
                name="meeting_invite_names_one_person",
            ),
            models.UniqueConstraint(
                fields=["meeting", "member"],
                condition=Q(member__isnull=False),
                name="meeting_invite_member_once",
            ),
            models.UniqueConstraint(
                fields=["meeting", "practitioner"],
                condition=Q(practitioner__isnull=False),
                name="meeting_invite_practitioner_once",
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def name(self) -> str:
        if self.member is not None:
            return self.member.name
        if self.practitioner is not None:
            return self.practitioner.name_with_agency
        return str(_("%(name)s (peer mentor)") % {"name": self.mentor_name})

    @property
    def user_id_invited(self) -> int | None:
        if self.member is not None:
            return self.member.user_id
        if self.practitioner is not None:
            return self.practitioner.user_id
        return self.mentor_user_id


class MeetingAction(models.Model):
    """Something the meeting agreed: who does it and by when. It becomes a step on the
    family's plan (kept by id)."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="actions")
    text = models.CharField(_("what will happen"), max_length=300)
    who = models.CharField(_("who will do it"), max_length=20)
    member = models.ForeignKey(
        FamilyMember, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    practitioner = models.ForeignKey(
        FamilyPractitioner, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    who_label = models.CharField(max_length=200, blank=True)
    due_date = models.DateField(_("by when"), null=True, blank=True)
    goal_id = models.PositiveBigIntegerField(null=True, blank=True)
    step_id = models.PositiveBigIntegerField(null=True, blank=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "id"]

    def __str__(self):
        return self.text


class Appointment(models.Model):
    """An appointment a key worker books with a family; the family may ask their peer
    mentor to come with them."""

    class Status(models.TextChoices):
        BOOKED = "booked", _("Booked")
        CHANGED = "changed", _("Changed")
        CANCELLED = "cancelled", _("Cancelled")
        HELD = "held", _("Held")

    class MentorStatus(models.TextChoices):
        NONE = "none", _("Not asked")
        ASKED = "asked", _("Asked, waiting for an answer")
        ACCEPTED = "accepted", _("Coming")
        DECLINED = "declined", _("Cannot come")

    family = models.ForeignKey(Family, on_delete=models.CASCADE, related_name="appointments")
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    where = models.CharField(_("where"), max_length=300)
    purpose = models.CharField(_("what it is for"), max_length=300)
    coming = models.ManyToManyField(FamilyMember, related_name="+", blank=True)
    booked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.BOOKED)
    cancel_reason = models.CharField(max_length=300, blank=True)
    sequence = models.PositiveIntegerField(default=0)

    mentor_status = models.CharField(
        max_length=10, choices=MentorStatus.choices, default=MentorStatus.NONE
    )
    mentor_requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    mentor_requested_at = models.DateTimeField(null=True, blank=True)
    mentor_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    mentor_name = models.CharField(max_length=40, blank=True)
    mentor_match_id = models.PositiveBigIntegerField(null=True, blank=True)
    mentor_answered_at = models.DateTimeField(null=True, blank=True)
    mentor_reason = models.CharField(_("why not (optional)"), max_length=300, blank=True)

    came = models.ManyToManyField(FamilyMember, related_name="+", blank=True)
    mentor_came = models.BooleanField(null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["starts_at", "id"]
        indexes = [
            models.Index(fields=["family", "starts_at"]),
            models.Index(fields=["mentor_user", "starts_at"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")),
                name="appointment_ends_after_start",
            )
        ]

    is_meeting = False

    def __str__(self):
        return f"Appointment for {self.family} on {self.starts_at:%d/%m/%Y}"

    def get_absolute_url(self) -> str:
        return reverse("casework:appointment", kwargs={"appointment_id": self.pk})

    @property
    def has_started(self) -> bool:
        """Whether it is time to record who came (not before it starts)."""
        return self.starts_at <= timezone.now()

    @property
    def is_open(self) -> bool:
        return self.status in {self.Status.BOOKED, self.Status.CHANGED}

    @property
    def mentor_coming(self) -> bool:
        return self.mentor_status == self.MentorStatus.ACCEPTED


# The family's journey: referral, assessment and needs, closure, the six months after -----


class Framework(models.Model):
    """A version of the outcome framework that needs are identified against (the 2022-25
    Supporting Families framework is loaded by a migration). Managers keep it as data; one
    version is in use for new needs, and needs keep the descriptor they were recorded with."""

    name = models.CharField(_("name"), max_length=120)
    version = models.CharField(_("version"), max_length=20)
    in_use = models.BooleanField(_("in use for new needs"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("outcome framework")
        verbose_name_plural = _("outcome frameworks")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["name", "version"], name="framework_version_once"),
            models.UniqueConstraint(
                fields=["in_use"], condition=Q(in_use=True), name="one_framework_in_use"
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.version})"


class Descriptor(models.Model):
    """One need a family may have under a headline outcome ("a child's attendance is below
    90%"), in the staff's words and in plain words for the family, with the test the
    six-month check applies: a new entry of ``test_kind`` that ``breaks_when`` against
    ``threshold`` shows the need has come back."""

    class Breaks(models.TextChoices):
        ANY = "any", _("Any new entry")
        BELOW = "below", _("A value below the threshold")
        ABOVE = "above", _("A value above the threshold")
        YES = "yes", _("An entry saying yes")
        STATUS = "status", _("An entry with one of the statuses")

    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="descriptors")
    outcome = models.CharField(_("headline outcome"), max_length=30, choices=Outcome.choices)
    code = models.SlugField(_("short code"), max_length=60)
    text = models.CharField(_("descriptor"), max_length=300)
    family_text = models.CharField(_("in plain words for the family"), max_length=300)
    order = models.PositiveSmallIntegerField(default=0)
    test_kind = models.ForeignKey(
        RecordKind,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="descriptors",
        verbose_name=_("agency record that tests it"),
    )
    breaks_when = models.CharField(
        _("the need has come back when"), max_length=10, choices=Breaks.choices, blank=True
    )
    threshold = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    # For ``Breaks.STATUS``: the statuses (of ``test_kind.statuses``) that break it.
    breaking_statuses = models.JSONField(default=list, blank=True)

    class Meta:
        verbose_name = _("need descriptor")
        verbose_name_plural = _("need descriptors")
        ordering = ["framework", "outcome", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["framework", "code"], name="descriptor_code_once")
        ]

    def __str__(self):
        return self.text


class CaseworkSettings(models.Model):
    """Choices service managers make for the whole service (one row, ``load``)."""

    read_access_days = models.PositiveSmallIntegerField(
        _("days a closed family can still read its plan"), default=90
    )
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("casework settings")
        verbose_name_plural = _("casework settings")

    def __str__(self):
        return str(_("Casework settings"))

    @classmethod
    def load(cls) -> CaseworkSettings:
        found, _created = cls.objects.get_or_create(pk=1)
        return found


class Referral(models.Model):
    """Someone asking for early help for a family: a partner practitioner, or the family
    itself from the public site. What the referrer wrote is kept as they wrote it; a
    service manager links it to a family already known or opens a new one, and decides."""

    class Source(models.TextChoices):
        PARTNER = "partner", _("A practitioner")
        FAMILY = "family", _("The family asked for help")

    class Status(models.TextChoices):
        NEW = "new", _("Waiting for a decision")
        ACCEPTED = "accepted", _("Accepted for early help")
        SIGNPOSTED = "signposted", _("Signposted to another service")
        SOCIAL_CARE = "social_care", _("Passed to children's social care")

    source = models.CharField(max_length=10, choices=Source.choices)
    referred_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="referrals_made",
    )
    referrer_agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, null=True, blank=True, related_name="referrals"
    )
    # For the family asking for themselves: who to reply to, and how it is safe to.
    contact_name = models.CharField(_("your name"), max_length=80, blank=True)
    contact_email = models.EmailField(_("email address"), blank=True)
    contact_phone = models.CharField(_("phone number"), max_length=40, blank=True)
    safe_contact = models.TextField(_("how and when it is safe to contact you"), blank=True)
    # The ways they said are safe (as ``portal.models.SafeContact``): nothing is emailed
    # to someone who did not say email is safe.
    contact_by_email = models.BooleanField(_("email is safe"), default=False)
    contact_by_phone = models.BooleanField(_("a phone call is safe"), default=False)
    contact_by_text = models.BooleanField(_("a text message is safe"), default=False)

    surname = models.CharField(_("family's surname"), max_length=80)
    postcode = models.CharField(_("postcode"), max_length=10)
    # [{"name": ..., "relationship": FamilyMember.Relationship, "date_of_birth": "YYYY-MM-DD"}]
    people = models.JSONField(_("who is in the family"), default=list)
    worries = models.TextField(_("what worries you"), max_length=5000)
    outcomes = models.JSONField(_("headline outcomes"), default=list)  # Outcome values
    consent = models.BooleanField(_("the family agreed to this referral"), default=False)
    no_consent_reason = models.TextField(
        _("the safeguarding reason for referring without agreement"), blank=True
    )
    created_at = models.DateTimeField(default=timezone.now)

    status = models.CharField(max_length=12, choices=Status.choices, default=Status.NEW)
    family = models.ForeignKey(
        Family, on_delete=models.PROTECT, null=True, blank=True, related_name="referrals"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    # What the referrer is told beside the outcome (never the family's details).
    decision_note = models.TextField(_("note for the referrer"), blank=True)
    signposted_service_id = models.PositiveBigIntegerField(null=True, blank=True)
    signposted_service_name = models.CharField(max_length=200, blank=True)
    # Inside 12 months of the family's last closure: counted as a re-referral.
    is_rereferral = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("referral")
        verbose_name_plural = _("referrals")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "-created_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(consent=True) | ~Q(no_consent_reason=""),
                name="referral_consent_or_reason",
            )
        ]

    def __str__(self):
        return f"Referral of the {self.surname} family ({self.get_status_display()})"

    def get_absolute_url(self) -> str:
        return reverse("casework:referral", kwargs={"referral_id": self.pk})


class Episode(models.Model):
    """One time the service works with a family, from the referral accepted to closure or
    step-down. A family re-referred opens another; one inside 12 months of the last
    closure is a re-referral."""

    class Reason(models.TextChoices):
        ACHIEVED = "achieved", _("The plan was achieved")
        STEPPED_DOWN = "stepped_down", _("Stepped down to universal or targeted services")
        STEPPED_UP = "stepped_up", _("Stepped up to children's social care")
        MOVED = "moved", _("The family moved away")
        WITHDREW = "withdrew", _("The family chose to stop")

    family = models.ForeignKey(Family, on_delete=models.PROTECT, related_name="episodes")
    referral = models.OneToOneField(
        Referral, on_delete=models.PROTECT, null=True, blank=True, related_name="episode"
    )
    opened_on = models.DateField(_("opened"))
    is_rereferral = models.BooleanField(default=False)
    closed_on = models.DateField(_("closed"), null=True, blank=True)
    closure_reason = models.CharField(
        _("why the work ended"), max_length=20, choices=Reason.choices, blank=True
    )
    closing_summary = models.TextField(_("closing summary for the family"), blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Stepping up: the social care referral made (its reference, the date and to whom).
    social_care_referral = models.TextField(_("the social care referral"), blank=True)
    # Until then the family can still read its plan.
    read_access_until = models.DateField(null=True, blank=True)

    class Meta:
        verbose_name = _("episode of early help")
        verbose_name_plural = _("episodes of early help")
        ordering = ["-opened_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["family"],
                condition=Q(closed_on__isnull=True),
                name="one_open_episode_per_family",
            )
        ]

    def __str__(self):
        return f"{self.family} from {self.opened_on:%d/%m/%Y}"

    @property
    def is_open(self) -> bool:
        return self.closed_on is None


class Assessment(models.Model):
    """The whole-family assessment for an episode, done with the family: who it covered."""

    episode = models.OneToOneField(Episode, on_delete=models.CASCADE, related_name="assessment")
    family = models.ForeignKey(Family, on_delete=models.CASCADE, related_name="assessments")
    members = models.ManyToManyField(FamilyMember, related_name="+", verbose_name=_("covered"))
    assessed_on = models.DateField(_("date of the assessment"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    summary = models.TextField(_("what the family told us"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("whole-family assessment")
        verbose_name_plural = _("whole-family assessments")

    def __str__(self):
        return f"Assessment of {self.family} on {self.assessed_on:%d/%m/%Y}"


class Need(models.Model):
    """A need the assessment identified: for a member (or the household), under a headline
    outcome, by a descriptor of the framework, with a baseline. At closure the key worker
    says whether it was met; the six-month check then marks it sustained or broken."""

    class Sustained(models.TextChoices):
        WAITING = "waiting", _("Being checked")
        SUSTAINED = "sustained", _("Sustained for six months")
        BROKEN = "broken", _("Not sustained")

    episode = models.ForeignKey(Episode, on_delete=models.CASCADE, related_name="needs")
    family = models.ForeignKey(Family, on_delete=models.CASCADE, related_name="needs")
    member = models.ForeignKey(
        FamilyMember,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="needs",
        verbose_name=_("who"),
    )
    descriptor = models.ForeignKey(Descriptor, on_delete=models.PROTECT, related_name="needs")
    # Copied from the descriptor so reports group by it in one table.
    outcome = models.CharField(max_length=30, choices=Outcome.choices)
    identified_on = models.DateField(_("date identified"))
    raised_by = models.ForeignKey(
        Agency,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="needs_raised",
        verbose_name=_("agency that raised it"),
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    # The baseline: an agency record, or a rating from 1 (worst) to 10 (best).
    baseline_record = models.ForeignKey(
        AgencyRecord, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    baseline_rating = models.PositiveSmallIntegerField(null=True, blank=True)
    note = models.TextField(_("note for staff"), blank=True)
    # Where the family disagree, in their words.
    family_view = models.TextField(_("what the family say"), blank=True)
    family_view_by = models.ForeignKey(
        FamilyMember, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    family_view_at = models.DateTimeField(null=True, blank=True)
    # A need taken off before closure (wrongly recorded, say), with why: kept for the counts.
    removed_at = models.DateTimeField(null=True, blank=True)
    removed_reason = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    met_at_closure = models.BooleanField(null=True, blank=True)
    sustained = models.CharField(max_length=10, choices=Sustained.choices, blank=True)
    sustained_on = models.DateField(null=True, blank=True)
    broken_by = models.ForeignKey(
        AgencyRecord, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    checked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("need")
        verbose_name_plural = _("needs")
        ordering = ["identified_on", "id"]
        indexes = [
            models.Index(fields=["family", "episode"]),
            models.Index(fields=["sustained", "episode"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(baseline_rating__isnull=True)
                | Q(baseline_rating__gte=1, baseline_rating__lte=10),
                name="need_baseline_rating_1_to_10",
            )
        ]

    def __str__(self):
        return str(self.descriptor)


class NeedGoal(models.Model):
    """A plan goal that addresses a need (the goal kept by id: casework reads plans only
    through its selectors). Every need has at least one before the plan can be agreed."""

    need = models.ForeignKey(Need, on_delete=models.CASCADE, related_name="goals")
    goal_id = models.PositiveBigIntegerField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["need", "goal_id"], name="need_goal_once")]

    def __str__(self):
        return f"Goal {self.goal_id} for {self.need}"


class FollowUp(models.Model):
    """The short "how are things now" question a family is asked three and six months
    after closure, and their answer."""

    class Answer(models.TextChoices):
        BETTER = "better", _("Better")
        SAME = "same", _("About the same")
        WORSE = "worse", _("Worse")

    episode = models.ForeignKey(Episode, on_delete=models.CASCADE, related_name="follow_ups")
    months = models.PositiveSmallIntegerField()  # 3 or 6
    asked_at = models.DateTimeField()
    answer = models.CharField(max_length=10, choices=Answer.choices, blank=True)
    words = models.TextField(_("anything you want to tell us"), max_length=2000, blank=True)
    answered_by = models.ForeignKey(
        FamilyMember, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["episode", "months"]
        constraints = [models.UniqueConstraint(fields=["episode", "months"], name="follow_up_once")]

    def __str__(self):
        return f"{self.months}-month question for {self.episode}"


class ChronologyEntry(models.Model):
    """An event a practitioner adds to the family's chronology by hand (a phone call, a
    visit, a worry); the rest of the chronology is read from the records themselves."""

    family = models.ForeignKey(Family, on_delete=models.CASCADE, related_name="chronology")
    member = models.ForeignKey(
        FamilyMember,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("about"),
    )
    happened_on = models.DateField(_("when it happened"))
    title = models.CharField(_("what happened"), max_length=200)
    detail = models.TextField(_("more detail"), max_length=5000, blank=True)
    written_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("chronology entry")
        verbose_name_plural = _("chronology entries")
        ordering = ["-happened_on", "-id"]
        indexes = [models.Index(fields=["family", "-happened_on"])]

    def __str__(self):
        return self.title
