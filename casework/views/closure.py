"""Closing the work with a family, what the family reads after, the six-month page and
the managers' settings. Each view translates HTTP into one service or selector call."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from portal import plain_english
from portal.forms import apply_errors

from .. import access, selectors, services
from ..forms import CaseworkSettingsForm, CloseForm, FollowUpForm
from ..models import CaseworkSettings


@login_required
@require_http_methods(["GET", "POST"])
def episode_close(request, family_id):
    """The key worker closes the work: when, why, a summary for the family, each need."""
    episode = access.episode_to_close(request.user, family_id, path=request.get_full_path())
    needs = selectors.episode_needs(episode=episode)
    form = CloseForm(
        request.POST if request.method == "POST" else None,
        needs=needs,
        initial={"closed_on": timezone.localdate().strftime("%d/%m/%Y")},
    )
    report = None
    if request.method == "POST":
        report = plain_english.check(request.POST.get("summary", ""))
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.episode_close(
                    episode=episode,
                    actor=request.user,
                    closed_on=data["closed_on"],
                    reason=data["reason"],
                    summary=data["summary"],
                    met=form.met(),
                    social_care_referral=data["social_care_referral"],
                )
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("The work is closed. The family has been told."))
                return redirect("portal:family_detail", family_id=episode.family_id)
    return render(
        request,
        "casework/closure/close.html",
        {"form": form, "family": episode.family, "episode": episode, "report": report},
        status=400 if form.errors else 200,
    )


@login_required
@require_GET
def yours_closed(request):
    """A family's adult reads the closing summary and which needs were met."""
    episode, member = access.own_closed_episode(request.user)
    return render(
        request,
        "casework/closure/yours_closed.html",
        {
            "show_exit_this_page": True,
            **selectors.closed_for_family(episode=episode, member=member),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def how_are_things(request, follow_up_id):
    follow_up, member = access.follow_up_for_user(request.user, follow_up_id)
    form = FollowUpForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and not follow_up.answer and form.is_valid():
        try:
            services.follow_up_answer(
                follow_up=follow_up,
                member=member,
                answer=form.cleaned_data["answer"],
                words=form.cleaned_data["words"],
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Thank you for telling us."))
            return redirect("casework:how_are_things", follow_up_id=follow_up.pk)
    return render(
        request,
        "casework/closure/how_are_things.html",
        {"form": form, "follow_up": follow_up, "show_exit_this_page": True},
        status=400 if form.errors else 200,
    )


@login_required
@require_GET
def six_months(request):
    """Families whose six-month check is under way or broken, and what they answered."""
    key_worker = access.six_months_gate(request.user)
    rows = selectors.six_month_rows(key_worker=key_worker)
    access.audit_six_months_read(
        request.user, families=[row.episode.family for row in rows], path=request.get_full_path()
    )
    return render(
        request,
        "casework/closure/six_months.html",
        {"rows": rows, "all": key_worker is None},
    )


@login_required
@require_POST
def need_not_sustained(request, need_id):
    need = access.need_to_mark(request.user, need_id, path=request.get_full_path())
    try:
        services.need_not_sustained_mark(need=need, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Marked as not sustained."))
    return redirect("casework:six_months")


@login_required
@require_http_methods(["GET", "POST"])
def settings_page(request):
    """Service managers choose how long a closed family can still read its plan."""
    access.manager_gate(request.user)
    current = CaseworkSettings.load()
    form = CaseworkSettingsForm(
        request.POST if request.method == "POST" else None,
        initial={"read_access_days": current.read_access_days},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.casework_settings_update(
                actor=request.user, read_access_days=form.cleaned_data["read_access_days"]
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("casework:settings")
    return render(
        request,
        "casework/closure/settings.html",
        {"form": form, "current": current},
        status=400 if form.errors else 200,
    )
