"""Core pages: dashboards, the family record, invitations, reasons, health."""

from __future__ import annotations

import logging
from urllib.parse import urlencode

from allauth.account.adapter import get_adapter
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, RequestDataTooBig, ValidationError
from django.core.paginator import Paginator
from django.db import connection, transaction
from django.http import Http404, HttpResponsePermanentRedirect, HttpResponseRedirect, JsonResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views import defaults
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from . import access, registry, selectors, services
from .access import before_mfa, public
from .forms import (
    AcceptInvitationForm,
    AgencyForm,
    AgencyRenameForm,
    AgencyRetireForm,
    AuditFilterForm,
    FamilyCreateForm,
    FamilyMemberForm,
    FamilySearchForm,
    InvitationForm,
    LeadTransferForm,
    MemberRemoveForm,
    ReasonForm,
    SafeContactForm,
    TeamAddForm,
    TeamDatesForm,
    TeamRemoveForm,
    apply_errors,
)
from .models import StaffProfile
from .registry import dashboard_panels

logger = logging.getLogger(__name__)


def _panels(request, audience: str) -> list[dict]:
    rendered = []
    for panel in dashboard_panels(audience):
        context = panel.context(request)
        if context is not None:
            rendered.append({"template": panel.template, "context": context, "key": panel.key})
    return rendered


@before_mfa
@login_required
@require_GET
def dashboard(request):
    user = request.user
    role = access.staff_role(user)
    member = access.membership(user)
    if role in {StaffProfile.Role.KEY_WORKER, StaffProfile.Role.PARTNER}:
        return _staff_dashboard(request)
    if role == StaffProfile.Role.MANAGER:
        return _manager_dashboard(request)
    if role == StaffProfile.Role.EDITOR:
        return render(
            request, "portal/dashboard_editor.html", {"panels": _panels(request, "editor")}
        )
    if member is not None:
        family = member.family
        return render(
            request,
            "portal/dashboard_parent.html",
            {
                "family": family,
                "member": member,
                "key_worker": family.lead_key_worker,
                "key_worker_profile": access.staff_profile(family.lead_key_worker)
                if family.lead_key_worker
                else None,
                "panels": _panels(request, "parent"),
            },
        )
    return render(request, "portal/dashboard_other.html", {"panels": _panels(request, "other")})


def _mfa_first(request):
    return render(
        request,
        "portal/dashboard_mfa_first.html",
        {"has_authenticator": access.has_mfa(request.user)},
    )


def _staff_dashboard(request):
    if not access.mfa_passed(request.user):
        # Not even the names on a caseload show until two-step sign-in is set up.
        return _mfa_first(request)
    form = FamilySearchForm(request.GET or None)
    query = status = ""
    if form.is_valid():
        query, status = form.cleaned_data["q"].strip(), form.cleaned_data["status"]
    families = selectors.family_list_for_staff(user=request.user, query=query, status=status)
    page = Paginator(families, 25).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "page": page,
        "query": query,
        "searching": bool(query or status),
        "panels": _panels(request, "staff"),
        "can_add_family": access.is_key_worker(request.user),
    }
    template = "portal/dashboard_staff.html"
    # Going Back to a search asks for the whole page again (htmx keeps no copies).
    if request.htmx and not request.htmx.history_restore_request:
        template = "portal/includes/family_table.html"
    return render(request, template, context)


def _manager_dashboard(request):
    if not access.mfa_passed(request.user):
        return _mfa_first(request)
    form = FamilySearchForm(request.GET or None)
    query = form.cleaned_data["q"].strip() if form.is_valid() else ""
    results = (
        selectors.family_list_for_staff(user=request.user, query=query)[:25] if query else None
    )
    return render(
        request,
        "portal/dashboard_manager.html",
        {
            "counts": selectors.service_counts(),
            "team": selectors.team_for_manager(manager=request.user),
            "form": form,
            "results": results,
            "query": query,
            "panels": _panels(request, "manager"),
        },
    )


def _family_page(request, family_id, family_access, *, status=200, **forms):
    """The family record page, with blank forms for anything not passed in."""
    can_manage = family_access.can_manage
    family = selectors.family_detail(family_id=family_id)
    context = {
        "family": family,
        "access": family_access,
        "can_manage": can_manage,
        "panels": _panels(request, "family"),
        "show_exit_this_page": family_access.is_member,
        # Staff read how each adult may safely be contacted before anything else.
        "safe_contacts": selectors.safe_contacts_for_staff(family=family, viewer=request.user)
        if family_access.is_staff
        else None,
        "team": _team(request, family, family_access),
    }
    if can_manage:
        context |= {
            "members_who_left": selectors.members_who_left(family=family),
            "invite_form": InvitationForm(prefix="invite"),
            "member_form": FamilyMemberForm(prefix="member"),
            "team_history": selectors.team_history(family=family),
            "lead_history": selectors.lead_history(family=family),
            "can_pass_on": access.is_manager(request.user)
            or family.lead_key_worker_id == request.user.pk,
            "today": timezone.localdate(),
        }
        context |= forms
    return render(request, "portal/family_detail.html", context, status=status)


@login_required
@require_GET
def family_detail(request, family_id):
    family, family_access = access.family_for_user(
        request.user, family_id, path=request.get_full_path()
    )
    return _family_page(request, family.pk, family_access)


@login_required
@require_http_methods(["GET", "POST"])
def family_create(request):
    """A key worker opens a record for a family referred to them."""
    if not access.is_key_worker(request.user):
        raise Http404
    if not access.mfa_passed(request.user):
        raise access.MFASetupRequired
    form = FamilyCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                family = services.family_create(
                    lead_key_worker=request.user, actor=request.user, **form.cleaned_data
                )
                registry.family_opened(family=family, actor=request.user)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(
                request,
                _(
                    "%(name)s is on your caseload. Add the people in the family, then invite a parent."
                )
                % {"name": family.display_name},
            )
            return redirect(family)
    return render(
        request, "portal/family_create.html", {"form": form}, status=400 if form.errors else 200
    )


@login_required
@require_POST
def family_invite(request, family_id):
    family, family_access = access.family_for_user(
        request.user, family_id, path=request.get_full_path()
    )
    if not family_access.can_manage:
        raise Http404
    form = InvitationForm(request.POST, prefix="invite")
    if form.is_valid():
        try:
            services.invitation_create(
                family=family,
                email=form.cleaned_data["email"],
                name=form.cleaned_data["name"],
                relationship=form.cleaned_data["relationship"],
                actor=request.user,
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(
                request,
                _(
                    "We have emailed an invitation to %(email)s. The link works once and lasts %(days)s days."
                )
                % {"email": form.cleaned_data["email"], "days": settings.INVITATION_VALID_DAYS},
            )
            return redirect(family)
    return _family_page(request, family.pk, family_access, status=400, invite_form=form)


@login_required
@require_POST
def family_member_create(request, family_id):
    family, family_access = access.family_for_user(
        request.user, family_id, path=request.get_full_path()
    )
    if not family_access.can_manage:
        raise Http404
    form = FamilyMemberForm(request.POST, prefix="member")
    if form.is_valid():
        try:
            services.family_member_add(family=family, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(
                request, _("%(name)s was added.") % {"name": form.cleaned_data["name"]}
            )
            return redirect(family)
    return _family_page(request, family.pk, family_access, status=400, member_form=form)


@login_required
@require_http_methods(["GET", "POST"])
def safe_contact(request):
    """An adult of a household says how and when it is safe to contact them."""
    member = access.membership(request.user)
    if member is None or not member.is_adult:
        raise Http404
    contact = selectors.safe_contact_of(member=member)
    has_word = bool(contact and contact.safe_word)
    form = SafeContactForm(
        request.POST or None,
        initial=SafeContactForm.initial_for(contact),
        has_safe_word=has_word,
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.safe_contact_set(user=request.user, **form.service_kwargs())
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Thank you. We will contact you only in these ways."))
            return redirect("portal:safe_contact")
    return render(
        request,
        "portal/safe_contact.html",
        {"form": form, "contact": contact, "show_exit_this_page": True},
        status=400 if form.errors else 200,
    )


@login_required
@require_GET
def family_safe_word(request, family_id, member_id):
    """The family's key worker or a manager reads an adult's safe word before calling."""
    contact, family_access = access.safe_word_for_user(
        request.user, family_id, member_id, path=request.get_full_path()
    )
    return render(
        request,
        "portal/safe_word.html",
        {"contact": contact, "family": family_access.family, "access": family_access},
    )


@login_required
@require_http_methods(["GET", "POST"])
def family_member_remove(request, family_id, member_id):
    """A key worker or manager takes an adult out of the household, with a reason."""
    member, family_access = access.adult_member_for_user(
        request.user, family_id, member_id, path=request.get_full_path()
    )
    family = family_access.family
    form = MemberRemoveForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.family_member_remove(
                member=member, actor=request.user, reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            form.add_error(None, " ".join(exc.messages))
        else:
            messages.success(
                request,
                _("%(name)s is no longer part of %(family)s. They cannot see anything of it now.")
                % {"name": member.name, "family": family.display_name},
            )
            return redirect(family)
    return render(
        request,
        "portal/member_remove.html",
        {"member": member, "family": family, "form": form},
        status=400 if form.errors else 200,
    )


def _safe_next(request, fallback: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback


@public
@never_cache
def sign_in_elsewhere(request, to: str = "account_login", rest: str = ""):
    """The admin sites' own sign-in and password pages: send people to the portal's.

    Nothing sent here is read (a password posted here is not checked), so the only way in
    is allauth's, with its rate limits and the code step of two-step sign-in.
    """
    target = reverse(to)
    next_url = request.GET.get("next", "")
    if next_url and url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = f"{target}?{urlencode({'next': next_url})}"
    return HttpResponseRedirect(target)


@login_required
@require_http_methods(["GET", "POST"])
def family_reason(request, family_id):
    """Staff opening a family outside their caseload say why; the reason is audited."""
    family = access.family_needing_reason(request.user, family_id)
    if not access.mfa_passed(request.user):
        raise access.MFASetupRequired
    next_url = _safe_next(request, family.get_absolute_url())
    form = ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.access_grant_create(
                user=request.user, family=family, reason=form.cleaned_data["reason"]
            )
        except (ValidationError, PermissionDenied) as exc:
            form.add_error("reason", exc if isinstance(exc, ValidationError) else str(exc))
        else:
            return HttpResponseRedirect(next_url)
    return render(
        request,
        "portal/family_reason.html",
        {"family": family, "form": form, "next": next_url},
        status=400 if form.errors else 200,
    )


@public
@never_cache
@require_http_methods(["GET", "POST"])
def invitation_accept(request, token):
    invitation = services.invitation_lookup(token=token)
    if invitation is None:
        return render(request, "portal/invitation_invalid.html", status=404)
    if request.user.is_authenticated:
        logout(request)
    form = AcceptInvitationForm(request.POST or None, email=invitation.email)
    if request.method == "POST" and form.is_valid():
        try:
            user, invitation = services.invitation_accept(
                token=token,
                password=form.cleaned_data["password1"],
                preferred_name=form.cleaned_data["preferred_name"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            get_adapter(request).login(request, user)
            messages.success(
                request,
                _("Welcome. You have joined %(family)s.")
                % {"family": invitation.family.display_name},
            )
            return redirect("portal:dashboard")
    return render(
        request,
        "portal/invitation_accept.html",
        {"invitation": invitation, "form": form},
        status=400 if form.errors else 200,
    )


@login_required
@require_GET
def audit_trail(request):
    """Managers check who opened which family's record, and why."""
    if not access.is_manager(request.user):
        raise Http404
    if not access.mfa_passed(request.user):
        raise access.MFASetupRequired
    form = AuditFilterForm(request.GET or None)
    filters = {}
    if form.is_valid():
        filters = {
            "family_reference": form.cleaned_data["family"],
            "actor_email": form.cleaned_data["staff"],
        }
    page = Paginator(selectors.audit_events(**filters), 50).get_page(request.GET.get("page"))
    return render(request, "portal/audit_trail.html", {"form": form, "page": page})


@public
@never_cache
@require_GET
def exit_page(request):
    """'Exit this page' ends the session too, so Back or another tap cannot reopen it."""
    if request.user.is_authenticated:
        logout(request)
    return HttpResponseRedirect(settings.EXIT_PAGE_URL)


@public
@require_GET
def embedded_media(request, path):
    """The CMS's images and documents when the portal runs embedded (never in production,
    where the proxy serves them). Family uploads are never here."""
    from django.views.static import serve

    return serve(request, path, document_root=settings.MEDIA_ROOT)


@public
@require_GET
def favicon(request):
    """Browsers ask for /favicon.ico whatever the page says: the portal's own icon."""
    return HttpResponsePermanentRedirect(static("portal/favicon.svg"))


@public
@require_GET
def healthz(request):
    """The state of the database, channel layer and task backend, as JSON."""
    checks = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        checks["database"] = "ok"
    except Exception:  # any failure means "not well"
        logger.exception("Health check: database")
        checks["database"] = "error"
    checks["channel_layer"] = _check_channel_layer()
    checks["tasks"] = _check_tasks()
    healthy = all(value == "ok" for value in checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "error", "checks": checks}, status=200 if healthy else 503
    )


def _check_channel_layer() -> str:
    from asgiref.sync import async_to_sync
    from channels.layers import get_channel_layer

    try:
        layer = get_channel_layer()
        if layer is None:
            return "error"
        if "redis" in type(layer).__module__:
            import redis

            client = redis.Redis.from_url(
                settings.REDIS_URL, socket_connect_timeout=2, socket_timeout=2
            )
            try:
                client.ping()
            finally:
                client.close()
        else:
            async_to_sync(layer.group_send)("healthz", {"type": "healthz.ping"})
        return "ok"
    except Exception:
        logger.exception("Health check: channel layer")
        return "error"


def _check_tasks() -> str:
    from django_tasks import task_backends

    try:
        backend = task_backends["default"]
        if type(backend).__name__ == "DatabaseBackend":
            from django_tasks_db.models import DBTaskResult

            DBTaskResult.objects.exists()
        return "ok"
    except Exception:
        logger.exception("Health check: tasks")
        return "error"


def bad_request(request, exception):
    """Django's 400 handler. A form too big to read gets a page saying so, as a 413.

    Django raises ``RequestDataTooBig`` wherever ``request.POST`` is first read (the CSRF
    check or the view), so only the handler sees every case. Nothing here reads it again.
    """
    if not isinstance(exception, RequestDataTooBig):
        return defaults.bad_request(request, exception)
    back = request.headers.get("Referer", "")
    if not url_has_allowed_host_and_scheme(
        back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        back = ""
    limit_mb = settings.DATA_UPLOAD_MAX_MEMORY_SIZE // 2**20
    return render(request, "413.html", {"back": back, "limit_mb": limit_mb}, status=413)


# The team around the family ------------------------------------------------------------


def _team(request, family, family_access) -> list[selectors.TeamMember] | None:
    """The family's team as this person may see it (None: not shown to them)."""
    if not (family_access.is_member or family_access.is_staff):
        return None
    return selectors.family_team(
        family=family,
        viewer=request.user,
        member=access.membership(request.user) if family_access.is_member else None,
        sees_plan=family_access.is_member or family_access.can_manage,
    )


@login_required
@require_GET
def family_team(request, family_id):
    """ "Your team": who works with the family, for which agency, and what each can see."""
    family, family_access = access.family_for_user(
        request.user, family_id, path=request.get_full_path()
    )
    member = access.membership(request.user) if family_access.is_member else None
    if member is not None and not member.is_adult:
        raise Http404
    if not (family_access.is_member or family_access.is_staff):
        raise Http404  # a matched peer mentor is not told who else works with the family
    return render(
        request,
        "portal/family_team.html",
        {
            "family": family,
            "access": family_access,
            "team": _team(request, family, family_access),
            "can_manage": family_access.can_manage,
            "show_exit_this_page": family_access.is_member,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def team_add(request, family_id):
    """A key worker or manager puts a partner practitioner on the family's team."""
    family, family_access = access.family_for_user(
        request.user, family_id, path=request.get_full_path()
    )
    if not family_access.can_manage:
        raise Http404
    form = TeamAddForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            link = services.family_practitioner_add(
                family=family,
                practitioner=data["practitioner"],
                agency=data["agency"],
                role=data["role"],
                starts=data["starts"],
                ends=data["ends"],
                actor=request.user,
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(
                request,
                _("%(name)s is on the family's team.") % {"name": link.name_with_agency},
            )
            return redirect(family)
    return render(
        request,
        "portal/team_add.html",
        {"family": family, "form": form},
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def team_edit(request, family_id, membership_id):
    """Change a team member's role or dates (an end date in the past ends their access)."""
    membership, family_access = access.team_membership_for_user(
        request.user, family_id, membership_id, path=request.get_full_path()
    )
    family = family_access.family
    form = TeamDatesForm(
        request.POST or None,
        initial={"role": membership.role, "starts": membership.starts, "ends": membership.ends},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.family_practitioner_update(
                membership=membership, actor=request.user, **form.cleaned_data
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(
                request,
                _("%(name)s's role and dates are saved.") % {"name": membership.user.display_name},
            )
            return redirect(family)
    return render(
        request,
        "portal/team_edit.html",
        {"family": family, "membership": membership, "form": form},
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def family_lead_transfer(request, family_id):
    """The lead key worker, or a service manager, passes the family to another key worker
    with a note for them."""
    family, _found = access.family_for_user(request.user, family_id, path=request.get_full_path())
    if not (access.is_manager(request.user) or family.lead_key_worker_id == request.user.pk):
        raise Http404
    form = LeadTransferForm(
        request.POST or None, key_workers=selectors.key_workers_to_pass_to(family=family)
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.family_lead_transfer(
                family=family, to=data["to"], note=data["note"], actor=request.user
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(
                request,
                _("%(name)s now leads the family's work. We have told them and the family.")
                % {"name": data["to"].display_name},
            )
            if access.is_manager(request.user):
                return redirect(family)
            return redirect("portal:dashboard")
    return render(
        request,
        "portal/lead_transfer.html",
        {"family": family, "form": form},
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def team_remove(request, family_id, membership_id):
    """Take someone off the family's team, with a reason."""
    membership, family_access = access.team_membership_for_user(
        request.user, family_id, membership_id, path=request.get_full_path()
    )
    family = family_access.family
    if membership.removed_at is not None:
        raise Http404
    form = TeamRemoveForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.family_practitioner_remove(
                membership=membership, actor=request.user, reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(
                request,
                _("%(name)s is no longer on the family's team. They cannot see anything of it now.")
                % {"name": membership.user.display_name},
            )
            return redirect(family)
    return render(
        request,
        "portal/team_remove.html",
        {"family": family, "membership": membership, "form": form},
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def agencies(request):
    """Service managers keep the list of agencies practitioners join teams for."""
    if not access.is_manager(request.user):
        raise Http404
    if not access.mfa_passed(request.user):
        raise access.MFASetupRequired
    form = AgencyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            agency = services.agency_create(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("%(name)s was added.") % {"name": agency.name})
            return redirect("portal:agencies")
    return render(
        request,
        "portal/agencies.html",
        {"agencies": selectors.agencies_for_managers(), "form": form},
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def agency_edit(request, agency_id):
    """Rename an agency, or retire it with a reason."""
    agency = access.agency_for_manager(request.user, agency_id)
    retiring = request.POST.get("action") == "retire"
    rename_form = AgencyRenameForm(
        request.POST if request.method == "POST" and not retiring else None,
        initial={"name": agency.name},
        prefix="rename",
    )
    retire_form = AgencyRetireForm(request.POST if retiring else None, prefix="retire")
    form = retire_form if retiring else rename_form
    if request.method == "POST" and form.is_valid():
        try:
            if retiring:
                services.agency_retire(
                    agency=agency, reason=form.cleaned_data["reason"], actor=request.user
                )
                done = _("%(name)s is retired: no one new can join a team for it.")
            else:
                services.agency_rename(
                    agency=agency, name=form.cleaned_data["name"], actor=request.user
                )
                done = _("The agency is now called %(name)s.")
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, done % {"name": agency.name})
            return redirect("portal:agencies")
    return render(
        request,
        "portal/agency_edit.html",
        {"agency": agency, "rename_form": rename_form, "retire_form": retire_form},
        status=400 if form.errors else 200,
    )
