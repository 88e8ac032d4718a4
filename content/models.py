"""Wagtail pages and snippets that families read, and the bookings they make.

Pages: home, resource index and resources, session index and session series (with their
dates as occurrences). Snippets: venues, local services and their taxonomy. Bookings
belong to a family member and are only written through ``content.services``.
"""

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from wagtail.admin.forms import WagtailAdminModelForm, WagtailAdminPageForm
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.fields import RichTextField, StreamField
from wagtail.models import AbstractGroupApprovalTask, Orderable, Page, TaskState
from wagtail.search import index
from wagtail.search.queryset import SearchableQuerySetMixin

from portal.models import FamilyMember

from .blocks import BaseStreamBlock
from .plain_english import PlainEnglishPanel
from .validators import validate_uk_phone

# Pages ---------------------------------------------------------------------------------


class OneKindOfChildMixin:
    """For a page whose children are all of one kind: find the child a URL names in one
    query, as that kind of page, where Wagtail's own routing makes two (the page, then
    its specific row)."""

    def route(self, request, path_components):
        (model,) = self.allowed_subpage_models()
        if not path_components:
            return super().route(request, path_components)
        try:
            child = model.objects.child_of(self).get(slug=path_components[0])
        except model.DoesNotExist as error:
            raise Http404 from error
        child._cached_parent_obj = self  # as Wagtail does: no query for the parent
        return child.route(request, path_components[1:])


class HomePage(Page):
    """The front page of the site."""

    intro = models.CharField(_("introduction"), max_length=300, blank=True)
    body = RichTextField(_("body"), blank=True, features=["h2", "h3", "bold", "link", "ol", "ul"])

    content_panels = [
        *Page.content_panels,
        FieldPanel("intro"),
        FieldPanel("body"),
        PlainEnglishPanel(heading=_("Plain English check")),
    ]

    parent_page_types = ["wagtailcore.Page"]
    subpage_types = ["content.ResourceIndexPage", "content.SessionIndexPage"]
    max_count = 1

    class Meta:
        verbose_name = _("home page")

    def get_context(self, request, *args, **kwargs):
        from . import selectors

        context = super().get_context(request, *args, **kwargs)
        context["for_dads"] = selectors.for_dads(user=request.user)
        context["sections"] = selectors.home_sections()
        return context


class ResourceIndexPage(OneKindOfChildMixin, Page):
    """Help and advice: a list of guides, how-tos and family stories."""

    intro = models.CharField(_("introduction"), max_length=300, blank=True)

    content_panels = [
        *Page.content_panels,
        FieldPanel("intro"),
        PlainEnglishPanel(heading=_("Plain English check")),
    ]
    parent_page_types = ["content.HomePage"]
    subpage_types = ["content.ResourcePage"]

    class Meta:
        verbose_name = _("resource index")

    def get_context(self, request, *args, **kwargs):
        from . import selectors
        from .forms import ResourceFilterForm

        context = super().get_context(request, *args, **kwargs)
        form = ResourceFilterForm(request.GET or None)
        kind = for_dads = None
        if form.is_valid():
            kind = form.cleaned_data["kind"] or None
            for_dads = form.cleaned_data["for_dads"] or None
        context["filter_form"] = form
        context["resources"] = selectors.resource_list(index=self, kind=kind, for_dads=for_dads)
        return context


class ResourcePage(Page):
    """A guide, a how-to or a family's story (shared only with their consent)."""

    class Kind(models.TextChoices):
        GUIDE = "guide", _("Guide")
        HOW_TO = "how_to", _("How to")
        STORY = "story", _("Family story")

    kind = models.CharField(_("kind of page"), max_length=20, choices=Kind.choices)
    summary = models.CharField(
        _("summary"),
        max_length=300,
        help_text=_("One or two short sentences for lists and search."),
    )
    body = StreamField(BaseStreamBlock(), verbose_name=_("body"))
    for_dads = models.BooleanField(
        _("for dads"), default=False, help_text=_("Show this to fathers as something for them.")
    )
    consent_given = models.BooleanField(
        _("the family agreed to share this story"),
        default=False,
        help_text=_("Family stories can only be published when the family has agreed."),
    )
    consent_note = models.CharField(
        _("how and when they agreed"),
        max_length=200,
        blank=True,
        help_text=_("For example: signed consent form, 3 March 2026. Families do not see this."),
    )

    content_panels = [
        *Page.content_panels,
        FieldPanel("kind"),
        FieldPanel("summary"),
        FieldPanel("for_dads"),
        MultiFieldPanel(
            [FieldPanel("consent_given"), FieldPanel("consent_note")],
            heading=_("Family stories: consent"),
        ),
        FieldPanel("body"),
        PlainEnglishPanel(heading=_("Plain English check")),
    ]
    search_fields = [
        *Page.search_fields,
        index.SearchField("summary"),
        index.SearchField("body"),
        index.FilterField("kind"),
        index.FilterField("for_dads"),
    ]
    parent_page_types = ["content.ResourceIndexPage"]
    subpage_types: list = []

    class Meta:
        verbose_name = _("resource")

    def clean(self):
        super().clean()
        if self.kind == self.Kind.STORY and not self.consent_given:
            raise ValidationError(
                {"consent_given": _("Confirm the family agreed to share their story.")}
            )


class SessionIndexPage(OneKindOfChildMixin, Page):
    """Groups and sessions families can book."""

    intro = models.CharField(_("introduction"), max_length=300, blank=True)

    content_panels = [
        *Page.content_panels,
        FieldPanel("intro"),
        PlainEnglishPanel(heading=_("Plain English check")),
    ]
    parent_page_types = ["content.HomePage"]
    subpage_types = ["content.SessionSeriesPage"]

    class Meta:
        verbose_name = _("session index")

    def get_context(self, request, *args, **kwargs):
        from . import selectors
        from .forms import SessionFilterForm

        context = super().get_context(request, *args, **kwargs)
        form = SessionFilterForm(request.GET or None)
        for_dads = children_welcome = None
        if form.is_valid():
            for_dads = form.cleaned_data["for_dads"] or None
            children_welcome = form.cleaned_data["children_welcome"] or None
        context["filter_form"] = form
        context["series_list"] = selectors.session_series_list(
            index=self, for_dads=for_dads, children_welcome=children_welcome
        )
        return context


class SessionSeriesForm(WagtailAdminPageForm):
    """A series must have at least one date, and dates with bookings cannot be removed."""

    def clean(self):
        cleaned = super().clean()
        formset = self.formsets.get("occurrences")
        if formset is None or not formset.is_valid():
            return cleaned
        kept = [
            f
            for f in formset.forms
            if f.cleaned_data
            and not f.cleaned_data.get("DELETE")
            and f.cleaned_data.get("starts_at")
        ]
        if not kept:
            self.add_error(None, _("Add at least one date and time for this session."))
        for form in formset.forms:
            instance = form.instance
            if (
                form.cleaned_data.get("DELETE")
                and instance.pk
                and Booking.objects.filter(occurrence_id=instance.pk).active().exists()
            ):
                self.add_error(
                    None,
                    _("A date you removed has bookings. Cancel the bookings before removing it."),
                )
        return cleaned


class SessionSeriesPage(Page):
    """A group that meets on one or more dates, such as a Saturday dads' group."""

    audience = models.CharField(
        _("who it is for"), max_length=200, help_text=_("For example: dads and male carers.")
    )
    summary = models.CharField(_("summary"), max_length=300)
    what_happens = StreamField(BaseStreamBlock(), verbose_name=_("what happens"))
    facilitator = models.CharField(_("who runs it"), max_length=120)
    venue = models.ForeignKey(
        "content.Venue", on_delete=models.PROTECT, related_name="series", verbose_name=_("venue")
    )
    capacity = models.PositiveSmallIntegerField(
        _("places at each session"),
        validators=[MinValueValidator(1), MaxValueValidator(500)],
        help_text=_("Everyone counts, including children who come."),
    )
    children_welcome = models.BooleanField(_("children can come"), default=False)
    for_dads = models.BooleanField(_("for dads"), default=False)
    booking_open = models.BooleanField(_("people can book"), default=True)

    base_form_class = SessionSeriesForm
    content_panels = [
        *Page.content_panels,
        FieldPanel("summary"),
        FieldPanel("audience"),
        FieldRowPanel([FieldPanel("for_dads"), FieldPanel("children_welcome")]),
        FieldPanel("what_happens"),
        FieldPanel("facilitator"),
        FieldPanel("venue"),
        FieldRowPanel([FieldPanel("capacity"), FieldPanel("booking_open")]),
        InlinePanel("occurrences", label=_("Dates and times"), heading=_("Dates and times")),
        PlainEnglishPanel(heading=_("Plain English check")),
    ]
    search_fields = [
        *Page.search_fields,
        index.SearchField("summary"),
        index.SearchField("audience"),
        index.SearchField("what_happens"),
        index.SearchField("facilitator"),
        index.FilterField("for_dads"),
    ]
    parent_page_types = ["content.SessionIndexPage"]
    subpage_types: list = []

    class Meta:
        verbose_name = _("session series")
        verbose_name_plural = _("session series")

    def get_context(self, request, *args, **kwargs):
        from . import selectors

        context = super().get_context(request, *args, **kwargs)
        context["occurrences"] = selectors.upcoming_occurrences_for_booking(
            series=self, user=request.user
        )
        return context


class SessionOccurrence(Orderable):
    """One date and time of a session series."""

    series = ParentalKey(SessionSeriesPage, on_delete=models.CASCADE, related_name="occurrences")
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    note = models.CharField(
        _("note for this date"),
        max_length=200,
        blank=True,
        help_text=_("For example: in the garden."),
    )

    panels = [FieldRowPanel([FieldPanel("starts_at"), FieldPanel("ends_at")]), FieldPanel("note")]

    class Meta(Orderable.Meta):
        verbose_name = _("date and time")
        verbose_name_plural = _("dates and times")
        ordering = ["starts_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="occurrence_ends_after_start"
            )
        ]
        indexes = [models.Index(fields=["series", "starts_at"])]

    def __str__(self):
        start = timezone.localtime(self.starts_at)
        return f"{self.series.title}, {start:%-d %B %Y %H:%M}"

    def clean(self):
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            raise ValidationError({"ends_at": _("The end time must be after the start time.")})

    @property
    def is_past(self) -> bool:
        return self.starts_at <= timezone.now()


# Snippets ------------------------------------------------------------------------------


class Venue(index.Indexed, models.Model):
    """Where sessions happen, with what a family needs to know to get in."""

    name = models.CharField(_("name"), max_length=120)
    address = models.TextField(_("address"))
    postcode = models.CharField(_("postcode"), max_length=10)
    access_information = models.TextField(
        _("access information"),
        help_text=_("Step-free access, toilets, parking, buses, quiet room, hearing loop."),
    )

    panels = [
        FieldPanel("name"),
        FieldPanel("address"),
        FieldPanel("postcode"),
        FieldPanel("access_information"),
    ]
    search_fields = [index.SearchField("name"), index.AutocompleteField("name")]

    class Meta:
        verbose_name = _("venue")
        ordering = ["name"]

    def __str__(self):
        return self.name


class Taxonomy(models.Model):
    """A list of terms services are sorted by (Open Referral UK 'taxonomy')."""

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(_("name"), max_length=120, unique=True)
    description = models.TextField(_("description"), blank=True)
    uri = models.URLField(_("web address of the list"), blank=True)
    version = models.CharField(_("version"), max_length=20, blank=True)

    panels = [
        FieldPanel("name"),
        FieldPanel("description"),
        FieldPanel("uri"),
        FieldPanel("version"),
    ]

    class Meta:
        verbose_name = _("taxonomy")
        verbose_name_plural = _("taxonomies")
        ordering = ["name"]

    def __str__(self):
        return self.name


class TaxonomyTerm(models.Model):
    """A category a service belongs to, such as 'Parenting support'."""

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    taxonomy = models.ForeignKey(
        Taxonomy, on_delete=models.PROTECT, related_name="terms", verbose_name=_("taxonomy")
    )
    code = models.CharField(_("code"), max_length=60)
    name = models.CharField(_("name"), max_length=120)
    description = models.TextField(_("description"), blank=True)
    parent = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("parent term"),
    )

    panels = [
        FieldPanel("taxonomy"),
        FieldPanel("code"),
        FieldPanel("name"),
        FieldPanel("description"),
        FieldPanel("parent"),
    ]

    class Meta:
        verbose_name = _("service category")
        verbose_name_plural = _("service categories")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["taxonomy", "code"], name="unique_term_code")
        ]

    def __str__(self):
        return self.name


EMAIL_INVALID = _("Enter an email address in the right format, like name@example.com.")


class LocalServiceForm(WagtailAdminModelForm):
    """The editor's form for a service, with plain messages for contact details."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "email" in self.fields:
            self.fields["email"].error_messages["invalid"] = EMAIL_INVALID


class LocalServiceQuerySet(SearchableQuerySetMixin, models.QuerySet):
    def published(self):
        return self.filter(is_published=True)


class LocalService(index.Indexed, models.Model):
    """A service in the local directory: who runs it, who it is for, and how to get in touch.

    ``internal_notes`` and ``referral_contact`` are for staff only and never leave the
    admin: not on family pages, not in the Open Referral feed.
    """

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(_("service name"), max_length=160)
    organisation = models.CharField(_("organisation"), max_length=160)
    description = models.TextField(_("what it offers"))
    who_for = models.TextField(_("who it is for"))
    age_min = models.PositiveSmallIntegerField(
        _("youngest age (years)"), null=True, blank=True, validators=[MaxValueValidator(120)]
    )
    age_max = models.PositiveSmallIntegerField(
        _("oldest age (years)"), null=True, blank=True, validators=[MaxValueValidator(120)]
    )
    is_free = models.BooleanField(_("free"), default=True)
    cost = models.CharField(
        _("cost"), max_length=200, blank=True, help_text=_("For example: £2 a session.")
    )
    address = models.TextField(_("where"), blank=True)
    postcode = models.CharField(_("postcode"), max_length=10, blank=True)
    when = models.CharField(
        _("when"), max_length=200, blank=True, help_text=_("For example: Mondays 10am to 12 noon.")
    )
    email = models.EmailField(
        _("email address"),
        blank=True,
        error_messages={"invalid": EMAIL_INVALID},
    )
    phone = models.CharField(
        _("phone number"), max_length=30, blank=True, validators=[validate_uk_phone]
    )
    website = models.URLField(_("website"), blank=True)
    languages = models.CharField(
        _("languages"),
        max_length=200,
        blank=True,
        help_text=_("Separate with commas, for example: English, Urdu, Polish."),
    )
    accessibility = models.TextField(_("accessibility"), blank=True)
    categories = models.ManyToManyField(
        TaxonomyTerm, blank=True, related_name="services", verbose_name=_("categories")
    )
    for_dads = models.BooleanField(_("for dads"), default=False)
    is_published = models.BooleanField(_("show to families"), default=True)
    internal_notes = models.TextField(
        _("notes for staff"),
        blank=True,
        help_text=_("Never shown to families or other directories."),
    )
    referral_contact = models.CharField(
        _("staff referral contact"),
        max_length=200,
        blank=True,
        help_text=_("A named person for professional referrals. Never published."),
    )
    updated_at = models.DateTimeField(auto_now=True)

    objects = LocalServiceQuerySet.as_manager()

    base_form_class = LocalServiceForm
    panels = [
        MultiFieldPanel(
            [FieldPanel("name"), FieldPanel("organisation"), FieldPanel("description")],
            heading=_("The service"),
        ),
        PlainEnglishPanel(heading=_("Plain English check")),
        MultiFieldPanel(
            [
                FieldPanel("who_for"),
                FieldRowPanel([FieldPanel("age_min"), FieldPanel("age_max")]),
                FieldPanel("for_dads"),
                FieldPanel("categories"),
            ],
            heading=_("Who it is for"),
        ),
        MultiFieldPanel(
            [FieldPanel("is_free"), FieldPanel("cost"), FieldPanel("when")],
            heading=_("Cost and times"),
        ),
        MultiFieldPanel(
            [FieldPanel("address"), FieldPanel("postcode"), FieldPanel("accessibility")],
            heading=_("Where"),
        ),
        MultiFieldPanel(
            [
                FieldPanel("phone"),
                FieldPanel("email"),
                FieldPanel("website"),
                FieldPanel("languages"),
            ],
            heading=_("How to get in touch"),
        ),
        FieldPanel("is_published"),
        MultiFieldPanel(
            [FieldPanel("internal_notes"), FieldPanel("referral_contact")],
            heading=_("For staff only"),
        ),
    ]
    search_fields = [
        index.SearchField("name"),
        index.SearchField("organisation"),
        index.SearchField("description"),
        index.SearchField("who_for"),
        index.AutocompleteField("name"),
        index.FilterField("is_published"),
        index.FilterField("for_dads"),
    ]

    class Meta:
        verbose_name = _("local service")
        ordering = ["name", "id"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("content:service_detail", kwargs={"service_id": self.pk})

    def clean(self):
        errors = {}
        if self.age_min is not None and self.age_max is not None and self.age_min > self.age_max:
            errors["age_max"] = _(
                "The oldest age must be the same as or more than the youngest age."
            )
        if not self.is_free and not self.cost.strip():
            errors["cost"] = _("Say how much it costs, or mark it as free.")
        if errors:
            raise ValidationError(errors)

    @property
    def language_list(self) -> list[str]:
        return [part.strip() for part in self.languages.split(",") if part.strip()]


# Bookings ------------------------------------------------------------------------------


class BookingQuerySet(models.QuerySet):
    def active(self):
        return self.filter(status__in=[Booking.Status.CONFIRMED, Booking.Status.WAITING])

    def confirmed(self):
        return self.filter(status=Booking.Status.CONFIRMED)


class Booking(models.Model):
    """A parent's place (or place on the waiting list) at one date of a session."""

    class Status(models.TextChoices):
        CONFIRMED = "confirmed", _("Booked")
        WAITING = "waiting", _("On the waiting list")
        CANCELLED = "cancelled", _("Cancelled")

    occurrence = models.ForeignKey(
        SessionOccurrence, on_delete=models.PROTECT, related_name="bookings"
    )
    member = models.ForeignKey(FamilyMember, on_delete=models.CASCADE, related_name="bookings")
    companions = models.ManyToManyField(
        FamilyMember, blank=True, related_name="accompanied_bookings", verbose_name=_("who comes")
    )
    places = models.PositiveSmallIntegerField(default=1)
    status = models.CharField(max_length=20, choices=Status.choices)
    booked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    attended = models.BooleanField(null=True, blank=True)

    objects = BookingQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["occurrence", "member"],
                condition=Q(status__in=["confirmed", "waiting"]),
                name="one_active_booking_per_person",
            ),
            models.CheckConstraint(condition=Q(places__gte=1), name="booking_at_least_one_place"),
        ]
        indexes = [models.Index(fields=["occurrence", "status", "created_at"])]

    def __str__(self):
        return f"{self.member} at {self.occurrence} ({self.status})"

    def get_absolute_url(self):
        return reverse("content:booking_detail", kwargs={"booking_id": self.pk})

    @property
    def is_active(self) -> bool:
        return self.status in {self.Status.CONFIRMED, self.Status.WAITING}


class SessionInvitation(models.Model):
    """A key worker suggests a session to a named father in a family on their caseload."""

    occurrence = models.ForeignKey(
        SessionOccurrence, on_delete=models.CASCADE, related_name="invitations"
    )
    member = models.ForeignKey(
        FamilyMember, on_delete=models.CASCADE, related_name="session_invitations"
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    message = models.CharField(_("a short note"), max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["occurrence", "member"], name="one_invitation_per_date")
        ]

    def __str__(self):
        return f"{self.member} invited to {self.occurrence}"


# Moderation ----------------------------------------------------------------------------


class SecondEditorApprovalTask(AbstractGroupApprovalTask):
    """Approval by someone in the chosen groups other than the person who asked for it."""

    class Meta:
        verbose_name = _("Second editor approval")
        verbose_name_plural = _("Second editor approvals")

    @staticmethod
    def _requested_by_user(obj, user) -> bool:
        state = getattr(obj, "current_workflow_state", None)
        return bool(state and state.requested_by_id == user.pk)

    def get_actions(self, obj, user):
        if self._requested_by_user(obj, user):
            return []
        return super().get_actions(obj, user)

    def locked_for_user(self, obj, user):
        return super().locked_for_user(obj, user) or self._requested_by_user(obj, user)

    def get_task_states_user_can_moderate(self, user, **kwargs):
        states = super().get_task_states_user_can_moderate(user, **kwargs)
        return states.exclude(workflow_state__requested_by=user)

    def on_action(self, task_state: TaskState, user, action_name, **kwargs):
        if task_state.workflow_state.requested_by_id == getattr(user, "pk", None):
            from django.core.exceptions import PermissionDenied

            raise PermissionDenied(_("Someone else must approve what you wrote."))
        return super().on_action(task_state, user, action_name, **kwargs)

    @classmethod
    def get_description(cls):
        return _("A second editor checks the page and approves it; you cannot approve your own.")
