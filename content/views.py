"""Pages outside Wagtail's tree: search, local services, Open Referral JSON, bookings,
registers and invitations. Each view only translates HTTP into services and selectors."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from portal import ratelimit
from portal.access import public
from portal.ratelimit import Limit

from . import access, selectors, services
from .calendar import booking_calendar
from .forms import (
    AttendanceForm,
    BookingForm,
    SearchForm,
    ServiceFilterForm,
    SessionInvitationForm,
)
from .models import Booking, SessionOccurrence
from .openreferral import (
    DEFAULT_PAGE_SIZE,
    MAX_PAGE_SIZE,
    ORUK_VERSION,
    page_of,
    service_json,
    taxonomy_json,
    taxonomy_term_json,
)

# A parent books, cancels and rebooks by hand; more than this in ten minutes is not a person.
BOOK_LIMIT = Limit("content:book", 30, 600)
INVITE_LIMIT = Limit("content:invite", 30, 600)


def _serve_index(request, page):
    if page is None:
        raise Http404
    return page.serve(request)


@public
@require_GET
def groups(request):
    """The menu's "Groups" link: the live session index, wherever it sits in the tree."""
    return _serve_index(request, selectors.session_index())


@public
@require_GET
def help_and_advice(request):
    return _serve_index(request, selectors.resource_index())


@public
@require_GET
def search(request):
    form = SearchForm(request.GET or None)
    query = form.cleaned_data["q"].strip() if form.is_valid() else ""
    results = selectors.search(query=query) if query else None
    return render(
        request, "content/search.html", {"form": form, "query": query, "results": results}
    )


# Local services ------------------------------------------------------------------------


@public
@require_GET
def service_list(request):
    categories = list(selectors.service_categories())
    form = ServiceFilterForm(request.GET or None, categories=categories)
    filters = {}
    if form.is_bound and form.is_valid():
        filters = {
            "query": form.cleaned_data["q"].strip(),
            "category": form.cleaned_data["category"],
            "age": form.cleaned_data["age"],
            "free_only": form.cleaned_data["free_only"],
            "for_dads": form.cleaned_data["for_dads"],
        }
    services_qs = selectors.service_list(**filters)
    page = Paginator(services_qs, 20).get_page(request.GET.get("page"))
    return render(
        request,
        "content/service_list.html",
        {"form": form, "page": page, "filtered": bool(filters)},
        status=400 if form.errors else 200,
    )


@public
@require_GET
def service_detail(request, service_id):
    service = selectors.service_detail(service_id=service_id)
    if service is None:
        raise Http404
    return render(request, "content/service_detail.html", {"service": service})


# Open Referral UK ----------------------------------------------------------------------


def _paging(request) -> tuple[int, int] | JsonResponse:
    try:
        page_number = int(request.GET.get("page", 1))
        size = int(request.GET.get("per_page", request.GET.get("size", DEFAULT_PAGE_SIZE)))
    except ValueError:
        return JsonResponse({"error": "page and per_page must be whole numbers"}, status=400)
    if page_number < 1 or not 1 <= size <= MAX_PAGE_SIZE:
        return JsonResponse(
            {"error": f"page must be 1 or more and per_page between 1 and {MAX_PAGE_SIZE}"},
            status=400,
        )
    return page_number, size


def _json(data, status=200) -> JsonResponse:
    response = JsonResponse(data, status=status, json_dumps_params={"ensure_ascii": False})
    # Other directories read this from their own sites.
    response["Access-Control-Allow-Origin"] = "*"
    return response


@public
@require_GET
def oruk_root(request):
    return _json(
        {
            "version": ORUK_VERSION,
            "profile": "https://github.com/openreferraluk/oruk-profile",
            "openapi_url": "https://raw.githubusercontent.com/openreferraluk/api-specification/main/openapi.json",
        }
    )


def _paged(request, items, serialise):
    paging = _paging(request)
    if isinstance(paging, JsonResponse):
        return paging
    page_number, size = paging
    return _json(page_of(items, page_number=page_number, size=size, serialise=serialise))


@public
@require_GET
def oruk_services(request):
    services_qs = selectors.oruk_services()
    text = request.GET.get("text", "").strip()
    if text:
        services_qs = services_qs.filter(name__icontains=text)
    term = request.GET.get("taxonomy_term_id", "").strip()
    if term:
        services_qs = (
            services_qs.filter(categories__uid__iexact=term)
            if _is_uuid(term)
            else services_qs.none()
        )
    return _paged(request, services_qs, service_json)


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


@public
@require_GET
def oruk_service(request, service_id):
    service = (
        selectors.oruk_services().filter(uid=service_id).first() if _is_uuid(service_id) else None
    )
    if service is None:
        return _json({"error": "Service not found"}, status=404)
    return _json(service_json(service))


@public
@require_GET
def oruk_taxonomies(request):
    return _paged(request, selectors.oruk_taxonomies(), taxonomy_json)


@public
@require_GET
def oruk_taxonomy_terms(request):
    terms = selectors.oruk_taxonomy_terms()
    taxonomy_id = request.GET.get("taxonomy_id", "").strip()
    if taxonomy_id:
        terms = terms.filter(taxonomy__uid=taxonomy_id) if _is_uuid(taxonomy_id) else terms.none()
    return _paged(request, terms, taxonomy_term_json)


# Bookings ------------------------------------------------------------------------------


def _occurrence_or_404(occurrence_id: int) -> SessionOccurrence:
    occurrence = (
        SessionOccurrence.objects.select_related("series__venue")
        .filter(pk=occurrence_id, series__live=True)
        .first()
    )
    if occurrence is None:
        raise Http404
    return occurrence


@login_required
@require_http_methods(["GET", "POST"])
def booking_create(request, occurrence_id):
    occurrence = _occurrence_or_404(occurrence_id)
    member = access.booker(request.user)
    if member is None:
        return render(
            request, "content/booking_not_parent.html", {"occurrence": occurrence}, status=403
        )
    companions = selectors.companions_for_booking(member=member)
    if not occurrence.series.children_welcome:
        companions = [c for c in companions if c.is_adult]
    form = BookingForm(request.POST if request.method == "POST" else None, members=companions)
    if request.method == "POST" and ratelimit.exceeded(BOOK_LIMIT, request.user.pk):
        return ratelimit.too_many(request, BOOK_LIMIT)
    if request.method == "POST" and form.is_valid():
        try:
            booking = services.booking_create(
                occurrence_id=occurrence.pk,
                user=request.user,
                companion_ids=form.cleaned_data["companions"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            if booking.status == Booking.Status.CONFIRMED:
                messages.success(request, _("Your place is booked."))
            else:
                messages.success(
                    request,
                    _(
                        "The session is full, so you are on the waiting list. We will tell you if a place comes free."
                    ),
                )
            return redirect(booking)
    return render(
        request,
        "content/booking_form.html",
        {
            "occurrence": occurrence,
            "series": occurrence.series,
            "form": form,
            "places_left": max(
                occurrence.series.capacity - selectors.places_taken(occurrence=occurrence), 0
            ),
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_GET
def booking_list(request):
    member = access.booker(request.user)
    if member is None:
        raise Http404
    bookings = selectors.bookings_for_member(member=member)
    return render(request, "content/booking_list.html", {"bookings": bookings})


@login_required
@require_GET
def booking_detail(request, booking_id):
    booking = access.booking_for_user(request.user, booking_id)
    return render(
        request,
        "content/booking_detail.html",
        {
            "booking": booking,
            "occurrence": booking.occurrence,
            "series": booking.occurrence.series,
            "companions": list(booking.companions.all()),
            "can_cancel": booking.is_active and not booking.occurrence.is_past,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def booking_cancel(request, booking_id):
    booking = access.booking_for_user(request.user, booking_id)
    error = ""
    if request.method == "POST":
        if ratelimit.exceeded(BOOK_LIMIT, request.user.pk):
            return ratelimit.too_many(request, BOOK_LIMIT)
        try:
            services.booking_cancel(booking_id=booking.pk, user=request.user)
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            messages.success(request, _("Your booking is cancelled."))
            return redirect("content:booking_list")
    return render(
        request,
        "content/booking_cancel.html",
        {"booking": booking, "error": error},
        status=400 if error else 200,
    )


@login_required
@require_GET
def booking_ics(request, booking_id):
    booking = access.booking_for_user(request.user, booking_id)
    if booking.status != Booking.Status.CONFIRMED:
        raise Http404
    response = HttpResponse(booking_calendar(booking), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="session-{booking.pk}.ics"'
    return response


# Staff: registers and invitations ------------------------------------------------------


@login_required
@require_GET
def register_list(request):
    access.require_attendance_access(request.user)
    return render(
        request,
        "content/register_list.html",
        {"occurrences": selectors.occurrences_for_staff()},
    )


@login_required
@require_http_methods(["GET", "POST"])
def register(request, occurrence_id):
    access.require_attendance_access(request.user)
    occurrence = selectors.occurrence_for_register(occurrence_id=occurrence_id)
    if occurrence is None:
        raise Http404
    bookings = selectors.register_bookings(occurrence=occurrence)
    confirmed = [b for b in bookings if b.status == Booking.Status.CONFIRMED]
    form = AttendanceForm(request.POST if request.method == "POST" else None, bookings=confirmed)
    services.register_viewed(
        occurrence=occurrence, bookings=bookings, actor=request.user, path=request.path
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.attendance_record(
                occurrence_id=occurrence.pk, marks=form.marks(), actor=request.user
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Attendance saved."))
            return redirect("content:register", occurrence_id=occurrence.pk)
    return render(
        request,
        "content/register.html",
        {
            "occurrence": occurrence,
            "series": occurrence.series,
            "confirmed": confirmed,
            "waiting": [b for b in bookings if b.status == Booking.Status.WAITING],
            "form": form,
            "rows": [(b, form[f"attended_{b.pk}"]) for b in confirmed],
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def session_invite(request, family_id):
    family = access.family_for_invitation(request.user, family_id, path=request.path)
    fathers = selectors.dads_in_family(family=family)
    occurrences = selectors.occurrences_for_invitation()
    form = SessionInvitationForm(
        request.POST if request.method == "POST" else None, fathers=fathers, occurrences=occurrences
    )
    if request.method == "POST" and ratelimit.exceeded(INVITE_LIMIT, request.user.pk):
        return ratelimit.too_many(request, INVITE_LIMIT)
    if request.method == "POST" and form.is_valid():
        try:
            services.session_invitation_create(
                family=family,
                member_id=int(form.cleaned_data["member"]),
                occurrence_id=int(form.cleaned_data["occurrence"]),
                message=form.cleaned_data["message"],
                actor=request.user,
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        except PermissionDenied as exc:
            raise Http404 from exc
        else:
            messages.success(request, _("Invitation sent."))
            return redirect(family)
    return render(
        request,
        "content/session_invite.html",
        {"family": family, "form": form, "fathers": fathers, "show_exit_this_page": False},
        status=400 if form.errors else 200,
    )
