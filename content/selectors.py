"""Reads for the content site, with the joins each page needs."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Count, Func, Prefetch, Q, QuerySet, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from wagtail.models import Page

from portal import access as portal_access
from portal.access import AnyUser
from portal.models import Family, FamilyMember
from portal.prepared import prepared

from . import access
from .models import (
    Booking,
    LocalService,
    ResourceIndexPage,
    ResourcePage,
    SessionIndexPage,
    SessionOccurrence,
    SessionSeriesPage,
    Taxonomy,
    TaxonomyTerm,
)

HOME_LIST_SIZE = 3


def _booked_places() -> Func:
    return Coalesce(Sum("bookings__places", filter=Q(bookings__status=Booking.Status.CONFIRMED)), 0)


def _upcoming_occurrences() -> QuerySet[SessionOccurrence]:
    return (
        SessionOccurrence.objects.filter(starts_at__gt=timezone.now())
        .annotate(booked_places=_booked_places())
        .order_by("starts_at")
    )


# Pages ---------------------------------------------------------------------------------


def resource_list(
    *, index: ResourceIndexPage, kind: str | None = None, for_dads: bool | None = None
) -> QuerySet[ResourcePage]:
    pages = ResourcePage.objects.live().public().child_of(index)
    if kind:
        pages = pages.filter(kind=kind)
    if for_dads:
        pages = pages.filter(for_dads=True)
    return pages.order_by("-first_published_at", "pk")


def session_series_list(
    *,
    index: SessionIndexPage,
    for_dads: bool | None = None,
    children_welcome: bool | None = None,
) -> QuerySet[SessionSeriesPage]:
    """Live series with their venue and their next few upcoming dates."""
    series = SessionSeriesPage.objects.live().public().child_of(index)
    if for_dads:
        series = series.filter(for_dads=True)
    if children_welcome:
        series = series.filter(children_welcome=True)
    return (
        series.select_related("venue")
        .prefetch_related(
            Prefetch("occurrences", queryset=_upcoming_occurrences(), to_attr="upcoming")
        )
        .order_by("title", "pk")
    )


def upcoming_occurrences_for_booking(
    *, series: SessionSeriesPage, user: AnyUser
) -> list[SessionOccurrence]:
    """Upcoming dates with places left, and the signed-in parent's own booking on each."""
    occurrences = list(_upcoming_occurrences().filter(series_id=series.pk))
    member = access.booker(user)
    mine: dict[int, Booking] = {}
    if member is not None and occurrences:
        mine = {
            b.occurrence_id: b
            for b in Booking.objects.active().filter(
                member=member, occurrence__in=[o.pk for o in occurrences]
            )
        }
    for occurrence in occurrences:
        occurrence.places_left = max(series.capacity - occurrence.booked_places, 0)
        occurrence.my_booking = mine.get(occurrence.pk)
    return occurrences


def session_index() -> SessionIndexPage | None:
    return SessionIndexPage.objects.live().public().order_by("path").first()


def resource_index() -> ResourceIndexPage | None:
    return ResourceIndexPage.objects.live().public().order_by("path").first()


def home_sections() -> dict[str, Any]:
    """A few recent resources and the next sessions for the home page."""
    return {
        "resources": list(
            ResourcePage.objects.live().public().order_by("-first_published_at")[:HOME_LIST_SIZE]
        ),
        "occurrences": list(
            _upcoming_occurrences()
            .filter(series__live=True)
            .select_related("series")[:HOME_LIST_SIZE]
        ),
    }


def for_dads(*, user: AnyUser) -> dict[str, Any] | None:
    """What is marked for dads, for a signed-in father. None for everyone else."""
    member = portal_access.membership(user)
    if member is None or not member.is_father:
        return None
    return {
        "member": member,
        "resources": list(
            ResourcePage.objects.live()
            .public()
            .filter(for_dads=True)
            .order_by("-first_published_at")[:5]
        ),
        "occurrences": list(
            _upcoming_occurrences()
            .filter(series__live=True, series__for_dads=True)
            .select_related("series", "series__venue")[:5]
        ),
        "invitations": list(
            member.session_invitations.filter(occurrence__starts_at__gt=timezone.now())
            .select_related("occurrence__series", "invited_by")
            .order_by("occurrence__starts_at")[:5]
        ),
    }


def search(*, query: str) -> dict[str, Any]:
    """Resources, sessions and local services that match, for families."""
    pages = Page.objects.live().public().type(ResourcePage, SessionSeriesPage).specific()
    page_results = list(pages.search(query)[:40])
    return {
        "resources": [p for p in page_results if isinstance(p, ResourcePage)],
        "sessions": [p for p in page_results if isinstance(p, SessionSeriesPage)],
        "services": list(LocalService.objects.published().search(query)[:20]),
    }


# Local services ------------------------------------------------------------------------


def service_categories() -> QuerySet[TaxonomyTerm]:
    return TaxonomyTerm.objects.filter(services__is_published=True).distinct().order_by("name")


def service_list(
    *,
    query: str = "",
    category: str = "",
    age: int | None = None,
    free_only: bool = False,
    for_dads: bool = False,
) -> QuerySet[LocalService]:
    services = LocalService.objects.published()
    if query:
        services = services.filter(
            Q(name__icontains=query)
            | Q(organisation__icontains=query)
            | Q(description__icontains=query)
            | Q(who_for__icontains=query)
        )
    if category:
        services = services.filter(categories__uid=category)
    if age is not None:
        services = services.filter(
            Q(age_min__isnull=True) | Q(age_min__lte=age),
            Q(age_max__isnull=True) | Q(age_max__gte=age),
        )
    if free_only:
        services = services.filter(is_free=True)
    if for_dads:
        services = services.filter(for_dads=True)
    return services.prefetch_related("categories").distinct().order_by("name", "id")


def service_detail(*, service_id: int) -> LocalService | None:
    return (
        LocalService.objects.published()
        .prefetch_related("categories")
        .filter(pk=service_id)
        .first()
    )


def services_by_ids(*, ids: Iterable[int]) -> list[LocalService]:
    """The published services among ``ids``, by name (another app's links to the
    directory; a service taken down is simply left out)."""
    wanted = [pk for pk in ids if isinstance(pk, int)]
    if not wanted:
        return []
    return list(LocalService.objects.published().filter(pk__in=wanted).order_by("name", "id"))


def oruk_services() -> QuerySet[LocalService]:
    return (
        LocalService.objects.published()
        .prefetch_related("categories__taxonomy", "categories__parent")
        .order_by("name", "id")
    )


def oruk_taxonomies() -> QuerySet[Taxonomy]:
    return Taxonomy.objects.order_by("name", "id")


def oruk_taxonomy_terms() -> QuerySet[TaxonomyTerm]:
    return TaxonomyTerm.objects.select_related("taxonomy", "parent").order_by("name", "id")


# Bookings ------------------------------------------------------------------------------


def bookings_for_member(*, member: FamilyMember, upcoming_only: bool = True) -> QuerySet[Booking]:
    bookings = Booking.objects.active().filter(member=member)
    if upcoming_only:
        bookings = bookings.filter(occurrence__ends_at__gt=timezone.now())
    return (
        bookings.select_related("occurrence__series__venue")
        .prefetch_related("companions")
        .order_by("occurrence__starts_at")
    )


@prepared(member_id=int, now=datetime)
def _next_bookings(*, member_id: int, now: datetime) -> QuerySet[Booking]:
    return (
        Booking.objects.active()
        .filter(member_id=member_id, occurrence__ends_at__gt=now)
        .select_related("occurrence__series__venue")
        .prefetch_related("companions")
        .order_by("occurrence__starts_at")[:5]
    )


def next_bookings(*, member: FamilyMember) -> list[Booking]:
    """The parent's next five bookings, as ``bookings_for_member`` gives them (on every
    parent's dashboard, so compiled once: ``portal.prepared``)."""
    return _next_bookings.rows(member_id=member.pk, now=timezone.now())


def companions_for_booking(*, member: FamilyMember) -> list[FamilyMember]:
    """The others in the parent's family, who may come with them."""
    return list(FamilyMember.objects.filter(family_id=member.family_id).exclude(pk=member.pk))


def places_taken(*, occurrence: SessionOccurrence) -> int:
    """Places confirmed on a date, the booker's companions included."""
    total = Booking.objects.confirmed().filter(occurrence=occurrence).aggregate(t=Sum("places"))
    return int(total["t"] or 0)


def dads_in_family(*, family: Family) -> list[FamilyMember]:
    """The dads a key worker may invite to a group, by name."""
    return list(
        FamilyMember.objects.filter(
            family=family, relationship=FamilyMember.Relationship.DAD
        ).order_by("name")
    )


def occurrence_for_register(*, occurrence_id: int) -> SessionOccurrence | None:
    return (
        SessionOccurrence.objects.select_related("series", "series__venue")
        .annotate(
            booked_places=_booked_places(),
            waiting=Count("bookings", filter=Q(bookings__status=Booking.Status.WAITING)),
        )
        .filter(pk=occurrence_id)
        .first()
    )


def register_bookings(*, occurrence: SessionOccurrence) -> list[Booking]:
    """Who is booked: names and who comes with them, nothing else from the family record."""
    return list(
        Booking.objects.active()
        .filter(occurrence=occurrence)
        .select_related("member")
        .prefetch_related("companions")
        .order_by("status", "created_at", "id")
    )


def occurrences_for_staff() -> QuerySet[SessionOccurrence]:
    """Upcoming and recent dates, for staff choosing a register."""
    since = timezone.now() - timedelta(days=14)
    return (
        SessionOccurrence.objects.filter(starts_at__gte=since, series__live=True)
        .select_related("series")
        .annotate(booked_places=_booked_places())
        .order_by("starts_at")
    )


def occurrences_for_invitation() -> list[SessionOccurrence]:
    return list(
        SessionOccurrence.objects.filter(
            starts_at__gt=timezone.now(), series__live=True, series__booking_open=True
        )
        .select_related("series")
        .order_by("-series__for_dads", "starts_at")[:50]
    )
