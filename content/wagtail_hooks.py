"""The local services directory and venues in the Wagtail admin, as snippets."""

from django.contrib import messages
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.filters import WagtailFilterSet
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from .models import LocalService, Taxonomy, TaxonomyTerm, Venue
from .plain_english import report_for


class LocalServiceFilterSet(WagtailFilterSet):
    class Meta:
        model = LocalService
        fields = ["is_published", "is_free", "for_dads", "categories"]


class LocalServiceViewSet(SnippetViewSet):
    model = LocalService
    icon = "site"
    menu_label = _("Local services")
    list_display = ["name", "organisation", "is_published", "updated_at"]
    list_export = ["name", "organisation", "email", "phone", "postcode", "is_published"]
    search_fields = ["name", "organisation", "description"]
    filterset_class = LocalServiceFilterSet
    ordering = ["name"]


class VenueViewSet(SnippetViewSet):
    model = Venue
    icon = "home"
    menu_label = _("Venues")
    list_display = ["name", "postcode"]
    search_fields = ["name"]


class TaxonomyViewSet(SnippetViewSet):
    model = Taxonomy
    icon = "list-ul"
    menu_label = _("Category lists")
    list_display = ["name", "version"]


class TaxonomyTermViewSet(SnippetViewSet):
    model = TaxonomyTerm
    icon = "tag"
    menu_label = _("Service categories")
    list_display = ["name", "code", "taxonomy"]
    search_fields = ["name", "code"]


class DirectoryViewSetGroup(SnippetViewSetGroup):
    menu_label = _("Directory")
    menu_icon = "folder-open-inverse"
    menu_order = 300
    items = (LocalServiceViewSet, VenueViewSet, TaxonomyTermViewSet, TaxonomyViewSet)


register_snippet(DirectoryViewSetGroup)


@hooks.register("after_create_page")
@hooks.register("after_edit_page")
def plain_english_after_save(request, page):
    """After a save, tell the editor what might be hard to read. Never blocks the save."""
    report = report_for(page.specific)
    if report is not None and report.hints:
        messages.warning(
            request,
            _("Plain English hints for “%(title)s”: %(hints)s")
            % {"title": page.title, "hints": " ".join(report.hints)},
        )
