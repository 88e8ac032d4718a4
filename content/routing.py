"""Finding the Wagtail page a URL names, with every query compiled once per process.

Wagtail's own way costs six queries, each compiled afresh by Django on every request (the
site, the home page's own row, each level's child and then its specific row, the page's
ancestors, their view restrictions): about half of a help page's server time. The same
answer comes here from four prepared queries (``portal.prepared``):

1. the site, by the request's host and port, chosen as Wagtail chooses it;
2. the page, by its URL path under the site's home page (``url_path`` is what Wagtail
   keeps as the parent's URL path and the page's slug; the slug narrows it to an index);
3. its specific row, by its type;
4. the view restrictions on it and on every page above it (the pages whose tree path is
   the start of its own).

It is only a quicker road to the same page. Where its shortcut would skip a page's own
``route()`` (a page type whose ``route`` is neither Wagtail's nor ``OneKindOfChildMixin``'s,
say one with sub-URLs) or an alias's source, it leaves the request to Wagtail's routing.
Wagtail then serves the page as ever: its hooks, its view restriction check (fed the
restrictions read here), the page's ``serve``.
"""

from __future__ import annotations

import functools
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import Case, Exists, F, IntegerField, Model, OuterRef, Q, Value, When
from django.db.models.functions import Length, Substr
from django.http import HttpRequest, HttpResponse
from django.http.request import split_domain_port
from wagtail import views as wagtail_views
from wagtail.models import Page, PageViewRestriction, Site, get_page_models
from wagtail.url_routing import RouteResult

from portal.prepared import PreparedQuery, prepared

# How well a site matches the request, best first (as Wagtail ranks them).
HOST_AND_PORT, HOST_AND_DEFAULT, DEFAULT, HOST_ONLY = 0, 1, 2, 3


@prepared(host=str, host_for_port=str, port=int, host_for_default=str)
def _sites(host: str, host_for_port: str, port: int, host_for_default: str) -> Any:
    rank = Case(
        When(hostname=host_for_port, port=port, then=Value(HOST_AND_PORT)),
        When(hostname=host_for_default, is_default_site=True, then=Value(HOST_AND_DEFAULT)),
        When(is_default_site=True, then=Value(DEFAULT)),
        default=Value(HOST_ONLY),
        output_field=IntegerField(),
    )
    return (
        Site.objects.filter(Q(hostname=host) | Q(is_default_site=True))
        .annotate(match=rank)
        .order_by("match", "pk")
        .select_related("root_page")
    )


@prepared(url_path=str, slug=str)
def _page(url_path: str, slug: str) -> Any:
    # An alias at or above the page takes its view restrictions from its source: Wagtail's
    # routing knows how, so such a page is left to it (the pages above are those whose tree path starts the page's own).
    aliases_above = Page.objects.filter(
        alias_of__isnull=False, path=Substr(OuterRef("path"), 1, Length("path"))
    )
    return (
        Page.objects.filter(slug=slug, url_path=url_path)
        .annotate(aliased=Exists(aliases_above))
        .values_list("pk", "content_type_id", "aliased")[:1]
    )


@prepared(path=str)
def _restrictions(path: str) -> Any:
    # The restrictions on every page whose tree path starts the served page's own.
    return PageViewRestriction.objects.alias(served=Value(path)).filter(
        served__startswith=F("page__path")
    )


def site_for_request(request: HttpRequest) -> Site | None:
    """The site serving ``request``, as ``Site.find_for_request`` would choose it."""
    raw: Any = request  # the host as sent, before ALLOWED_HOSTS (as Wagtail reads it)
    host = split_domain_port(raw._get_raw_host())[0]
    try:
        port = int(request.get_port())
    except ValueError:
        port = 0
    sites = _sites.rows(host=host, host_for_port=host, port=port, host_for_default=host)
    if not sites:
        return None
    best = sites[0]
    if len(sites) == 1 or best.match in (HOST_AND_PORT, HOST_AND_DEFAULT):
        return best
    if best.match == DEFAULT:
        # The default site, unless exactly one site has this host name on another port.
        return sites[1] if len(sites) == 2 else best
    return None  # several sites with this host name on other ports, none the default


@functools.cache
def _specific_query(model: type[Model]) -> PreparedQuery[Any]:
    def specific(pk: int) -> Any:
        return model._default_manager.filter(pk=pk)

    specific.__qualname__ = f"specific {model._meta.label}"
    return PreparedQuery(specific, {"pk": int})


@functools.cache
def _every_route_is_plain() -> bool:
    """Whether every page type routes its children as Wagtail does (or in one query, the
    same way): only then may a URL's page be found without asking each page above it."""
    from .models.pages import OneKindOfChildMixin

    plain = {Page.route, OneKindOfChildMixin.route}
    return all(model.route in plain for model in get_page_models())


def route(request: HttpRequest, site: Site, path: str) -> RouteResult | None:
    """The page ``path`` names on ``site``, or None where there is none (a 404)."""
    components = [component for component in path.split("/") if component]
    root = site.root_page
    url_path = root.url_path + "".join(f"{component}/" for component in components)
    slug = components[-1] if components else root.slug
    found = _page.first(url_path=url_path, slug=slug)
    if found is None:
        return None
    pk, content_type_id, aliased = found
    model = ContentType.objects.get_for_id(content_type_id).model_class()
    if model is None or aliased:
        return Page.route_for_request(request, path)
    page = _specific_query(model).first(pk=pk)
    if page is None or not page.live:
        return None
    page._served_restrictions = _restrictions.rows(path=page.path)
    return RouteResult(page)


def serve(request: HttpRequest, path: str) -> HttpResponse:
    """Wagtail's page view, with the site and the page found by the prepared queries."""
    kept: Any = request  # where Wagtail keeps the site and the route for the request
    if _every_route_is_plain() and not hasattr(kept, "_wagtail_route_for_request"):
        site = site_for_request(request)
        kept._wagtail_site = site
        if site is not None:
            kept._wagtail_route_for_request = route(request, site, path)
    return wagtail_views.serve(request, path)
