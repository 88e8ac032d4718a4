"""Pages for conversations and the notification centre. They work without JavaScript."""

from __future__ import annotations

from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from portal import access as portal_access
from portal import selectors as portal_selectors
from portal.converters import parse_id
from safeguarding import selectors as safeguarding_selectors
from safeguarding.models import Concern
from safeguarding.views import raise_from_form

from . import access as chat_access
from . import selectors, services
from .access import STAFF_ROLES, ConversationAccess, Role, conversation_for_user
from .forms import LeaveForm, MessageForm, ReportForm, RotaForm, ShareForm, WorkingHoursForm
from .models import Conversation, Leave, Message


@login_required
@require_GET
def inbox(request):
    services.conversations_ensure_for_user(user=request.user)
    rows = selectors.conversation_list_for_user(user=request.user)
    # Staff see each adult's private conversation once it has a message; before that it
    # is a way to write to that adult alone, listed apart.
    unstarted = [
        row
        for row in rows
        if row.conversation.is_private
        and row.conversation.last_message_at is None
        and row.chat_role != Role.FAMILY
    ]
    rows = [row for row in rows if row not in unstarted]
    member = portal_access.membership(request.user)
    return render(
        request,
        "chat/inbox.html",
        {
            "rows": rows,
            "unstarted": unstarted,
            # The family is told its key worker and mentor talk, and nothing of what.
            "team_mentors": selectors.team_mentor_names(family_id=member.family_id)
            if member is not None
            else [],
            "is_key_worker": portal_access.is_key_worker(request.user),
            "is_manager": portal_access.is_manager(request.user),
        },
    )


def _conversation_context(request, access: ConversationAccess, form: MessageForm | None = None):
    conversation = access.conversation
    before_id = parse_id(request.GET.get("before", ""))
    page = selectors.messages_page(conversation=conversation, before=before_id)
    my_read, receipts, cover = selectors.read_state(
        conversation=conversation, user_id=request.user.pk
    )
    # The ids without building the messages: the template's kept fragment builds them
    # only when it is made afresh (whose they are and how far they were read is decided
    # there, from ``me`` and ``receipts``).
    ids = page.column("id")
    if access.is_participant and ids and before_id is None and ids[-1] > my_read:
        services.conversation_read_mark(access=access, user=request.user, up_to=ids[-1])
    key_worker = conversation.family.lead_key_worker
    hours = selectors.working_hours_for(user=key_worker) if conversation.with_key_worker else []
    share_form = None
    if access.is_family and conversation.with_mentor:
        share_form = ShareForm(
            initial={"shared": "yes" if conversation.shared_with_key_worker else "no"}
        )
    return {
        "conversation": conversation,
        "access": access,
        "can_write": access.can_write,
        "is_manager_read": access.role is Role.MANAGER,
        "page": page,
        "me": request.user.pk,
        "older_than": ids[0] if ids and len(ids) >= selectors.PAGE_SIZE else None,
        "newest_id": ids[-1]
        if ids and before_id is None
        else selectors.newest_message_id(conversation_id=conversation.pk),
        # Resuming from here also brings deletions made after this page was drawn.
        "deleted_since": selectors.deletions_cursor(),
        "form": form or (MessageForm() if access.can_write else None),
        "receipts": receipts,
        "key_worker": key_worker,
        "hours": hours,
        "working_now": selectors.is_working_now(hours) if hours else False,
        "out_of_hours_text": selectors.out_of_hours_text(),
        "share_form": share_form,
        "reports": safeguarding_selectors.message_concerns(conversation_id=conversation.pk)
        if access.role is Role.MANAGER
        else None,
        "show_exit_this_page": access.is_family or access.role is Role.MENTOR,
        # Staff read how each adult may safely be contacted before they write or call.
        "safe_contacts": portal_selectors.safe_contacts_for_staff(
            family=conversation.family, viewer=request.user
        )
        if access.role in STAFF_ROLES
        else None,
        "is_private": conversation.is_private,
        "is_cover": access.role is Role.COVER,
        # Shown to the family: who answers while their key worker is away.
        "cover": cover if access.is_family and conversation.with_key_worker else None,
        # An adult may also talk to the family's mentor on their own.
        "can_talk_privately": access.is_family
        and conversation.kind == Conversation.Kind.MENTOR
        and access.can_write,
    }


@login_required
@require_GET
def conversation_detail(request, conversation_id):
    access = conversation_for_user(request.user, conversation_id, path=request.get_full_path())
    return render(request, "chat/conversation.html", _conversation_context(request, access))


@login_required
@require_GET
def team_conversation(request, family_id):  # GET opens it, as the inbox makes the others
    """From the family's record or the mentor's match: the key worker's conversation
    with the family's peer mentor."""
    try:
        return redirect(chat_access.team_conversation_for_user(request.user, family_id))
    except Http404:
        pass
    try:  # a match from before there were team conversations
        services.conversation_team_ensure(user=request.user, family_id=family_id)
    except PermissionDenied as exc:
        raise Http404 from exc
    return redirect(chat_access.team_conversation_for_user(request.user, family_id))


@login_required
@require_POST
def message_create(request, conversation_id):
    access = conversation_for_user(request.user, conversation_id, path=request.get_full_path())
    if not access.can_write:
        raise Http404
    form = MessageForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            message, _created = services.message_send(
                access=access,
                sender=request.user,
                body=form.cleaned_data["body"],
                client_id=form.cleaned_data["client_id"],
                attachment=form.cleaned_data["attachment"],
            )
        except services.RateLimited:
            form.add_error(
                None, _("You are sending messages too fast. Wait a minute and try again.")
            )
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                for field, errors in exc.error_dict.items():
                    target = field if field in form.fields and field != "client_id" else None
                    for error in errors:
                        form.add_error(target, error)
            else:
                form.add_error("attachment", exc)
        else:
            return HttpResponseRedirect(
                f"{access.conversation.get_absolute_url()}#message-{message.pk}"
            )
    return render(
        request, "chat/conversation.html", _conversation_context(request, access, form), status=400
    )


@login_required
@require_POST
def message_delete(request, conversation_id, message_id):
    access = conversation_for_user(request.user, conversation_id, path=request.get_full_path())
    message = chat_access.message_in(access, message_id)
    try:
        services.message_delete(access=access, message=message, user=request.user)
    except PermissionDenied as exc:
        raise Http404 from exc
    flash.success(request, _("Your message was deleted."))
    return redirect(access.conversation)


@login_required
@require_http_methods(["GET", "POST"])
def message_report(request, conversation_id, message_id):
    access = conversation_for_user(request.user, conversation_id, path=request.get_full_path())
    if not access.is_participant:
        raise Http404
    message = chat_access.message_in(access, message_id)
    form = ReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        # A report is a safeguarding concern; the person is a participant (checked above).
        concern = raise_from_form(
            request,
            form,
            family=access.conversation.family,
            details=form.cleaned_data["reason"],
            source=Concern.Source.MESSAGE,
            source_id=message.pk,
            conversation_id=access.conversation.pk,
            quoted="" if message.is_deleted else message.body,
            checked=True,
        )
        if concern is not None:
            flash.success(request, _("Thank you. A manager will look at this message."))
            return redirect(access.conversation)
    return render(
        request,
        "chat/report.html",
        {"conversation": access.conversation, "message": message, "form": form},
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def conversation_share(request, conversation_id):
    access = conversation_for_user(request.user, conversation_id, path=request.get_full_path())
    if not access.is_family or not access.conversation.with_mentor:
        raise Http404
    form = ShareForm(request.POST)
    if not form.is_valid():
        context = _conversation_context(request, access)
        context["share_form"] = form
        return render(request, "chat/conversation.html", context, status=400)
    services.conversation_share_set(
        access=access, user=request.user, shared=form.cleaned_data["shared"]
    )
    flash.success(request, _("Your choice was saved."))
    return redirect(access.conversation)


@login_required
@require_POST
def conversation_private_mentor(request, conversation_id):
    """From the family's mentor conversation: open this adult's own one with the mentor."""
    access = conversation_for_user(request.user, conversation_id, path=request.get_full_path())
    try:
        private = services.conversation_private_mentor_open(access=access, user=request.user)
    except PermissionDenied as exc:
        raise Http404 from exc
    return redirect(private)


@login_required
@require_GET
def attachment_download(request, message_id):
    """Serve an attachment only to people who may read its conversation."""
    message = chat_access.attachment_for_user(
        request.user, message_id, path=request.get_full_path()
    )
    response = FileResponse(
        message.attachment.open("rb"),
        content_type=message.attachment_type,
        as_attachment=message.attachment_kind != Message.AttachmentKind.IMAGE,
        filename=message.attachment_name,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def working_hours(request):
    if not portal_access.is_key_worker(request.user):
        raise Http404
    hours = {row.weekday: row for row in selectors.working_hours_for(user=request.user)}
    initial = {}
    for weekday, row in hours.items():
        initial[f"starts_{weekday}"] = row.starts
        initial[f"ends_{weekday}"] = row.ends
    form = WorkingHoursForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        services.working_hours_set(user=request.user, days=form.cleaned_data["days"])
        flash.success(request, _("Your working hours were saved."))
        return redirect("chat:working_hours")
    return render(
        request, "chat/working_hours.html", {"form": form}, status=400 if form.errors else 200
    )


@login_required
@require_http_methods(["GET", "POST"])
def leave(request):
    """A key worker records the days they are away; the duty key worker covers them."""
    if not portal_access.is_key_worker(request.user):
        raise Http404
    form = LeaveForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.leave_add(
                user=request.user,
                starts=form.cleaned_data["starts"],
                ends=form.cleaned_data["ends"],
            )
        except ValidationError as exc:
            form.add_error("ends", exc.messages[0])
        else:
            flash.success(request, _("Your leave was saved."))
            return redirect("chat:leave")
    return render(
        request,
        "chat/leave.html",
        {"form": form, "leave": selectors.leave_for(user=request.user)},
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def leave_delete(request, leave_id):
    if not portal_access.is_key_worker(request.user):
        raise Http404
    try:
        services.leave_delete(user=request.user, leave_id=leave_id)
    except Leave.DoesNotExist as exc:
        raise Http404 from exc
    flash.success(request, _("Your leave was removed."))
    return redirect("chat:leave")


@login_required
@require_http_methods(["GET", "POST"])
def rota(request):
    """For service managers: who is the duty key worker on each of the next two weeks."""
    if not portal_access.is_manager(request.user):
        raise Http404
    form = RotaForm(
        request.POST or None,
        days=selectors.rota_days(),
        workers=list(selectors.key_workers()),
    )
    if request.method == "POST" and form.is_valid():
        services.duty_rota_set(manager=request.user, days=form.cleaned_data["rota"])
        flash.success(request, _("The duty rota was saved."))
        return redirect("chat:rota")
    return render(request, "chat/rota.html", {"form": form}, status=400 if form.errors else 200)


@login_required
@require_GET
def unanswered(request):
    """For service managers: families waiting more than a working day for an answer,
    without any message content."""
    if not portal_access.is_manager(request.user):
        raise Http404
    return render(
        request,
        "chat/unanswered.html",
        {"rows": selectors.unanswered_conversations(), "duty": selectors.duty_today()},
    )


# Notification centre ---------------------------------------------------------------------


@login_required
@require_GET
def notification_list(request):
    page = Paginator(selectors.notifications_for(user=request.user), 25).get_page(
        request.GET.get("page")
    )
    for notification in page:
        url = (notification.data or {}).get("url", "")
        notification.link = url if _is_local(url) else ""
    return render(
        request,
        "chat/notifications.html",
        {"page": page, "unread": selectors.unread_notification_count(request.user.pk)},
    )


def _is_local(url: str) -> bool:
    return bool(url) and url.startswith("/") and url_has_allowed_host_and_scheme(url, None)


@login_required
@require_POST
def notification_read(request, notification_id):
    """Mark one notification read; with ``open`` go to what it is about."""
    from notifications.models import Notification

    try:
        notification = services.notification_mark_read(
            user=request.user, notification_id=notification_id
        )
    except Notification.DoesNotExist as exc:
        raise Http404 from exc
    url = (notification.data or {}).get("url", "")
    if "open" in request.POST and _is_local(url):
        return HttpResponseRedirect(url)
    return redirect("notifications:list")


@login_required
@require_POST
def notification_read_all(request):
    services.notifications_mark_all_read(user=request.user)
    flash.success(request, _("All notifications are marked as read."))
    return redirect(reverse("notifications:list"))
