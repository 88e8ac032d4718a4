"""The intervention library: finding an idea, an idea's own page with the services that
deliver it and how it has been used, proposing one, and managers approving or retiring."""

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
from portal import plain_english
from portal.converters import id_or_404
from portal.forms import apply_errors

from .. import access, selectors, services
from ..forms import TemplateForm, TemplateReviewForm, TemplateSearchForm
from ..models import InterventionTemplate
from ._common import path_of

MINE = "mine"  # the library's filter for a person's own proposals


def _statuses(lib: access.LibraryAccess) -> list[tuple[str, str]]:
    """What the library may show the person besides the approved ideas."""
    if lib.is_manager:
        return [
            (InterventionTemplate.Status.APPROVED, _("Ideas in the library")),
            (InterventionTemplate.Status.PROPOSED, _("Ideas waiting for a manager")),
            (InterventionTemplate.Status.RETIRED, _("Retired ideas")),
        ]
    if lib.may_propose:
        return [
            (InterventionTemplate.Status.APPROVED, _("Ideas in the library")),
            (MINE, _("Ideas I proposed")),
        ]
    return []


@login_required
@require_GET
def templates(request):
    """The intervention library: search and filter by outcome area and agency."""
    lib = access.library_access(request.user)
    statuses = _statuses(lib)
    form = TemplateSearchForm(
        request.GET or None, agencies=selectors.library_agencies(), statuses=statuses
    )
    query = outcome = ""
    agency: int | str | None = None
    status = InterventionTemplate.Status.APPROVED
    if form.is_valid():
        data = form.cleaned_data
        query, outcome, agency = data["q"].strip(), data["outcome"], data["agency"]
        status = data.get("status") or status
    found = selectors.templates_search(
        query=query,
        outcome=outcome,
        agency=agency,
        status=InterventionTemplate.Status.PROPOSED if status == MINE else status,
        proposed_by=request.user if status == MINE else None,
        visible=lib.visible_filter(),
    )
    page = Paginator(found, 20).get_page(request.GET.get("page"))
    goal = None
    goal_id = request.GET.get("goal", "")
    if goal_id:
        goal, _acc = access.goal_for_user(request.user, id_or_404(goal_id), path=path_of(request))
    return render(
        request,
        "plans/templates.html",
        {
            "form": form,
            "page": page,
            "goal": goal,
            "lib": lib,
            "is_member": lib.is_member,
            "can_suggest": goal is not None
            and (lib.is_manager or core.is_key_worker(request.user)),
            "approved": status == InterventionTemplate.Status.APPROVED,
            "query": query,
            "outcome": outcome,
            "agency": agency,
            "status": status,
        },
    )


@login_required
@require_GET
def template_detail(request, template_id):
    """One idea: what it is, whose it is, the services that deliver it, and (for staff)
    how often it has been used and how its goals were rated."""
    template, lib = access.template_for_user(request.user, template_id)
    return render(
        request,
        "plans/template.html",
        {
            "template": template,
            "lib": lib,
            "services": selectors.template_services(template=template),
            "usage": selectors.template_usage(template=template) if lib.sees_usage else None,
            "fewest": selectors.FEWEST_FAMILIES,
            "review_form": TemplateReviewForm() if lib.may_review else None,
            "may_edit": lib.is_manager
            or (
                template.created_by_id == request.user.pk
                and template.status == InterventionTemplate.Status.PROPOSED
            ),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def template_edit(request, template_id=None):
    """Propose an idea (anyone on a family's team), or change one (managers, and the
    person who proposed it until it is reviewed)."""
    lib = access.library_access(request.user)
    if not lib.may_propose:
        raise Http404
    template = None
    if template_id is not None:
        template, lib = access.template_for_user(request.user, template_id)
    choices = selectors.directory_choices()
    if request.method == "POST":
        form = TemplateForm(request.POST, services=choices)
        if form.is_valid():
            data = dict(form.cleaned_data)
            try:
                saved = services.template_save(
                    actor=request.user,
                    template=template,
                    service_ids=data.pop("services"),
                    **data,
                )
            except PermissionDenied as exc:
                raise Http404 from exc
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(
                    request,
                    _("The library has been updated.")
                    if saved.is_approved
                    else _("Thank you. A manager will look at your idea."),
                )
                return redirect("plans:template", template_id=saved.pk)
    elif template is not None:
        form = TemplateForm(
            initial={
                "title": template.title,
                "summary": template.summary,
                "step_text": template.step_text,
                "who": template.who,
                "provider": template.provider,
                "outcome_areas": list(template.outcome_areas.all()),
                "services": template.service_ids,
            },
            services=choices,
        )
    else:
        form = TemplateForm(services=choices)
    reports = {}
    if form.is_bound:
        for name in ("summary", "step_text"):
            reports[name] = plain_english.check(form.data.get(name, ""))
    agency = lib.team_member.agency.name if lib.team_member is not None else ""
    return render(
        request,
        "plans/template_form.html",
        {
            "form": form,
            "template": template,
            "reports": reports,
            "lib": lib,
            "agency": template.agency_label if template else agency,
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def template_review(request, template_id):
    """A manager approves an idea into the library or retires it, with a reason."""
    template, lib = access.template_for_user(request.user, template_id)
    if not lib.may_review:
        raise Http404
    form = TemplateReviewForm(request.POST)
    if form.is_valid():
        try:
            reviewed = services.template_review(
                template=template,
                actor=request.user,
                decision=form.cleaned_data["decision"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(
                request,
                _("The idea is in the library.")
                if reviewed.is_approved
                else _("The idea has been retired."),
            )
            return redirect("plans:template", template_id=template.pk)
    return render(
        request,
        "plans/template.html",
        {
            "template": template,
            "lib": lib,
            "services": selectors.template_services(template=template),
            "usage": selectors.template_usage(template=template),
            "fewest": selectors.FEWEST_FAMILIES,
            "review_form": form,
            "may_edit": True,
        },
        status=400,
    )
