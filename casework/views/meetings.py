"""Team meeting pages. Each view translates HTTP into one service or selector call."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from plans import selectors as plan_selectors
from portal.forms import apply_errors

from .. import access, calendar, selectors, services
from ..forms import (
    ActionFormSet,
    CancelForm,
    MeetingForm,
    MeetingRecordForm,
    MeetingWhenForm,
    apply_service_errors,
)


@login_required
@require_http_methods(["GET", "POST"])
def meeting_arrange(request, family_id):
    """The key worker arranges a team-around-the-family meeting."""
    family = access.family_to_manage(request.user, family_id, path=request.get_full_path())
    adults = selectors.family_adults(family=family)
    mentor_name = selectors.family_mentor_name(family=family)
    form = MeetingForm(
        request.POST or None,
        adults=adults,
        team=selectors.family_team(family=family),
        mentor_name=mentor_name,
        initial={"members": [m.pk for m in adults], "where": "place"},
    )
    if request.method == "POST" and form.is_valid():
        starts_at, ends_at = form.when()
        try:
            meeting = services.meeting_arrange(
                family=family,
                actor=request.user,
                starts_at=starts_at,
                ends_at=ends_at,
                where=form.cleaned_data["where"],
                place=form.cleaned_data["place"],
                members=form.cleaned_data["members"],
                practitioners=form.cleaned_data["practitioners"],
                invite_mentor=form.cleaned_data.get("invite_mentor", False),
                staff_notes=form.cleaned_data["staff_notes"],
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("Meeting arranged. Everyone invited has been told."))
            return redirect(meeting)
    return render(
        request,
        "casework/meeting_form.html",
        {"form": form, "family": family, "title": _("Arrange a team meeting")},
        status=400 if form.errors else 200,
    )


@login_required
@require_GET
def meeting_detail(request, meeting_id):
    found = access.meeting_for_user(request.user, meeting_id, path=request.get_full_path())
    return render(
        request,
        "casework/meeting_detail.html",
        {
            "meeting": found.meeting,
            "access": found,
            "show_exit_this_page": found.is_family,
            **selectors.meeting_page(meeting=found.meeting),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def meeting_change(request, meeting_id):
    found = access.meeting_for_user(request.user, meeting_id, path=request.get_full_path())
    if not found.can_manage:
        raise Http404
    meeting = found.meeting
    form = MeetingWhenForm(
        request.POST or None,
        initial={
            "day": meeting.starts_at,
            "starts": meeting.starts_at,
            "ends": meeting.ends_at,
            "where": meeting.where,
            "place": meeting.place,
        },
    )
    if request.method == "GET":
        from django.utils import timezone

        starts, ends = timezone.localtime(meeting.starts_at), timezone.localtime(meeting.ends_at)
        form.initial.update(
            day=starts.strftime("%d/%m/%Y"),
            starts=starts.strftime("%H:%M"),
            ends=ends.strftime("%H:%M"),
        )
    if request.method == "POST" and form.is_valid():
        starts_at, ends_at = form.when()
        try:
            services.meeting_change(
                meeting=meeting,
                actor=request.user,
                starts_at=starts_at,
                ends_at=ends_at,
                where=form.cleaned_data["where"],
                place=form.cleaned_data["place"],
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("Meeting changed. Everyone invited has been told."))
            return redirect(meeting)
    return render(
        request,
        "casework/meeting_form.html",
        {"form": form, "family": meeting.family, "title": _("Change the meeting")},
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def meeting_cancel(request, meeting_id):
    found = access.meeting_for_user(request.user, meeting_id, path=request.get_full_path())
    if not found.can_manage:
        raise Http404
    form = CancelForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.meeting_cancel(
                meeting=found.meeting, actor=request.user, reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Meeting cancelled. Everyone invited has been told."))
            return redirect(found.meeting)
    return render(
        request,
        "casework/cancel.html",
        {"form": form, "record": found.meeting, "what": _("meeting")},
        status=400 if form.errors else 200,
    )


def _who_choices(found, invites):
    """Who may do an action: the adults and team members invited, the key worker, the
    mentor (as a plan names them)."""
    labels = dict(plan_selectors.step_who_choices())
    choices = [("key_worker", labels["key_worker"])]
    for invite in invites:
        if invite.member is not None:
            choices.append((f"member:{invite.member.pk}", invite.member.name))
        elif invite.practitioner is not None:
            choices.append(
                (f"partner:{invite.practitioner.pk}", invite.practitioner.name_with_agency)
            )
        else:
            choices.append(("mentor", labels["mentor"]))
    return choices


def _owner(value: str, invites):
    who, _sep, ident = value.partition(":")
    for invite in invites:
        if who == "member" and invite.member is not None and str(invite.member.pk) == ident:
            return who, invite.member, None
        if (
            who == "partner"
            and invite.practitioner is not None
            and str(invite.practitioner.pk) == ident
        ):
            return who, None, invite.practitioner
    return who, None, None


@login_required
@require_http_methods(["GET", "POST"])
def meeting_record(request, meeting_id):
    """After the meeting: who came, the actions agreed (they become plan steps) and notes."""
    found = access.meeting_for_user(request.user, meeting_id, path=request.get_full_path())
    if not found.can_manage:
        raise Http404
    meeting = found.meeting
    invites = selectors.meeting_page(meeting=meeting)["invites"]
    goal_choices = plan_selectors.goals_for_meeting_actions(family=meeting.family)
    data = request.POST or None
    form = MeetingRecordForm(
        data,
        invites=invites,
        initial={"attended": [str(i.pk) for i in invites], "staff_notes": meeting.staff_notes},
    )
    actions = ActionFormSet(
        data,
        prefix="actions",
        form_kwargs={"who_choices": _who_choices(found, invites), "goal_choices": goal_choices},
    )
    if request.method == "POST" and form.is_valid() and actions.is_valid():
        agreed = []
        for action in actions.cleaned_data:
            if not action or not action.get("text"):
                continue
            who, member, practitioner = _owner(action["who"], invites)
            agreed.append(
                services.ActionInput(
                    text=action["text"],
                    who=who,
                    goal_id=action["goal"],
                    member=member,
                    practitioner=practitioner,
                    due_date=action.get("due_date"),
                )
            )
        try:
            services.meeting_record(
                meeting=meeting,
                actor=request.user,
                attended=[int(pk) for pk in form.cleaned_data["attended"]],
                actions=agreed,
                staff_notes=form.cleaned_data["staff_notes"],
                family_notes=form.cleaned_data["family_notes"],
                notes_agreed=form.cleaned_data["notes_agreed"],
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Meeting recorded. The actions are on the family's plan."))
            return redirect(meeting)
    errors = bool(form.errors) or any(f.errors for f in actions.forms)
    return render(
        request,
        "casework/meeting_record.html",
        {"form": form, "actions": actions, "meeting": meeting, "goal_choices": goal_choices},
        status=400 if errors else 200,
    )


@login_required
@require_GET
def meeting_ics(request, meeting_id):
    found = access.meeting_for_user(request.user, meeting_id, path=request.get_full_path())
    response = HttpResponse(
        calendar.calendar_file([calendar.meeting_event(found.meeting)]),
        content_type="text/calendar; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="meeting-{found.meeting.pk}.ics"'
    return response
