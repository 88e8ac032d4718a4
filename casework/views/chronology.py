"""The family's chronology for staff: every significant event, and entries added by hand.
Each view translates HTTP into one access check and one selector or service call."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from .. import access, selectors, services
from ..forms import ChronologyEntryForm, ChronologyFilterForm, apply_service_errors


@login_required
@require_GET
def family_chronology(request, family_id):
    """Staff: what happened with the family, newest first, filtered by whom it is about
    and by kind (the filters stay in the address, so a printed page says what it shows)."""
    found = access.chronology_for_user(request.user, family_id, path=request.get_full_path())
    members = selectors.chronology_members(family=found.family)
    kinds = selectors.chronology_kinds(viewer=found.viewer)
    form = ChronologyFilterForm(request.GET or None, members=members, kinds=kinds)
    member_ids, chosen_kinds = form.chosen()
    events = selectors.chronology(
        chronology_access=found, member_ids=member_ids, kinds=chosen_kinds
    )
    labels = {kind.slug: kind.label for kind in kinds}
    return render(
        request,
        "casework/chronology/chronology.html",
        {
            "family": found.family,
            "chronology_access": found,
            "form": form,
            "events": [(event, labels[event.kind]) for event in events],
            "filters_used": form.chosen_labels(),
            "printed_at": timezone.localtime(),
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def chronology_entry_add(request, family_id):
    """Staff add something that happened (a visit, a call) to the chronology."""
    found = access.chronology_for_user(request.user, family_id, path=request.get_full_path())
    members = [m for m in selectors.chronology_members(family=found.family) if m.left_at is None]
    form = ChronologyEntryForm(request.POST or None, members=members)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.chronology_entry_add(
                family=found.family,
                actor=request.user,
                happened_on=data["happened_on"],
                title=data["title"],
                detail=data["detail"],
                member=form.members.get(data["member"]) if data["member"] else None,
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("Added to the chronology."))
            return redirect("casework:family_chronology", family_id=found.family.pk)
    return render(
        request,
        "casework/chronology/entry_form.html",
        {"family": found.family, "form": form},
        status=400 if form.errors else 200,
    )
