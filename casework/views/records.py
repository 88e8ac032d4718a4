"""Agency records pages. Each view translates HTTP into service and selector calls."""

from __future__ import annotations

import base64

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from portal import access as core
from portal.forms import apply_errors

from .. import access, selectors, services
from ..forms import (
    CorrectionForm,
    ImportForm,
    RecordChooseForm,
    RecordFilterForm,
    RecordForm,
    RecordKindForm,
    RetireForm,
)
from ..imports import COLUMNS

# The file being checked, between its preview and its confirmation: kept in the person's
# own session (never in the form), with the import's id; the import keeps its digest.
SESSION_KEY = "casework_import"


def _members(records_access):
    members, _kinds = selectors.record_filters(records_access=records_access)
    return [m for m in members if m.left_at is None]


@login_required
@require_GET
def family_records(request, family_id):
    """Staff: the family's agency records, newest first, corrections beside what they
    correct. The family's adults are sent to their own page in plain words."""
    records_access = access.family_records_for_user(
        request.user, family_id, path=request.get_full_path()
    )
    if records_access.is_member:
        return redirect("casework:yours")
    members, kinds = selectors.record_filters(records_access=records_access)
    form = RecordFilterForm(request.GET or None, members=members, kinds=kinds)
    member_id = kind_id = None
    if form.is_valid():
        member_id, kind_id = form.cleaned_data["member"], form.cleaned_data["kind"]
    records = selectors.family_records(
        records_access=records_access, member_id=member_id, kind_id=kind_id
    )
    return render(
        request,
        "casework/records.html",
        {
            "family": records_access.family,
            "records_access": records_access,
            "records": records,
            "form": form,
            "can_record": bool(records_access.recordable_kinds()),
            "correctable": {r.pk for r in records if records_access.may_correct(r)},
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_GET
def record_choose(request, family_id):
    """A partner chooses what they are recording."""
    records_access = access.family_records_for_user(
        request.user, family_id, path=request.get_full_path()
    )
    kinds = records_access.recordable_kinds()
    if not kinds:
        raise Http404
    form = RecordChooseForm(request.GET or None, kinds=kinds)
    if request.GET and form.is_valid():
        return redirect(
            "casework:record_add", family_id=family_id, kind_id=form.cleaned_data["kind"]
        )
    return render(
        request,
        "casework/record_choose.html",
        {"family": records_access.family, "form": form},
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def record_add(request, family_id, kind_id):
    records_access = access.family_records_for_user(
        request.user, family_id, path=request.get_full_path()
    )
    kind = next((k for k in records_access.recordable_kinds() if k.pk == kind_id), None)
    if kind is None:
        raise Http404
    form = RecordForm(request.POST or None, kind=kind, members=_members(records_access))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.agency_record_add(
                records_access=records_access,
                kind=kind,
                member=form.member_chosen(),
                value=data["value"],
                starts=data["starts"],
                ends=data.get("ends"),
                note=data["note"],
                recorder=request.user,
            )
        except PermissionDenied as exc:
            raise Http404 from exc
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("%(kind)s recorded.") % {"kind": kind.name})
            return redirect("casework:family_records", family_id=family_id)
    return render(
        request,
        "casework/record_form.html",
        {"family": records_access.family, "kind": kind, "form": form},
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def record_correct(request, record_id):
    """The agency that recorded an entry corrects it, with a reason: a new entry."""
    record, records_access = access.record_for_user(
        request.user, record_id, path=request.get_full_path()
    )
    if not records_access.may_correct(record):
        raise Http404
    initial = {
        "member": record.member_id,
        "value": record.value_input
        if record.kind.value_type != "yes_no"
        else ("yes" if record.flag else "no"),
        "starts": record.starts,
        "ends": record.ends,
        "note": record.note,
    }
    form = CorrectionForm(
        request.POST or None,
        initial=initial,
        kind=record.kind,
        members=_members(records_access),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.agency_record_correct(
                records_access=records_access,
                record=record,
                member=form.member_chosen(),
                value=data["value"],
                starts=data["starts"],
                ends=data.get("ends"),
                note=data["note"],
                reason=data["reason"],
                recorder=request.user,
            )
        except PermissionDenied as exc:
            raise Http404 from exc
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The correction is recorded beside the entry."))
            return redirect("casework:family_records", family_id=record.family_id)
    return render(
        request,
        "casework/record_correct.html",
        {"family": record.family, "record": record, "kind": record.kind, "form": form},
        status=400 if form.errors else 200,
    )


@login_required
@require_GET
def yours(request):
    """A parent or carer: what services have recorded about them, their children and
    the household, in plain words."""
    member = core.membership(request.user)
    if member is None or not member.is_adult:
        raise Http404
    family, found = core.family_for_user(request.user, member.family_id)
    records_access = access.records_access(request.user, family, family_access=found)
    return render(
        request,
        "casework/yours.html",
        {
            "family": family,
            "records": selectors.current_records(records_access=records_access),
            "show_exit_this_page": True,
        },
    )


# Kinds: service managers ----------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def kinds(request):
    """Service managers define the kinds of fact agencies record."""
    access.manager_gate(request.user)
    form = RecordKindForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            kind = services.record_kind_create(
                actor=request.user,
                name=data["name"],
                family_label=data["family_label"],
                value_type=data["value_type"],
                statuses=form.status_list(),
                about=data["about"],
                period=data["period"],
                outcome=data["outcome"],
                agency_kinds=data["agency_kinds"],
                sensitive=data["sensitive"],
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("%(name)s was added.") % {"name": kind.name})
            return redirect("casework:kinds")
    return render(
        request,
        "casework/kinds.html",
        {"kinds": selectors.kinds_for_managers(), "form": form},
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def kind_retire(request, kind_id):
    kind = access.kind_for_manager(request.user, kind_id)
    if not kind.is_active:
        raise Http404
    form = RetireForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.record_kind_retire(
                kind=kind, reason=form.cleaned_data["reason"], actor=request.user
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(
                request, _("%(name)s is retired: no one records it now.") % {"name": kind.name}
            )
            return redirect("casework:kinds")
    return render(
        request,
        "casework/kind_retire.html",
        {"kind": kind, "form": form},
        status=400 if form.errors else 200,
    )


# Imports: partners ------------------------------------------------------------------------


def _import_form(request, data=None, files=None, initial=None):
    agencies = access.importing_agencies(request.user)
    kinds = [
        kind
        for kind in access.active_kinds()
        if any(agency.kind in kind.agency_kinds for agency in agencies)
    ]
    return ImportForm(data, files, kinds=kinds, agencies=agencies, initial=initial)


@login_required
@require_GET
def import_list(request):
    access.import_gate(request.user)
    return render(
        request,
        "casework/imports.html",
        {"imports": selectors.imports_for(user=request.user)[:50]},
    )


@login_required
@require_http_methods(["GET", "POST"])
def import_upload(request):
    """Upload a CSV file; every row is checked and shown before anything is saved."""
    access.import_gate(request.user)
    posted = request.method == "POST"
    form = _import_form(
        request, request.POST if posted else None, request.FILES if posted else None
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        content = data["file"].read()
        try:
            check = services.record_import_check(
                importer=request.user,
                agency=form.agencies[data["agency"]],
                kind=form.kinds[data["kind"]],
                starts=data["starts"],
                ends=data["ends"],
                file_name=data["file"].name,
                content=content,
            )
        except PermissionDenied as exc:
            raise Http404 from exc
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            if check.is_valid:
                request.session[SESSION_KEY] = {
                    "id": check.record_import.pk,
                    "content": base64.b64encode(content).decode("ascii"),
                }
            else:
                request.session.pop(SESSION_KEY, None)
            return render(
                request,
                "casework/import_preview.html",
                {
                    "check": check,
                    "columns": COLUMNS,
                    "form": _import_form(
                        request,
                        # As typed, so the dates read as they did.
                        initial={
                            k: request.POST.get(k, "") for k in ("kind", "agency", "starts", "ends")
                        },
                    ),
                },
                status=200 if check.is_valid else 400,
            )
    return render(
        request,
        "casework/import_upload.html",
        {"form": form, "columns": COLUMNS},
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def import_confirm(request, import_id):
    """Save every row of the file checked, or none."""
    record_import = access.import_for_user(request.user, import_id)
    kept = request.session.get(SESSION_KEY) or {}
    if kept.get("id") != record_import.pk:
        messages.error(request, _("The file is no longer ready to save: upload it again."))
        return redirect("casework:import_upload")
    content = base64.b64decode(kept["content"])
    try:
        records = services.record_import_confirm(
            record_import=record_import, importer=request.user, content=content
        )
    except PermissionDenied as exc:
        raise Http404 from exc
    except ValidationError as exc:
        request.session.pop(SESSION_KEY, None)
        messages.error(request, " ".join(exc.messages))
        return redirect("casework:import_upload")
    request.session.pop(SESSION_KEY, None)
    messages.success(
        request,
        _("%(count)s entries were saved from %(file)s.")
        % {"count": len(records), "file": record_import.file_name},
    )
    return redirect(record_import)


@login_required
@require_GET
def import_detail(request, import_id):
    """What one import was, and the entries it saved."""
    record_import = access.import_for_user(request.user, import_id)
    records = selectors.import_records(record_import=record_import)
    access.audit_import_read(request.user, records=records, path=request.get_full_path())
    return render(
        request,
        "casework/import_detail.html",
        {"record_import": record_import, "records": records},
    )
