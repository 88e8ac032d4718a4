"""Groups families can book: the index of groups, each series of sessions (such as a
Saturday dads' group) and its dates."""

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from wagtail.admin.forms import WagtailAdminPageForm
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel
from wagtail.fields import StreamField
from wagtail.models import Orderable, Page
from wagtail.search import index

from ..blocks import BaseStreamBlock
from ..plain_english import PlainEnglishPanel
from .pages import OneKindOfChildMixin, RestrictionsReadMixin


class SessionIndexPage(OneKindOfChildMixin, RestrictionsReadMixin, Page):
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
        from .. import selectors
        from ..forms import SessionFilterForm

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
                and instance.bookings.active().exists()
            ):
                self.add_error(
                    None,
                    _("A date you removed has bookings. Cancel the bookings before removing it."),
                )
        return cleaned


class SessionSeriesPage(RestrictionsReadMixin, Page):
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
        from .. import selectors

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
