"""Lists managers keep: the outcome areas and the jargon words."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from portal import access as core
from portal.forms import apply_errors

from .. import selectors, services
from ..forms import JargonForm, OutcomeAreaForm
from ..models import JargonTerm, OutcomeArea


def _manager_only(request):
    if not core.is_manager(request.user):
        raise Http404


@login_required
@require_GET
def manage_outcomes(request):
    _manager_only(request)
    return render(
        request,
        "plans/manage_outcomes.html",
        {"areas": selectors.outcome_areas(active_only=False)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def outcome_edit(request, area_id=None):
    _manager_only(request)
    area = None
    if area_id is not None:
        area = OutcomeArea.objects.filter(pk=area_id).first()
        if area is None:
            raise Http404
    if request.method == "POST":
        data = request.POST.copy()
        if area is not None:
            data["slug"] = area.slug
        form = OutcomeAreaForm(data)
        if form.is_valid():
            try:
                services.outcome_area_save(actor=request.user, area=area, **form.cleaned_data)
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("The outcome areas have been updated."))
                return redirect("plans:manage_outcomes")
    else:
        form = OutcomeAreaForm(
            initial={
                "slug": area.slug,
                "name": area.name,
                "description": area.description,
                "order": area.order,
                "active": area.active,
            }
            if area
            else None
        )
    return render(
        request,
        "plans/manage_form.html",
        {
            "form": form,
            "title": _("Outcome area"),
            "back": reverse("plans:manage_outcomes"),
            "fixed_slug": area.slug if area else "",
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_GET
def manage_jargon(request):
    _manager_only(request)
    return render(request, "plans/manage_jargon.html", {"terms": JargonTerm.objects.all()})


@login_required
@require_http_methods(["GET", "POST"])
def jargon_edit(request, term_id=None):
    _manager_only(request)
    jargon = None
    if term_id is not None:
        jargon = JargonTerm.objects.filter(pk=term_id).first()
        if jargon is None:
            raise Http404
    if request.method == "POST":
        form = JargonForm(request.POST)
        if form.is_valid():
            try:
                services.jargon_term_save(actor=request.user, jargon=jargon, **form.cleaned_data)
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("The jargon list has been updated."))
                return redirect("plans:manage_jargon")
    else:
        form = JargonForm(
            initial={
                "term": jargon.term,
                "alternative": jargon.alternative,
                "active": jargon.active,
            }
            if jargon
            else None
        )
    return render(
        request,
        "plans/manage_form.html",
        {"form": form, "title": _("Jargon word"), "back": reverse("plans:manage_jargon")},
        status=400 if form.errors else 200,
    )
