"""The local services directory and venues in the Wagtail admin, as snippets."""

from django.utils.translation import gettext_lazy as _
from wagtail.admin.filters import WagtailFilterSet
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from .models import LocalService, Taxonomy, TaxonomyTerm, Venue


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
