"""Family plans: the family's own words, the steps they take, reviews and agreement."""

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from portal.models import Agency, Family, FamilyMember, FamilyPractitioner

TITLE_MAX = 200
TEXT_MAX = 2000
SECTION_MAX = 4000
STEP_MAX = 300


class OutcomeArea(models.Model):
    """A national Supporting Families headline outcome. Managers edit the list."""

    slug = models.SlugField(_("short name"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=120)
    description = models.TextField(_("description"), blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    active = models.BooleanField(_("in use"), default=True)

    class Meta:
        ordering = ["order", "name"]
        verbose_name = _("outcome area")
        verbose_name_plural = _("outcome areas")

    def __str__(self):
        return self.name


class JargonTerm(models.Model):
    """A word staff should avoid when writing for families, with a plainer choice."""

    term = models.CharField(_("word or phrase"), max_length=80)
    alternative = models.CharField(_("plainer words"), max_length=200)
    active = models.BooleanField(_("in use"), default=True)

    class Meta:
        ordering = ["term"]
        verbose_name = _("jargon word")
        verbose_name_plural = _("jargon words")
        constraints = [models.UniqueConstraint(Lower("term"), name="jargon_term_ci_unique")]

    def __str__(self):
        return self.term


class Who(models.TextChoices):
    """Who does a step."""

    MEMBER = "member", _("Someone in the family")
    MENTOR = "mentor", _("Our peer mentor")
    KEY_WORKER = "key_worker", _("Our key worker")
    PARTNER = "partner", _("A worker from another service")
    OTHER = "other", _("Other people")


class InterventionTemplate(models.Model):
    """An idea that has helped other families, for a family to copy and rewrite as a step.

    Anyone on a family's team may propose one, for their agency (none: the service's own);
    a service manager approves it into the library or retires it with a reason. Only
    approved ideas are offered to families."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Waiting for a manager")
        APPROVED = "approved", _("In the library")
        RETIRED = "retired", _("Retired")

    title = models.CharField(_("name"), max_length=120)
    summary = models.TextField(_("what it is"), max_length=1000)
    step_text = models.CharField(_("a step a family might take"), max_length=STEP_MAX)
    who = models.CharField(_("usually done by"), max_length=20, choices=Who.choices)
    provider = models.CharField(_("who runs it"), max_length=120, blank=True)
    outcome_areas = models.ManyToManyField(
        OutcomeArea, blank=True, related_name="templates", verbose_name=_("outcome areas")
    )
    # The agency whose idea it is; empty for the early help service's own.
    agency = models.ForeignKey(
        Agency,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("agency"),
    )
    # Local services from the directory that deliver it, by id (``content.selectors``
    # reads them; a service taken out of the directory is simply not shown).
    service_ids = models.JSONField(_("local services that deliver it"), default=list, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PROPOSED)
    # Whoever proposed it (or, for the service's own, added it).
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True, null=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    # Why it was approved (optional) or retired (required).
    review_reason = models.TextField(_("reason"), blank=True, max_length=TEXT_MAX)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["title", "id"]
        verbose_name = _("intervention template")
        verbose_name_plural = _("intervention templates")
        indexes = [models.Index(fields=["status", "title"])]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="retired") | ~Q(review_reason=""),
                name="retired_template_has_reason",
            )
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("plans:template", kwargs={"template_id": self.pk})

    @property
    def is_approved(self) -> bool:
        return self.status == self.Status.APPROVED

    @property
    def agency_label(self) -> str:
        return self.agency.name if self.agency is not None else str(_("The early help service"))


class Plan(models.Model):
    """A family's one current plan. Agreed versions are kept as ``PlanVersion``."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        AGREED = "agreed", _("Agreed")
        CHANGED = "changed", _("Changed since it was agreed")

    family = models.OneToOneField(Family, on_delete=models.CASCADE, related_name="plan")
    strengths = models.TextField(_("What is going well"), blank=True, max_length=SECTION_MAX)
    worries = models.TextField(_("What we are worried about"), blank=True, max_length=SECTION_MAX)
    # Guards the two text sections against two people saving over each other.
    about_version = models.PositiveIntegerField(default=1)
    # Goes up whenever the words of the plan change, so agreement is to exact words.
    revision = models.PositiveIntegerField(default=1)
    agreed_revision = models.PositiveIntegerField(null=True, blank=True)
    agreed_at = models.DateTimeField(null=True, blank=True)
    signatories = models.ManyToManyField(
        FamilyMember, blank=True, related_name="+", verbose_name=_("who agrees the plan")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    # Annotated by plans.selectors (``_plan_state``) for the plan page and dashboard.
    next_review_date: "datetime.date | None"
    i_sign: bool
    i_agreed: bool
    # And by ``parent_next_steps`` for the dashboard.
    has_goals: bool
    open_suggestions: int
    # And the adult's own private worries (``_plan_with_state``).
    my_worry_text: str
    my_worry_version: int | None

    class Meta:
        verbose_name = _("family plan")
        verbose_name_plural = _("family plans")

    def __str__(self):
        return f"Plan for {self.family}"

    def get_absolute_url(self):
        return reverse("plans:family_plan", kwargs={"family_id": self.family_id})

    @property
    def status(self) -> str:
        if self.agreed_revision is None:
            return self.Status.DRAFT
        if self.agreed_revision == self.revision:
            return self.Status.AGREED
        return self.Status.CHANGED

    def get_status_display(self):
        return self.Status(self.status).label


class Goal(models.Model):
    """Something the family wants to change, in the family's own words."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="goals")
    title = models.CharField(_("What we want to change"), max_length=TITLE_MAX)
    details = models.TextField(_("How we will change"), blank=True, max_length=TEXT_MAX)
    how_we_know = models.TextField(
        _("How we will know it has worked"), blank=True, max_length=TEXT_MAX
    )
    outcome_areas = models.ManyToManyField(
        OutcomeArea, blank=True, related_name="goals", verbose_name=_("what this is about")
    )
    order = models.PositiveIntegerField(default=0)
    version = models.PositiveIntegerField(default=1)
    # The adult who keeps this goal to themselves and the key worker (``plans.access``).
    # Deleting their row deletes it: it must never fall back to the whole family.
    private_to = models.ForeignKey(
        FamilyMember, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    # Set by the form that created it, so an autosave and a submit make one goal, not two.
    draft_key = models.CharField(max_length=40, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    archived_at = models.DateTimeField(null=True, blank=True)

    # Set by plans.selectors for the plan page (prefetched lists), never stored.
    area_list: list[OutcomeArea]
    goal_comments: list["Comment"]
    goal_updates: list["Comment"]
    open_suggestions: list["Suggestion"]
    rating_list: list["GoalRating"]
    step_list: list["Step"]

    class Meta:
        ordering = ["order", "id"]
        indexes = [models.Index(fields=["plan", "archived_at", "order"])]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "draft_key"],
                condition=~Q(draft_key=""),
                name="one_goal_per_draft",
            )
        ]

    def __str__(self):
        return self.title


class Step(models.Model):
    """Who does what, by when, towards a goal."""

    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="steps")
    text = models.CharField(_("What will happen"), max_length=STEP_MAX)
    who = models.CharField(_("Who will do it"), max_length=20, choices=Who.choices)
    member = models.ForeignKey(
        FamilyMember, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    practitioner = models.ForeignKey(
        FamilyPractitioner, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    other_people = models.CharField(_("Who are the other people"), max_length=120, blank=True)
    due_date = models.DateField(_("By when"), null=True, blank=True)
    done_at = models.DateTimeField(null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # The agency a partner ticked it off for, as ``Comment.author_agency``.
    done_by_agency = models.CharField(max_length=120, blank=True)
    template = models.ForeignKey(
        InterventionTemplate, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    order = models.PositiveIntegerField(default=0)
    version = models.PositiveIntegerField(default=1)
    # As ``Goal.private_to``; a step on a private goal is private with it.
    private_to = models.ForeignKey(
        FamilyMember, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    draft_key = models.CharField(max_length=40, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    # Set by plans.selectors on a goal's own page: whether the person may tick it off.
    can_tick: bool

    class Meta:
        ordering = ["order", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["goal", "draft_key"],
                condition=~Q(draft_key=""),
                name="one_step_per_draft",
            )
        ]

    def __str__(self):
        return self.text

    @property
    def who_label(self) -> str:
        if self.who == Who.MEMBER and self.member is not None:
            return self.member.name
        if self.who == Who.PARTNER and self.practitioner is not None:
            return self.practitioner.name_with_agency
        if self.who == Who.OTHER and self.other_people:
            return self.other_people
        return str(Who(self.who).label)

    @property
    def done_by_label(self) -> str:
        """Who ticked it off, with their agency if a partner did ("Pat Doyle, Foleshill
        Primary School"); empty if no one we can name."""
        if self.done_by is None:
            return ""
        name = self.done_by.display_name
        return f"{name}, {self.done_by_agency}" if self.done_by_agency else name


class PrivateWorry(models.Model):
    """What one adult is worried about that only they and the key worker read."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="private_worries")
    member = models.ForeignKey(FamilyMember, on_delete=models.CASCADE, related_name="+")
    text = models.TextField(_("What I am worried about"), blank=True, max_length=SECTION_MAX)
    # Guards against two saves crossing (the autosave and a submit, say).
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["member_id"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "member"], name="one_private_worry_per_adult")
        ]

    def __str__(self):
        return f"Private words of {self.member_id}"


class Suggestion(models.Model):
    """A goal or step staff put forward. It stays a suggestion until the family decides."""

    class Kind(models.TextChoices):
        GOAL = "goal", _("A goal")
        STEP = "step", _("A step")

    class Status(models.TextChoices):
        OPEN = "open", _("Waiting for the family")
        ACCEPTED = "accepted", _("Added as it was")
        REWRITTEN = "rewritten", _("Added in the family's words")
        DECLINED = "declined", _("Not for us")

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="suggestions")
    goal = models.ForeignKey(
        Goal, on_delete=models.CASCADE, null=True, blank=True, related_name="suggestions"
    )
    kind = models.CharField(max_length=10, choices=Kind.choices)
    text = models.CharField(_("Suggestion"), max_length=STEP_MAX)
    template = models.ForeignKey(
        InterventionTemplate, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    # The agency a partner practitioner suggested it for, as ``Comment.author_agency``.
    author_agency = models.CharField(max_length=120, blank=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.OPEN)
    # For one adult alone (and a step for a private goal is its adult's): as ``Goal.private_to``.
    private_to = models.ForeignKey(
        FamilyMember, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="goal") | Q(goal__isnull=False), name="step_suggestion_has_goal"
            )
        ]

    def __str__(self):
        return self.text

    @property
    def author_label(self) -> str:
        name = self.author.display_name if self.author else str(_("Someone who has left"))
        return f"{name}, {self.author_agency}" if self.author_agency else name


class Comment(models.Model):
    """A comment on the plan or a goal; from a partner, perhaps an update on what they did."""

    class Kind(models.TextChoices):
        COMMENT = "comment", _("Comment")
        UPDATE = "update", _("Update")

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="comments")
    goal = models.ForeignKey(
        Goal, on_delete=models.CASCADE, null=True, blank=True, related_name="comments"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    # The agency a partner practitioner wrote for, as it was named then, shown beside
    # their name ("Pat Doyle, Foleshill Primary School"); empty for everyone else.
    author_agency = models.CharField(max_length=120, blank=True)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.COMMENT)
    text = models.TextField(_("Comment"), max_length=TEXT_MAX)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self):
        return self.text[:40]

    @property
    def author_label(self) -> str:
        name = self.author.display_name if self.author else str(_("Someone who has left"))
        return f"{name}, {self.author_agency}" if self.author_agency else name

    @property
    def is_update(self) -> bool:
        return self.kind == self.Kind.UPDATE


class GoalShare(models.Model):
    """The family's consent for someone outside the family and key worker to see a goal."""

    class Audience(models.TextChoices):
        MENTOR = "mentor", _("Our peer mentor")
        PARTNER = "partner", _("A named practitioner")

    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="shares")
    audience = models.CharField(max_length=10, choices=Audience.choices)
    practitioner = models.ForeignKey(
        FamilyPractitioner, on_delete=models.CASCADE, null=True, blank=True, related_name="shares"
    )
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    granted_at = models.DateTimeField()
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-granted_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(audience="mentor", practitioner__isnull=True)
                | Q(audience="partner", practitioner__isnull=False),
                name="goalshare_audience_matches_practitioner",
            ),
            models.UniqueConstraint(
                fields=["goal"],
                condition=Q(audience="mentor", withdrawn_at__isnull=True),
                name="one_live_mentor_share_per_goal",
            ),
            models.UniqueConstraint(
                fields=["goal", "practitioner"],
                condition=Q(audience="partner", withdrawn_at__isnull=True),
                name="one_live_partner_share_per_goal",
            ),
        ]

    def __str__(self):
        return f"{self.goal_id} → {self.audience}"


class PlanConfirmation(models.Model):
    """Someone confirmed the plan's words as they stood at ``revision``."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="confirmations")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    revision = models.PositiveIntegerField()
    confirmed_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "user", "revision"], name="one_confirmation_per_revision"
            )
        ]

    def __str__(self):
        return f"{self.user} agreed revision {self.revision}"


class PlanVersion(models.Model):
    """A copy of the plan's words at the moment everyone agreed them."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    snapshot = models.JSONField()
    agreed_by = models.CharField(max_length=400)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="unique_plan_version_number")
        ]

    def __str__(self):
        return f"Version {self.number}"


class Review(models.Model):
    """A date agreed with the key worker to look at how things are going."""

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("Coming up")
        DONE = "done", _("Done")

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="reviews")
    date = models.DateField(_("Review date"))
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.SCHEDULED)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    reminder_sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["date", "id"]
        indexes = [models.Index(fields=["plan", "status", "date"])]

    def __str__(self):
        return f"Review on {self.date:%d/%m/%Y}"


class GoalRating(models.Model):
    """'How are things going?' from 1 to 10, by the family, the key worker or a partner
    on the family's team (each partner their own, for a goal shared with them)."""

    class By(models.TextChoices):
        FAMILY = "family", _("The family")
        KEY_WORKER = "key_worker", _("The key worker")
        PARTNER = "partner", _("A worker from another service")

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="ratings")
    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="ratings")
    by = models.CharField(max_length=12, choices=By.choices)
    score = models.PositiveSmallIntegerField(_("Rating"))
    note = models.TextField(_("Note"), blank=True, max_length=TEXT_MAX)
    rated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    # The agency a partner rated for, as ``Comment.author_agency``.
    rated_by_agency = models.CharField(max_length=120, blank=True)
    created_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["review", "goal", "by"],
                condition=~Q(by="partner"),
                name="one_rating_per_rater",
            ),
            models.UniqueConstraint(
                fields=["review", "goal", "rated_by"],
                condition=Q(by="partner"),
                name="one_rating_per_partner",
            ),
            models.CheckConstraint(
                condition=Q(score__gte=1, score__lte=10), name="rating_between_1_and_10"
            ),
        ]

    def __str__(self):
        return f"{self.score}/10"

    @property
    def rater_label(self) -> str:
        name = self.rated_by.display_name if self.rated_by else str(_("Someone who has left"))
        return f"{name}, {self.rated_by_agency}" if self.rated_by_agency else name
