"""Peer mentor pages. Each view translates HTTP into one service or selector call."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from portal import access as core
from portal import ratelimit
from portal import selectors as core_selectors
from portal.forms import apply_errors
from portal.models import FamilyMember
from portal.ratelimit import Limit
from safeguarding import selectors as safeguarding_selectors
from safeguarding.forms import MentorConcernForm
from safeguarding.models import Concern
from safeguarding.views import raise_from_form

from . import access, selectors, services
from .forms import (
    ApplyForm,
    AskMentorForm,
    ChecksForm,
    ContactLogForm,
    EndMatchForm,
    FindMentorForm,
    KeyWorkerFindForm,
    ProfileForm,
    ProposalAnswerForm,
    RecordApplicationForm,
    RespondForm,
    StatusForm,
    SupervisionNoteForm,
)
from .models import Mentor

# Per person and hour, so nobody can flood mentors or managers.
ASK_LIMIT = Limit("peer_mentors:ask", 10, 3600)
CONTACT_LIMIT = Limit("peer_mentors:contact", 60, 3600)


def _is_dad(user) -> bool:
    member = access.parent_member(user)
    return bool(member and member.relationship == FamilyMember.Relationship.DAD)


# Families ------------------------------------------------------------------------------


@login_required
@require_GET
def find(request):
    """A parent sees their mentor, or the mentors who suit them best and why."""
    if not access.can_ask_for_mentor(request.user):
        if access.can_apply(request.user):
            return redirect("peer_mentors:apply")
        if access.mentor_of(request.user) is not None:
            return redirect("peer_mentors:mentor_home")
        raise Http404
    family = access.parent_member(request.user).family
    state = selectors.family_mentor_state(family=family)
    form = FindMentorForm(request.GET or None)
    suggestions = []
    if state["current"] is None and state["waiting"] is None:
        free_when, wants_accompany = frozenset(), False
        if form.is_valid():
            free_when = frozenset(form.cleaned_data["free_when"])
            wants_accompany = form.cleaned_data["wants_accompany"]
        suggestions = selectors.suggestions_for_family(
            family=family,
            parent_is_dad=_is_dad(request.user),
            free_when=free_when,
            wants_accompany=wants_accompany,
        )
    return render(
        request,
        "peer_mentors/find.html",
        {"family": family, "state": state, "form": form, "suggestions": suggestions},
    )


def _profile_viewer(user):
    """Parents who may ask for a mentor, key workers, and the mentor themselves."""
    return access.can_ask_for_mentor(user) or core.is_key_worker(user)


def _render_profile(request, mentor, form, status=200):
    family = None
    suggestion = None
    state = None
    if access.can_ask_for_mentor(request.user):
        family = access.parent_member(request.user).family
        state = selectors.family_mentor_state(family=family)
        suggestion = selectors.suggestion_for(
            family=family, mentor=mentor, parent_is_dad=_is_dad(request.user)
        )
    can_ask = bool(
        family is not None
        and state["current"] is None
        and state["waiting"] is None
        and selectors.mentor_facts(mentor).capacity_left > 0
    )
    return render(
        request,
        "peer_mentors/profile.html",
        {
            "mentor": mentor,
            "suggestion": suggestion,
            "form": form,
            "can_ask": can_ask or status == 400,
            "findable": mentor.user_id == request.user.pk
            or (mentor.status == Mentor.Status.ACTIVE and mentor.dbs_is_current),
            "state": state,
        },
        status=status,
    )


@login_required
@require_GET
def profile(request, mentor_id):
    own = access.mentor_of(request.user)
    if own is not None and str(own.pk) == str(mentor_id):
        mentor = own
    else:
        if not _profile_viewer(request.user):
            raise Http404
        mentor = access.browsable_mentor(mentor_id)
    return _render_profile(request, mentor, AskMentorForm())


@login_required
@require_POST
def ask(request, mentor_id):
    member = access.parent_member(request.user)
    if member is None or not access.can_ask_for_mentor(request.user):
        raise Http404
    mentor = access.mentor_to_ask(mentor_id)
    form = AskMentorForm(request.POST)
    if form.is_valid():
        if ratelimit.exceeded(ASK_LIMIT, request.user.pk):
            form.add_error(None, _("You have sent a lot of requests. Try again in an hour."))
        else:
            # Stored in words that read well to the mentor and key worker too.
            suggestion = selectors.suggestion_for(
                family=member.family,
                mentor=mentor,
                parent_is_dad=_is_dad(request.user),
                to_family=False,
            )
            try:
                match = services.match_request(
                    family=member.family,
                    mentor=mentor,
                    actor=request.user,
                    message=form.cleaned_data["message"],
                    reasons=list(suggestion.reasons),
                )
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(
                    request,
                    _("We have asked %(name)s. They have %(days)s days to answer.")
                    % {"name": mentor.display_name, "days": services.response_days()},
                )
                return redirect(match)
    return _render_profile(request, mentor, form, status=400)


# A match, for everyone who may see it --------------------------------------------------


def _match_concerns(user, match_access) -> list:
    """The mentor's own concerns from this match (their receipts); staff see concerns in
    their list of concerns."""
    if not match_access.is_mentor:
        return []
    return safeguarding_selectors.raised_by(
        user=user, source=Concern.Source.MENTOR, source_id=match_access.match.pk
    )


def _render_match(request, match_access, status=200, **forms):
    match = match_access.match
    context = {
        "match": match,
        "access": match_access,
        "contacts": selectors.match_contacts(match=match),
        "concerns": _match_concerns(request.user, match_access),
        "parent_names": selectors.parent_names(family=match.family)
        if not match_access.is_family
        else [],
        "respond_form": forms.get("respond_form") or RespondForm(),
        "proposal_form": forms.get("proposal_form") or ProposalAnswerForm(),
        "end_form": forms.get("end_form") or EndMatchForm(),
        "contact_form": forms.get("contact_form") or ContactLogForm(),
        "show_exit_this_page": not match_access.is_staff,
    }
    return render(request, "peer_mentors/match_detail.html", context, status=status)


@login_required
@require_GET
def match_detail(request, match_id):
    match_access = access.match_for_user(request.user, match_id, path=request.get_full_path())
    return _render_match(request, match_access)


@login_required
@require_POST
def match_respond(request, match_id):
    match_access = access.match_for_user(request.user, match_id, path=request.get_full_path())
    if not match_access.is_mentor:
        raise Http404
    form = RespondForm(request.POST)
    if form.is_valid():
        accept = form.cleaned_data["decision"] == "accept"
        try:
            match = services.match_respond(
                match=match_access.match, actor=request.user, accept=accept
            )
        except ValidationError as exc:
            apply_errors(form, exc)
            match_access = access.match_for_user(request.user, match_id)
        else:
            messages.success(
                request,
                _("Thank you. The family has been told you can support them.")
                if accept
                else _("Thank you. The family has been told."),
            )
            return redirect(match)
    return _render_match(request, match_access, status=400, respond_form=form)


@login_required
@require_POST
def match_proposal(request, match_id):
    match_access = access.match_for_user(request.user, match_id, path=request.get_full_path())
    if not match_access.is_family:
        raise Http404
    form = ProposalAnswerForm(request.POST)
    if form.is_valid():
        agree = form.cleaned_data["decision"] == "yes"
        try:
            match = services.match_proposal_answer(
                match=match_access.match, actor=request.user, agree=agree
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(
                request,
                _("We have asked %(name)s. They have %(days)s days to answer.")
                % {"name": match.mentor.display_name, "days": services.response_days()}
                if agree
                else _("Thank you. We have told your key worker."),
            )
            return redirect(match if agree else reverse("peer_mentors:find"))
    return _render_match(request, match_access, status=400, proposal_form=form)


@login_required
@require_POST
def match_withdraw(request, match_id):
    match_access = access.match_for_user(request.user, match_id, path=request.get_full_path())
    if not match_access.can_withdraw:
        raise Http404
    try:
        services.match_withdraw(match=match_access.match, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The request has been taken back."))
    return redirect(match_access.match)


@login_required
@require_POST
def match_end(request, match_id):
    match_access = access.match_for_user(request.user, match_id, path=request.get_full_path())
    form = EndMatchForm(request.POST)
    if form.is_valid():
        try:
            match = services.match_end(
                match=match_access.match, actor=request.user, reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The match has ended. We have told everyone involved."))
            return redirect(match)
    return _render_match(request, match_access, status=400, end_form=form)


@login_required
@require_POST
def contact_create(request, match_id):
    match_access = access.match_for_user(request.user, match_id, path=request.get_full_path())
    if not match_access.is_mentor:
        raise Http404
    form = ContactLogForm(request.POST)
    if form.is_valid() and ratelimit.exceeded(CONTACT_LIMIT, request.user.pk):
        form.add_error(None, _("You have saved a lot of contacts in an hour. Try again later."))
    elif form.is_valid():
        try:
            services.contact_log_create(
                match=match_access.match, actor=request.user, **form.cleaned_data
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        except PermissionDenied:
            form.add_error(
                None, _("You can only log contacts while you are supporting this family.")
            )
        else:
            messages.success(request, _("Contact saved. The family can see it."))
            return redirect(match_access.match)
    return _render_match(request, match_access, status=400, contact_form=form)


@login_required
@require_http_methods(["GET", "POST"])
def concern_create(request, match_id):
    """The mentor raises a concern about the family they support (or supported)."""
    match_access = access.match_for_user(request.user, match_id, path=request.get_full_path())
    if not match_access.can_raise_concern:
        raise Http404
    match = match_access.match
    form = MentorConcernForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        # The mentor's access was checked through the match: it may have ended.
        concern = raise_from_form(
            request,
            form,
            family=match.family,
            details=form.cleaned_data["details"],
            source=Concern.Source.MENTOR,
            source_id=match.pk,
            checked=True,
        )
        if concern is not None:
            messages.success(
                request,
                _("Thank you. The family's key worker and the manager on duty have been told now."),
            )
            return redirect(match)
    return render(
        request,
        "peer_mentors/concern_form.html",
        {"match": match, "form": form},
        status=400 if form.errors else 200,
    )


# Mentors -------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def apply(request):
    mentor = access.mentor_of(request.user)
    if mentor is not None:
        return redirect("peer_mentors:mentor_home")
    if not access.can_apply(request.user):
        raise Http404
    form = ApplyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.mentor_apply(
                user=request.user, actor=request.user, why_mentor=form.cleaned_data["why_mentor"]
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(
                request, _("Thank you for applying. A manager will be in touch to talk about it.")
            )
            return redirect("peer_mentors:mentor_home")
    return render(
        request, "peer_mentors/apply.html", {"form": form}, status=400 if form.errors else 200
    )


@login_required
@require_GET
def mentor_home(request):
    mentor = access.mentor_of(request.user)
    if mentor is None:
        raise Http404
    return render(
        request,
        "peer_mentors/mentor_home.html",
        {"mentor": mentor, **selectors.mentor_home(mentor=mentor)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def profile_edit(request):
    mentor = access.mentor_of(request.user)
    if mentor is None or mentor.status == Mentor.Status.STOPPED:
        raise Http404
    form = ProfileForm(request.POST or None, initial=ProfileForm.initial_for(mentor))
    if request.method == "POST" and form.is_valid():
        try:
            services.mentor_profile_update(mentor=mentor, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Your profile is saved."))
            return redirect("peer_mentors:mentor_home")
    return render(
        request,
        "peer_mentors/profile_edit.html",
        {"form": form, "mentor": mentor},
        status=400 if form.errors else 200,
    )


# Key workers ---------------------------------------------------------------------------


def _render_suggestions(request, family, form, status=200, error=""):
    parent_is_dad, free_when, wants_accompany = False, frozenset(), False
    if form.is_bound and form.is_valid():
        parent_is_dad = form.cleaned_data["parent_is_dad"]
        free_when = frozenset(form.cleaned_data["free_when"])
        wants_accompany = form.cleaned_data["wants_accompany"]
    state = selectors.family_mentor_state(family=family)
    suggestions = []
    if state["current"] is None and state["waiting"] is None:
        suggestions = selectors.suggestions_for_family(
            family=family,
            parent_is_dad=parent_is_dad,
            free_when=free_when,
            wants_accompany=wants_accompany,
            to_family=False,
        )
    return render(
        request,
        "peer_mentors/family_suggestions.html",
        {
            "family": family,
            "form": form,
            "state": state,
            "suggestions": suggestions,
            "error": error,
            "query": request.GET.urlencode(),
            "show_exit_this_page": False,
        },
        status=status,
    )


@login_required
@require_GET
def family_suggestions(request, family_id):
    family = access.family_for_key_worker(request.user, family_id, path=request.get_full_path())
    return _render_suggestions(request, family, KeyWorkerFindForm(request.GET or None))


@login_required
@require_POST
def family_propose(request, family_id, mentor_id):
    family = access.family_for_key_worker(request.user, family_id, path=request.get_full_path())
    mentor = access.mentor_to_propose(mentor_id)
    parent_is_dad = request.POST.get("parent_is_dad") == "on"
    suggestion = selectors.suggestion_for(
        family=family, mentor=mentor, parent_is_dad=parent_is_dad, to_family=False
    )
    try:
        services.match_propose(
            family=family, mentor=mentor, actor=request.user, reasons=list(suggestion.reasons)
        )
    except ValidationError as exc:
        return _render_suggestions(
            request, family, KeyWorkerFindForm(), status=400, error=" ".join(exc.messages)
        )
    messages.success(
        request,
        _("We have asked the family. If they say yes, %(name)s is asked next.")
        % {"name": mentor.display_name},
    )
    return redirect(family)


# Managers ------------------------------------------------------------------------------


@login_required
@require_GET
def manage_list(request):
    access.manager_gate(request.user)
    access.audit_mentor_list(request.user, path=request.get_full_path())
    return render(
        request,
        "peer_mentors/manage_list.html",
        {"mentors": selectors.mentors_for_manager(), "show_exit_this_page": False},
    )


def _render_manage_detail(request, mentor, status=200, **forms):
    data = selectors.mentor_for_manager(mentor=mentor)
    access.audit_manager_reads(request.user, records=data["matches"], path=request.get_full_path())
    return render(
        request,
        "peer_mentors/manage_detail.html",
        {
            "mentor": mentor,
            **data,
            "checks_form": forms.get("checks_form")
            or ChecksForm(initial=ChecksForm.initial_for(mentor)),
            "status_form": forms.get("status_form")
            or StatusForm(initial={"status": mentor.status}),
            "note_form": forms.get("note_form") or SupervisionNoteForm(),
            "show_exit_this_page": False,
        },
        status=status,
    )


@login_required
@require_GET
def manage_detail(request, mentor_id):
    mentor = access.mentor_for_manager(request.user, mentor_id, path=request.get_full_path())
    return _render_manage_detail(request, mentor)


@login_required
@require_POST
def manage_checks(request, mentor_id):
    mentor = access.mentor_for_manager(request.user, mentor_id, path=request.get_full_path())
    form = ChecksForm(request.POST)
    if form.is_valid():
        try:
            services.mentor_checks_record(mentor=mentor, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Checks saved."))
            return redirect("peer_mentors:manage_detail", mentor_id=mentor.pk)
    return _render_manage_detail(request, mentor, status=400, checks_form=form)


@login_required
@require_POST
def manage_status(request, mentor_id):
    mentor = access.mentor_for_manager(request.user, mentor_id, path=request.get_full_path())
    form = StatusForm(request.POST)
    if form.is_valid():
        try:
            services.mentor_status_set(
                mentor=mentor,
                status=form.cleaned_data["status"],
                actor=request.user,
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Status saved."))
            return redirect("peer_mentors:manage_detail", mentor_id=mentor.pk)
    return _render_manage_detail(request, mentor, status=400, status_form=form)


@login_required
@require_POST
def manage_note(request, mentor_id):
    mentor = access.mentor_for_manager(request.user, mentor_id, path=request.get_full_path())
    form = SupervisionNoteForm(request.POST)
    if form.is_valid():
        try:
            services.supervision_note_add(mentor=mentor, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Supervision note saved."))
            return redirect("peer_mentors:manage_detail", mentor_id=mentor.pk)
    return _render_manage_detail(request, mentor, status=400, note_form=form)


@login_required
@require_http_methods(["GET", "POST"])
def manage_record_application(request):
    access.manager_gate(request.user)
    form = RecordApplicationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        person = core_selectors.user_by_email(email=form.cleaned_data["email"])
        if person is None:
            form.add_error("email", _("No account uses this email address. Invite them first."))
        else:
            try:
                mentor = services.mentor_apply(
                    user=person, actor=request.user, why_mentor=form.cleaned_data["why_mentor"]
                )
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("Application recorded."))
                return redirect("peer_mentors:manage_detail", mentor_id=mentor.pk)
    return render(
        request,
        "peer_mentors/manage_record.html",
        {"form": form, "show_exit_this_page": False},
        status=400 if form.errors else 200,
    )
