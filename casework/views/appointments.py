"""Appointment pages. Each view translates HTTP into one service or selector call."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from portal import access as core
from portal.forms import apply_errors

from .. import access, calendar, selectors, services
from ..forms import (
    AppointmentForm,
    AppointmentRecordForm,
    CancelForm,
    MentorAnswerForm,
    apply_service_errors,
)


def _ics(content: bytes, name: str) -> HttpResponse:
    response = HttpResponse(content, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
def appointment_book(request, family_id):
    """The key worker books an appointment with the family."""
    family = access.family_to_manage(request.user, family_id, path=request.get_full_path())
    adults = selectors.family_adults(family=family)
    form = AppointmentForm(request.POST or None, adults=adults)
    if request.method == "POST" and form.is_valid():
        starts_at, ends_at = form.when()
        try:
            appointment = services.appointment_book(
                family=family,
                actor=request.user,
                starts_at=starts_at,
                ends_at=ends_at,
                where=form.cleaned_data["where"],
                purpose=form.cleaned_data["purpose"],
                coming=form.cleaned_data["coming"],
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("Appointment booked. The family has been told."))
            return redirect(appointment)
    return render(
        request,
        "casework/appointment_form.html",
        {"form": form, "family": family},
        status=400 if form.errors else 200,
    )


def _page(request, found, **forms):
    appointment = found.appointment
    contexts = {
        "appointment": appointment,
        "access": found,
        "coming": list(appointment.coming.all()),
        "came": list(appointment.came.all()),
        "answer_form": forms.get("answer_form") or MentorAnswerForm(),
        "show_exit_this_page": found.is_family,
    }
    if found.can_manage:
        adults = selectors.family_adults(family=appointment.family)
        contexts["record_form"] = forms.get("record_form") or AppointmentRecordForm(
            adults=adults,
            mentor_name=appointment.mentor_name if appointment.mentor_coming else "",
            initial={"came": [m.pk for m in contexts["coming"]]},
        )
    if found.is_family:
        contexts["mentor"] = selectors.family_mentor_name(family=appointment.family)
    errors = any(form.errors for form in forms.values() if form is not None)
    return render(
        request, "casework/appointment_detail.html", contexts, status=400 if errors else 200
    )


@login_required
@require_GET
def appointment_detail(request, appointment_id):
    found = access.appointment_for_user(request.user, appointment_id, path=request.get_full_path())
    return _page(request, found)


@login_required
@require_POST
def appointment_ask_mentor(request, appointment_id):
    """A parent asks their peer mentor to come with them."""
    found = access.appointment_for_user(request.user, appointment_id, path=request.get_full_path())
    if not found.is_family:
        raise Http404
    try:
        services.appointment_ask_mentor(appointment=found.appointment, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request, _("We have asked your peer mentor. We will tell you their answer.")
        )
    return redirect(found.appointment)


@login_required
@require_POST
def appointment_mentor_answer(request, appointment_id):
    """The family's mentor says whether they can come."""
    found = access.appointment_for_user(request.user, appointment_id, path=request.get_full_path())
    if not found.can_answer:
        raise Http404
    form = MentorAnswerForm(request.POST)
    if form.is_valid():
        try:
            services.appointment_mentor_answer(
                appointment=found.appointment,
                actor=request.user,
                accept=form.cleaned_data["answer"] == "yes",
                reason=form.cleaned_data["reason"],
            )
        except PermissionDenied as exc:
            raise Http404 from exc
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Thank you. The family and their key worker know."))
            return redirect(found.appointment)
    return _page(request, found, answer_form=form)


@login_required
@require_POST
def appointment_record(request, appointment_id):
    """The key worker records who came (and whether the mentor came with them)."""
    found = access.appointment_for_user(request.user, appointment_id, path=request.get_full_path())
    if not found.can_manage:
        raise Http404
    appointment = found.appointment
    form = AppointmentRecordForm(
        request.POST,
        adults=selectors.family_adults(family=appointment.family),
        mentor_name=appointment.mentor_name if appointment.mentor_coming else "",
    )
    if form.is_valid():
        try:
            services.appointment_record(
                appointment=appointment,
                actor=request.user,
                came=form.cleaned_data["came"],
                mentor_came=form.cleaned_data.get("mentor_came", False),
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Saved who came."))
            return redirect(appointment)
    return _page(request, found, record_form=form)


@login_required
@require_http_methods(["GET", "POST"])
def appointment_change(request, appointment_id):
    """The key worker moves an appointment; everyone who knew of it gets the new time."""
    found = access.appointment_for_user(request.user, appointment_id, path=request.get_full_path())
    if not found.can_manage or not found.appointment.is_open:
        raise Http404
    appointment = found.appointment
    starts = timezone.localtime(appointment.starts_at)
    form = AppointmentForm(
        request.POST or None,
        adults=selectors.family_adults(family=appointment.family),
        initial={
            "day": starts.strftime("%d/%m/%Y"),
            "starts": starts.strftime("%H:%M"),
            "ends": timezone.localtime(appointment.ends_at).strftime("%H:%M"),
            "where": appointment.where,
            "purpose": appointment.purpose,
            "coming": [m.pk for m in appointment.coming.all()],
        },
    )
    if request.method == "POST" and form.is_valid():
        starts_at, ends_at = form.when()
        try:
            services.appointment_change(
                appointment=appointment,
                actor=request.user,
                starts_at=starts_at,
                ends_at=ends_at,
                where=form.cleaned_data["where"],
                purpose=form.cleaned_data["purpose"],
                coming=form.cleaned_data["coming"],
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("Appointment changed. Everyone has been told."))
            return redirect(appointment)
    return render(
        request,
        "casework/appointment_form.html",
        {"form": form, "family": appointment.family, "changing": True},
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def appointment_cancel(request, appointment_id):
    found = access.appointment_for_user(request.user, appointment_id, path=request.get_full_path())
    if not found.can_manage:
        raise Http404
    form = CancelForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.appointment_cancel(
                appointment=found.appointment,
                actor=request.user,
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Appointment cancelled. Everyone has been told."))
            return redirect(found.appointment)
    return render(
        request,
        "casework/cancel.html",
        {"form": form, "record": found.appointment, "what": _("appointment")},
        status=400 if form.errors else 200,
    )


@login_required
@require_GET
def appointment_ics(request, appointment_id):
    """The appointment as a calendar file."""
    found = access.appointment_for_user(request.user, appointment_id, path=request.get_full_path())
    event = calendar.appointment_event(found.appointment)
    return _ics(calendar.calendar_file([event]), f"appointment-{found.appointment.pk}.ics")


@login_required
@require_GET
def calendar_feed(request):
    """Everything to come for the signed-in person: their family's appointments and
    meetings, and those they go to as a peer mentor."""
    member = core.membership(request.user)
    family = None
    if member is not None and access.adult_of(request.user, member.family) is not None:
        family = member.family
    items = selectors.calendar_for_user(user=request.user, family=family)
    events = [calendar.event_for(item) for item in items]
    return _ics(calendar.calendar_file(events), "my-appointments.ics")
