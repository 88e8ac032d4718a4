"""The intervention library: finding a template, and key workers and managers keeping it."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from portal import access as core
from portal import plain_english
from portal.converters import id_or_404
from portal.forms import apply_errors

from .. import access, selectors, services
from ..forms import TemplateForm, TemplateSearchForm
from ..models import InterventionTemplate
from ._common import path_of


def _library_user(user) -> bool:
    return core.membership(user) is not None or core.is_key_worker(user) or core.is_manager(user)


@login_required
@require_GET
def templates(request):
    """The intervention library: search and filter by outcome area."""
    if not _library_user(request.user):
        raise Http404
    form = TemplateSearchForm(request.GET or None)
    query = outcome = ""
    if form.is_valid():
        query, outcome = form.cleaned_data["q"].strip(), form.cleaned_data["outcome"]
    page = Paginator(selectors.templates_search(query=query, outcome=outcome), 20).get_page(
        request.GET.get("page")
    )
    goal = None
    goal_id = request.GET.get("goal", "")
    if goal_id:
        goal, _acc = access.goal_for_user(request.user, id_or_404(goal_id), path=path_of(request))
    member = core.membership(request.user)
    return render(
        request,
        "plans/templates.html",
        {
            "form": form,
            "page": page,
            "goal": goal,
            "is_member": member is not None,
            "can_curate": core.is_key_worker(request.user) or core.is_manager(request.user),
            "query": query,
            "outcome": outcome,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def template_edit(request, template_id=None):
    if not (core.is_key_worker(request.user) or core.is_manager(request.user)):
        raise Http404
    template = None
    if template_id is not None:
        template = InterventionTemplate.objects.filter(pk=template_id).first()
        if template is None:
            raise Http404
    if request.method == "POST":
        form = TemplateForm(request.POST)
        if form.is_valid():
            try:
                services.template_save(actor=request.user, template=template, **form.cleaned_data)
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("The library has been updated."))
                return redirect("plans:templates")
    elif template is not None:
        form = TemplateForm(
            initial={
                "title": template.title,
                "summary": template.summary,
                "step_text": template.step_text,
                "who": template.who,
                "provider": template.provider,
                "outcome_areas": list(template.outcome_areas.all()),
                "active": template.active,
            }
        )
    else:
        form = TemplateForm()
    reports = {}
    if form.is_bound:
        for name in ("summary", "step_text"):
            reports[name] = plain_english.check(form.data.get(name, ""))
    return render(
        request,
        "plans/template_form.html",
        {"form": form, "template": template, "reports": reports},
        status=400 if form.errors else 200,
    )
