"""The pages families read: the home page, and help and advice (guides, how-tos and
family stories). Groups and their pages are in ``sessions``."""

from django.core.exceptions import ValidationError
from django.db import models
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page
from wagtail.search import index

from portal.prepared import prepared

from ..blocks import BaseStreamBlock
from ..plain_english import PlainEnglishPanel


@prepared(path=str)
def _page_at(path: str):
    return Page.objects.filter(path=path)[:1]


class RestrictionsReadMixin:
    """For a page type: the view restrictions ``content.routing`` read for the request
    being served, instead of two more queries when Wagtail checks them; and the page's
    parent (the link back to the list) by a query compiled once."""

    def get_view_restrictions(self):
        restrictions = getattr(self, "_served_restrictions", None)
        if restrictions is None:
            return super().get_view_restrictions()
        return restrictions

    def get_parent(self, update=False):
        if not update and (self.depth or 0) > 1 and not hasattr(self, "_cached_parent_obj"):
            parent = _page_at.first(path=self.path[: -self.steplen])
            if parent is not None:
                self._cached_parent_obj = parent  # where treebeard keeps it
        return super().get_parent(update)


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


class HomePage(RestrictionsReadMixin, Page):
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
        from .. import selectors

        context = super().get_context(request, *args, **kwargs)
        context["for_dads"] = selectors.for_dads(user=request.user)
        context["sections"] = selectors.home_sections()
        return context


class ResourceIndexPage(OneKindOfChildMixin, RestrictionsReadMixin, Page):
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
        from .. import selectors
        from ..forms import ResourceFilterForm

        context = super().get_context(request, *args, **kwargs)
        form = ResourceFilterForm(request.GET or None)
        kind = for_dads = None
        if form.is_valid():
            kind = form.cleaned_data["kind"] or None
            for_dads = form.cleaned_data["for_dads"] or None
        context["filter_form"] = form
        context["resources"] = selectors.resource_list(index=self, kind=kind, for_dads=for_dads)
        return context


class ResourcePage(RestrictionsReadMixin, Page):
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
