"""Referrals: a partner or the family asks for help; a service manager decides."""

from __future__ import annotations

import hashlib
from datetime import date

from allauth.account.adapter import get_adapter
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from portal import ratelimit
from portal.access import public
from portal.forms import apply_errors
from portal.models import FamilyMember
from portal.ratelimit import Limit

from .. import access, selectors, services
from ..forms import AskForHelpForm, ReferralDecisionForm, ReferralForm
from ..models import Outcome, Referral

# Asking for help is open to everyone: ten requests an hour from one place is plenty
# even for a refuge or a library where families share an address, and stops a script
# filling the managers' queue. Only requests that would be sent are counted, so someone
# putting mistakes right is never refused.
ASK_LIMIT = Limit("casework:ask_for_help", 10, 60 * 60)


def _visitor_id(request) -> int:
    """Whom the ask-for-help limit counts: the person if signed in, otherwise the address
    the request came from (as allauth reads it behind the proxy). Visitors have no session
    until they sign in, and clearing cookies would start a new one, so the address it is."""
    if request.user.is_authenticated:
        return int(request.user.pk)
    try:
        address = get_adapter().get_client_ip(request)
    except PermissionDenied:
        address = ""
    digest = hashlib.sha256(address.encode()).digest()
    # Negative, so a visitor's count is never a signed-in person's.
    return -int.from_bytes(digest[:8], "big") - 1


@login_required
@require_http_methods(["GET", "POST"])
def referral_new(request):
    """A practitioner refers a family."""
    referrer = access.referrer_gate(request.user)
    agencies = access.referring_agencies(referrer)
    form = ReferralForm(request.POST or None, agencies=agencies)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            referral = services.referral_make(
                actor=referrer,
                agency=form.chosen_agency(),
                surname=data["surname"],
                postcode=data["postcode"],
                people=form.people(),
                worries=data["worries"],
                outcomes=data["outcomes"],
                consent=data["consent"] == "yes",
                no_consent_reason=data["no_consent_reason"],
            )
        except ValidationError as exc:
            form.service_errors(exc)
        else:
            return redirect("casework:referral_sent", referral_id=referral.pk)
    return render(
        request,
        "casework/referrals/new.html",
        {"form": form},
        status=400 if form.errors else 200,
    )


@login_required
@require_GET
def referral_sent(request, referral_id):
    referral = access.referral_for_referrer(request.user, referral_id)
    return render(request, "casework/referrals/sent.html", {"referral": referral})


@login_required
@require_GET
def referrals_mine(request):
    """What the practitioner referred and the outcome of each: nothing of the family."""
    referrer = access.referrer_gate(request.user)
    referrals = selectors.referrals_made(user=referrer)
    return render(
        request,
        "casework/referrals/mine.html",
        {"rows": [(r, services.referral_outcome(referral=r)) for r in referrals]},
    )


@public
@require_http_methods(["GET", "POST"])
def ask_for_help(request):
    """A family asks for help themselves, without signing in."""
    form = AskForHelpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if ratelimit.exceeded(ASK_LIMIT, _visitor_id(request)):
            return ratelimit.too_many(request, ASK_LIMIT)
        data = form.cleaned_data
        try:
            services.referral_ask_for_help(
                contact=form.contact(),
                surname=data["surname"],
                postcode=data["postcode"],
                people=form.people(),
                worries=data["worries"],
                outcomes=data["outcomes"],
            )
        except ValidationError as exc:
            form.service_errors(exc)
        else:
            return redirect("casework:ask_for_help_sent")
    return render(
        request,
        "casework/referrals/ask.html",
        {"form": form, "show_exit_this_page": True},
        status=400 if form.errors else 200,
    )


@public
@require_GET
def ask_for_help_sent(request):
    return render(request, "casework/referrals/ask_sent.html", {"show_exit_this_page": True})


@login_required
@require_GET
def referral_queue(request):
    """The service managers' referrals: those waiting first, the longest wait at the top."""
    access.referral_queue_gate(request.user, path=request.get_full_path())
    return render(request, "casework/referrals/queue.html", selectors.referral_queue())


def _outcome_labels(referral: Referral) -> list[str]:
    labels = dict(Outcome.choices)
    return [str(labels[value]) for value in referral.outcomes if value in labels]


def _people(referral: Referral) -> list[dict[str, object]]:
    """Who the referrer said is in the family, with the relationship in words."""
    labels = dict(FamilyMember.Relationship.choices)
    rows = []
    for person in referral.people:
        born = person.get("date_of_birth") or ""
        rows.append(
            {
                "name": person.get("name", ""),
                "relationship": labels.get(person.get("relationship", ""), ""),
                "date_of_birth": date.fromisoformat(born) if born else None,
            }
        )
    return rows


@login_required
@require_http_methods(["GET", "POST"])
def referral_detail(request, referral_id):
    """What the referrer wrote, the families it may be about, and (while it waits) the
    manager's decision, checked on a second page before it is made."""
    path = request.get_full_path()
    found = access.referral_for_user(request.user, referral_id, path=path)
    referral = found.referral
    if request.method == "POST" and not found.can_decide:
        raise Http404
    context = {
        "referral": referral,
        "outcome": services.referral_outcome(referral=referral),
        "outcome_labels": _outcome_labels(referral),
        "people": _people(referral),
        "can_decide": found.can_decide,
    }
    if not found.can_decide:
        return render(request, "casework/referrals/detail.html", context)
    candidates = selectors.possible_duplicates(referral)
    access.audit_duplicates_shown(request.user, referral=referral, families=candidates, path=path)
    services_list = selectors.directory_services()
    form = ReferralDecisionForm(
        request.POST or None,
        candidates=candidates,
        key_workers=selectors.key_workers_to_allocate(),
        services=services_list,
    )
    context |= {
        "form": form,
        "candidates": [(f, selectors.rereferral_closed_on(f)) for f in candidates],
    }
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        family = form.chosen_family()
        if "change" in request.POST:
            return render(request, "casework/referrals/detail.html", context)
        if not data["confirm"]:
            return render(
                request,
                "casework/referrals/confirm.html",
                context
                | {
                    "family": family,
                    "lead": form.chosen_lead(),
                    "signpost_name": form.services.get(data["service"] or 0, ""),
                    "rereferral_closed_on": selectors.rereferral_closed_on(family)
                    if family is not None and data["decision"] == "accepted"
                    else None,
                },
            )
        try:
            services.referral_decide(
                referral=referral,
                actor=request.user,
                decision=data["decision"],
                family=family,
                lead=form.chosen_lead() if data["decision"] == "accepted" else None,
                service_id=data["service"] if data["decision"] == "signposted" else None,
                note=data["note"],
                handover_note=data["handover_note"],
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Decision made. Whoever referred has been told."))
            return redirect(reverse("casework:referral_queue") + f"#referral-{referral.pk}")
    return render(
        request,
        "casework/referrals/detail.html",
        context,
        status=400 if form.errors else 200,
    )
