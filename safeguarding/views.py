"""Concern pages. Each view translates HTTP into one service or selector call."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from portal import access as core
from portal.forms import apply_errors
from portal.models import FamilyMember

from . import access, selectors, services
from .forms import DecisionForm, DutyManagerForm, ParentRaiseForm, RaiseForm

TOO_MANY = _(
    "You have told us about a lot of worries in the last hour. If you or a child are in danger now, call 999. Otherwise call the team on %(phone)s."
)


def raise_from_form(request, form, **kwargs):
    """Raise the concern the valid ``form`` describes; the concern, or None with the form
    given the errors. Shared by every page that raises one (here, mentors', messages')."""
    from django.conf import settings

    try:
        return services.concern_raise(raised_by=request.user, **kwargs)
    except services.TooManyConcerns:
        form.add_error(None, TOO_MANY % {"phone": settings.SERVICE_PHONE})
    except ValidationError as exc:
        apply_errors(form, exc)
    return None


def _received(request, concern):
    messages.success(request, _("Thank you for telling us. We have received it."))
    return redirect(concern.get_receipt_url())


@login_required
@require_http_methods(["GET", "POST"])
def raise_own(request):
    """A parent: "I am worried about my safety or a child's"."""
    member = core.membership(request.user)
    if member is None or member.relationship == FamilyMember.Relationship.CHILD:
        raise Http404
    form = ParentRaiseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        concern = raise_from_form(
            request,
            form,
            family=member.family,
            about=form.cleaned_data["about"],
            details=form.cleaned_data["details"],
        )
        if concern is not None:
            return _received(request, concern)
    return render(
        request,
        "safeguarding/raise.html",
        {"form": form, "for_parent": True},
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def raise_about_family(request, family_id):
    """Staff, or the family's mentor, raise a concern from the family's record."""
    family = access.family_to_raise_about(request.user, family_id, path=request.get_full_path())
    form = RaiseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            concern = raise_from_form(
                request,
                form,
                family=family,
                about=form.cleaned_data["about"],
                details=form.cleaned_data["details"],
            )
        except PermissionDenied as exc:
            raise Http404 from exc
        if concern is not None:
            return _received(request, concern)
    return render(
        request,
        "safeguarding/raise.html",
        {"form": form, "family": family},
        status=400 if form.errors else 200,
    )


@login_required
@require_GET
def receipt(request, concern_id):
    """What the person who raised a concern sees: received, and what happened if shared."""
    concern = access.receipt_for_user(request.user, concern_id)
    return render(request, "safeguarding/receipt.html", {"concern": concern})


@login_required
@require_GET
def raised(request):
    """The concerns this person raised, with whether each has an answer for them."""
    return render(
        request, "safeguarding/raised.html", {"concerns": selectors.raised_by(user=request.user)}
    )


@login_required
@require_GET
def concern_list(request):
    """Managers: every concern waiting for a decision, then decided ones. Key workers: those
    about their caseload."""
    access.list_gate(request.user)
    key_worker = None if core.is_manager(request.user) else request.user
    waiting = list(selectors.concerns_waiting(key_worker=key_worker))
    decided = Paginator(selectors.concerns_decided(key_worker=key_worker), 25).get_page(
        request.GET.get("page")
    )
    access.audit_list_read(
        request.user, concerns=[*waiting, *decided.object_list], path=request.get_full_path()
    )
    return render(
        request,
        "safeguarding/list.html",
        {"waiting": waiting, "page": decided, "is_manager": key_worker is None},
    )


def _detail(request, concern_access, form=None, status=200):
    concern = concern_access.concern
    if form is None and concern_access.can_decide:
        form = DecisionForm(owners=services.action_owners(family=concern.family))
    return render(
        request,
        "safeguarding/detail.html",
        {
            "concern": concern,
            "concern_access": concern_access,
            "actions": selectors.concern_actions(concern=concern),
            "form": form,
        },
        status=status,
    )


@login_required
@require_GET
def concern_detail(request, concern_id):
    concern_access = access.concern_for_user(request.user, concern_id, path=request.get_full_path())
    return _detail(request, concern_access)


@login_required
@require_POST
def concern_decide(request, concern_id):
    concern_access = access.concern_for_user(request.user, concern_id, path=request.get_full_path())
    if not concern_access.can_decide:
        raise Http404
    concern = concern_access.concern
    form = DecisionForm(request.POST, owners=services.action_owners(family=concern.family))
    if form.is_valid():
        try:
            services.concern_decide(
                concern_access=concern_access,
                actor=request.user,
                decision=form.cleaned_data["decision"],
                notes=form.cleaned_data["notes"],
                actions=form.actions(),
                outcome_for_raiser=form.cleaned_data["outcome_for_raiser"]
                if form.cleaned_data["share"]
                else "",
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Decision recorded."))
            return redirect(concern)
    return _detail(request, concern_access, form=form, status=400)


@login_required
@require_http_methods(["GET", "POST"])
def duty_rota(request):
    """Managers set who is the duty manager on each day."""
    access.manager_gate(request.user)
    form = DutyManagerForm(request.POST or None, managers=selectors.managers())
    if request.method == "POST" and form.is_valid():
        services.duty_manager_set(
            day=form.cleaned_data["day"],
            manager=form.managers[form.cleaned_data["manager"]],
            actor=request.user,
        )
        messages.success(request, _("Duty manager saved."))
        return redirect("safeguarding:duty")
    return render(
        request,
        "safeguarding/duty.html",
        {"form": form, "rota": selectors.duty_rota()},
        status=400 if form.errors else 200,
    )
