"""The local services directory and where sessions happen, as Wagtail snippets: venues,
local services, and the taxonomy (Open Referral UK) and categories services are sorted by."""

import uuid
from typing import Self

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel
from wagtail.search import index
from wagtail.search.queryset import SearchableQuerySetMixin

from ..plain_english import PlainEnglishPanel
from ..validators import validate_uk_phone


# The plugin cannot see the relation back from SessionSeriesPage, a Wagtail page (untyped).
class Venue(index.Indexed, models.Model):  # type: ignore[django-manager-missing]
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


class LocalServiceQuerySet(SearchableQuerySetMixin, models.QuerySet["LocalService"]):
    def published(self) -> Self:
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

    def get_absolute_url(self) -> str:
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
