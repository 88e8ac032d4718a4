"""Every write on the content site: bookings, the waiting list, attendance, reminders,
invitations from key workers, and the editors' workflow set-up."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from portal import access as portal_access
from portal.converters import parse_id
from portal.models import AuditEvent, Family, FamilyMember, User
from portal.notify import notify_users

from . import access
from .models import Booking, SessionInvitation, SessionOccurrence, SessionSeriesPage

if TYPE_CHECKING:
    from wagtail.models import Page, Workflow

REMINDER_BEFORE = timedelta(days=1)


def _locked_occurrence(occurrence_id: int) -> SessionOccurrence:
    """Lock the date's row so two bookings for its last place are decided one after the other."""
    occurrence = (
        SessionOccurrence.objects.select_for_update(of=("self",))
        .select_related("series", "series__venue")
        .filter(pk=occurrence_id)
        .first()
    )
    if occurrence is None or not occurrence.series.live:
        raise Http404
    return occurrence


def _confirmed_places(occurrence: SessionOccurrence) -> int:
    total = (
        Booking.objects.confirmed()
        .filter(occurrence=occurrence)
        .aggregate(total=Sum("places"))["total"]
    )
    return total or 0


def booking_create(
    *, occurrence_id: int, user: User, companion_ids: Iterable[int | str] = ()
) -> Booking:
    """Book the signed-in parent (and who comes with them) onto one date of a session.

    When the places are taken the booking joins the waiting list instead.
    """
    member = access.booker(user)
    if member is None:
        raise PermissionDenied
    with transaction.atomic():
        occurrence = _locked_occurrence(occurrence_id)
        series = occurrence.series
        if occurrence.is_past:
            raise ValidationError(_("This session has already happened. Choose another date."))
        if not series.booking_open:
            raise ValidationError(
                _("Booking is closed for this group. Contact the team to ask about it.")
            )
        existing = Booking.objects.active().filter(occurrence=occurrence, member=member).first()
        if existing is not None:
            raise ValidationError(
                _("You are already on the waiting list for this session.")
                if existing.status == Booking.Status.WAITING
                else _("You have already booked this session.")
            )
        companions = _companions(member=member, companion_ids=companion_ids, series=series)
        _refuse_anyone_already_coming(occurrence, member=member, companions=companions)
        places = 1 + len(companions)
        if places > series.capacity:
            raise ValidationError(
                _("There are only %(n)s places at this session, so you cannot bring %(m)s people.")
                % {"n": series.capacity, "m": len(companions)}
            )
        has_room = _confirmed_places(occurrence) + places <= series.capacity
        now = timezone.now()
        try:
            with transaction.atomic():
                booking = Booking.objects.create(
                    occurrence=occurrence,
                    member=member,
                    places=places,
                    status=Booking.Status.CONFIRMED if has_room else Booking.Status.WAITING,
                    booked_by=user,
                    created_at=now,
                    confirmed_at=now if has_room else None,
                )
        except IntegrityError as exc:
            raise ValidationError(_("You have already booked this session.")) from exc
        booking.companions.set(companions)
        booking.occurrence = occurrence
        if has_room:
            _after_confirmed(booking, verb=_("Your place at a group is booked"))
        else:
            notify_users(
                recipients=[user],
                verb=_("You are on the waiting list for a group"),
                target=booking,
                url=booking.get_absolute_url(),
            )
    return booking


def _refuse_anyone_already_coming(
    occurrence: SessionOccurrence, *, member: FamilyMember, companions: list[FamilyMember]
) -> None:
    """Nobody takes two places at one date: not the parent booking, if someone in the
    family already brings them, and not anyone they bring who already has a place."""
    active = Booking.objects.active().filter(occurrence=occurrence)
    coming = set(active.values_list("member_id", flat=True)) | set(
        Booking.companions.through.objects.filter(booking__in=active).values_list(
            "familymember_id", flat=True
        )
    )
    if member.pk in coming:
        raise ValidationError(
            _("You already have a place at this session: someone in your family is bringing you.")
        )
    for companion in companions:
        if companion.pk in coming:
            raise ValidationError(
                _("%(name)s already has a place at this session. Untick them and try again.")
                % {"name": companion.name}
            )


def _companions(
    *, member: FamilyMember, companion_ids: Iterable[int | str], series: SessionSeriesPage
) -> list[FamilyMember]:
    parsed = {parse_id(pk) for pk in companion_ids}
    wanted = {pk for pk in parsed if pk is not None}
    if len(wanted) != len(parsed):
        # An id that cannot be one names nobody in the family.
        raise ValidationError(_("Choose people from your family."))
    if not wanted:
        return []
    companions = list(
        FamilyMember.objects.filter(family_id=member.family_id, pk__in=wanted).exclude(pk=member.pk)
    )
    if len(companions) != len(wanted - {member.pk}):
        raise ValidationError(_("Choose people from your family."))
    if not series.children_welcome and any(not c.is_adult for c in companions):
        raise ValidationError(_("Children cannot come to this group. Choose adults only."))
    return companions


def _after_confirmed(booking: Booking, *, verb: str) -> None:
    user = booking.member.user
    if user is not None:
        notify_users(
            recipients=[user],
            verb=verb,
            target=booking,
            url=booking.get_absolute_url(),
            family=booking.member.family,
        )
    transaction.on_commit(lambda: reminder_schedule(booking=booking))


def booking_cancel(*, booking_id: int, user: User) -> Booking:
    """Cancel one's own booking; a freed place goes to the waiting list automatically."""
    owned = access.booking_for_user(user, booking_id)
    with transaction.atomic():
        occurrence = _locked_occurrence(owned.occurrence_id)
        booking = Booking.objects.select_related("member").get(pk=owned.pk)
        if not booking.is_active:
            raise ValidationError(_("This booking is already cancelled."))
        if occurrence.is_past:
            raise ValidationError(
                _("This session has already happened, so it cannot be cancelled.")
            )
        was_confirmed = booking.status == Booking.Status.CONFIRMED
        booking.status = Booking.Status.CANCELLED
        booking.cancelled_at = timezone.now()
        booking.save(update_fields=["status", "cancelled_at"])
        if was_confirmed:
            waiting_list_offer(occurrence=occurrence)
    return booking


def member_bookings_cancel(*, member_id: int) -> int:
    """Someone removed from a household keeps no place at a group still to come: each of
    their bookings is cancelled and freed places go to the waiting list. Returns how many."""
    cancelled = 0
    for booking_id, occurrence_id in (
        Booking.objects.active()
        .filter(member_id=member_id, occurrence__starts_at__gt=timezone.now())
        .values_list("pk", "occurrence_id")
    ):
        with transaction.atomic():
            occurrence = _locked_occurrence(occurrence_id)
            booking = Booking.objects.get(pk=booking_id)
            if not booking.is_active:
                continue
            was_confirmed = booking.status == Booking.Status.CONFIRMED
            booking.status = Booking.Status.CANCELLED
            booking.cancelled_at = timezone.now()
            booking.save(update_fields=["status", "cancelled_at"])
            if was_confirmed:
                waiting_list_offer(occurrence=occurrence)
            cancelled += 1
    return cancelled


def waiting_list_offer(*, occurrence: SessionOccurrence) -> list[Booking]:
    """Give freed places to the waiting list, first come first served. Caller holds the lock."""
    free = occurrence.series.capacity - _confirmed_places(occurrence)
    offered: list[Booking] = []
    if free <= 0 or occurrence.is_past:
        return offered
    waiting = (
        Booking.objects.filter(occurrence=occurrence, status=Booking.Status.WAITING)
        .select_related("member__user", "member__family")
        .order_by("created_at", "id")
    )
    for booking in waiting:
        if booking.places > free:
            continue
        booking.status = Booking.Status.CONFIRMED
        booking.confirmed_at = timezone.now()
        booking.save(update_fields=["status", "confirmed_at"])
        booking.occurrence = occurrence
        free -= booking.places
        offered.append(booking)
        _after_confirmed(
            booking,
            verb=_("A place came free at a group and it is yours. Cancel if you cannot come."),
        )
        if free <= 0:
            break
    return offered


# Reminders -----------------------------------------------------------------------------


REMINDER_HOUR = 8


def reminder_due_at(starts_at: datetime) -> datetime:
    """8am (UK time) the day before the session, or an hour before it if that is earlier."""
    local = timezone.localtime(starts_at)
    day_before = (local - REMINDER_BEFORE).replace(
        hour=REMINDER_HOUR, minute=0, second=0, microsecond=0
    )
    return min(day_before, starts_at - timedelta(hours=1))


def reminder_schedule(*, booking: Booking) -> None:
    """Ask the task queue to remind the parent the day before the session.

    Backends that can wait (the database queue in production) run the task at the right
    time. The embedded backend runs tasks at once, so there the task is only queued when
    the reminder is already due; ``send_session_reminders`` picks up the rest.
    """
    from .tasks import booking_reminder_send

    remind_at = reminder_due_at(booking.occurrence.starts_at)
    now = timezone.now()
    if booking_reminder_send.get_backend().supports_defer:
        booking_reminder_send.using(run_after=max(remind_at, now)).enqueue(booking_id=booking.pk)
    elif remind_at <= now:
        booking_reminder_send.enqueue(booking_id=booking.pk)


def booking_remind(*, booking_id: int) -> bool:
    """Send the day-before reminder once, if the booking still stands. True when sent."""
    now = timezone.now()
    with transaction.atomic():
        booking = (
            Booking.objects.select_for_update(of=("self",))
            .select_related("occurrence__series", "member__user", "member__family")
            .filter(pk=booking_id)
            .first()
        )
        if (
            booking is None
            or booking.status != Booking.Status.CONFIRMED
            or booking.reminded_at is not None
            or booking.member.user is None
        ):
            return False
        starts_at = booking.occurrence.starts_at
        if starts_at <= now or reminder_due_at(starts_at) > now:
            return False
        booking.reminded_at = now
        booking.save(update_fields=["reminded_at"])
        from .templatetags.content_tags import session_when

        notify_users(
            recipients=[booking.member.user],
            verb=_("Reminder: you have a group coming up"),
            description=_("%(title)s, %(when)s")
            % {"title": booking.occurrence.series.title, "when": session_when(booking.occurrence)},
            target=booking,
            url=booking.get_absolute_url(),
            family=booking.member.family,
        )
    return True


def reminders_due_send() -> int:
    """Send every reminder that is due and not sent yet (a safety net for the queue)."""
    now = timezone.now()
    soon = Booking.objects.confirmed().filter(
        reminded_at__isnull=True,
        occurrence__starts_at__gt=now,
        occurrence__starts_at__lte=now + 2 * REMINDER_BEFORE,
    )
    return sum(booking_remind(booking_id=pk) for pk in soon.values_list("pk", flat=True))


# Attendance ----------------------------------------------------------------------------


def register_viewed(
    *, occurrence: SessionOccurrence, bookings: list[Booking], actor: User, path: str
) -> None:
    """Staff saw names on a register: one audit event for each family on it."""
    families = {b.member.family_id for b in bookings}
    AuditEvent.objects.bulk_create(
        AuditEvent(
            actor=actor,
            action=AuditEvent.Action.VIEW,
            family_id=family_id,
            object_type="SessionOccurrence",
            object_id=str(occurrence.pk),
            path=path[:300],
        )
        for family_id in sorted(families)
    )


def attendance_record(*, occurrence_id: int, marks: dict[int, bool], actor: User) -> int:
    """Staff mark who came. Only once the session has started."""
    access.require_attendance_access(actor)
    with transaction.atomic():
        occurrence = _locked_occurrence(occurrence_id)
        if occurrence.starts_at > timezone.now() + timedelta(hours=1):
            raise ValidationError(
                _("You can take attendance from an hour before the session starts.")
            )
        bookings = {
            b.pk: b
            for b in Booking.objects.confirmed()
            .filter(occurrence=occurrence, pk__in=list(marks))
            .select_related("member")
        }
        changed = []
        for booking_id, attended in marks.items():
            booking = bookings.get(booking_id)
            if booking is None:
                continue
            booking.attended = attended
            changed.append(booking)
        Booking.objects.bulk_update(changed, ["attended"])
        AuditEvent.objects.bulk_create(
            AuditEvent(
                actor=actor,
                action=AuditEvent.Action.UPDATE,
                family_id=b.member.family_id,
                object_type="Booking",
                object_id=str(b.pk),
                reason="attendance",
            )
            for b in changed
        )
    return len(changed)


# Invitations from key workers ----------------------------------------------------------


def session_invitation_create(
    *, family: Family, member_id: int, occurrence_id: int, actor: User, message: str = ""
) -> SessionInvitation:
    """A key worker invites a named dad in a family they work with to a session."""
    if not portal_access.is_key_worker(actor):
        raise PermissionDenied
    relation = portal_access.relation_to_family(actor, family)
    if relation is portal_access.Relation.STAFF_WITH_REASON:
        if portal_access.active_grant(actor, family) is None:
            raise portal_access.ReasonRequired(family)
    elif relation is not portal_access.Relation.LEAD_KEY_WORKER:
        raise PermissionDenied
    member = FamilyMember.objects.select_related("user").filter(pk=member_id, family=family).first()
    if member is None or not member.is_father:
        raise ValidationError({"member": _("Choose a dad in this family.")})
    if member.user is None:
        raise ValidationError(
            {
                "member": _("%(name)s does not use this site yet. Invite him to the site first.")
                % {"name": member.name}
            }
        )
    occurrence = (
        SessionOccurrence.objects.select_related("series")
        .filter(pk=occurrence_id, series__live=True)
        .first()
    )
    if occurrence is None:
        raise ValidationError({"occurrence": _("Choose a session from the list.")})
    if occurrence.is_past:
        raise ValidationError(
            {"occurrence": _("This session has already happened. Choose another date.")}
        )
    with transaction.atomic():
        try:
            with transaction.atomic():
                invitation = SessionInvitation.objects.create(
                    occurrence=occurrence,
                    member=member,
                    invited_by=actor,
                    message=message.strip()[:300],
                )
        except IntegrityError as exc:
            raise ValidationError(
                {
                    "occurrence": _("You have already invited %(name)s to this session.")
                    % {"name": member.name}
                }
            ) from exc
        portal_access.audit_record(
            actor=actor, action=AuditEvent.Action.INVITE, family=family, record=invitation
        )
        notify_users(
            recipients=[member.user],
            actor=actor,
            verb=_("Your key worker invited you to a group"),
            description=occurrence.series.title,
            target=invitation,
            url=occurrence.series.url or "",
        )
    return invitation


# Editors -------------------------------------------------------------------------------

EDITORS_GROUP = "Editors"
WORKFLOW_NAME = "Two-person review"


def editorial_setup(*, home_page: Page) -> Workflow:
    """Give the Editors group what it needs in Wagtail, and put every page under review.

    Editors may add and change pages, images, documents and directory snippets, but not
    publish pages themselves: a page is published when a second editor approves it.
    Safe to run more than once.
    """
    from django.contrib.auth.models import Group, Permission
    from wagtail.models import (
        Collection,
        GroupCollectionPermission,
        GroupPagePermission,
        Workflow,
        WorkflowPage,
        WorkflowTask,
    )

    from .models import SecondEditorApprovalTask

    with transaction.atomic():
        group, _created = Group.objects.get_or_create(name=EDITORS_GROUP)
        wanted = Permission.objects.filter(
            content_type__app_label="wagtailadmin", codename="access_admin"
        ) | Permission.objects.filter(
            content_type__app_label="content",
            codename__in=[
                f"{action}_{model}"
                for action in ("add", "change", "delete", "view")
                for model in ("localservice", "venue", "taxonomyterm", "taxonomy")
            ],
        )
        group.permissions.add(*wanted)
        for codename in ("add_page", "change_page", "lock_page", "unlock_page"):
            permission = Permission.objects.get(
                content_type__app_label="wagtailcore", codename=codename
            )
            GroupPagePermission.objects.get_or_create(
                group=group, page=home_page, permission=permission
            )
        root_collection = Collection.get_first_root_node()
        for app_label, model in (("wagtailimages", "image"), ("wagtaildocs", "document")):
            for action in ("add", "change", "choose"):
                permission = Permission.objects.get(
                    content_type__app_label=app_label, codename=f"{action}_{model}"
                )
                GroupCollectionPermission.objects.get_or_create(
                    group=group, collection=root_collection, permission=permission
                )
        task = SecondEditorApprovalTask.objects.filter(name="Second editor approves").first()
        if task is None:
            task = SecondEditorApprovalTask.objects.create(name="Second editor approves")
        task.groups.add(group)
        workflow, _created = Workflow.objects.get_or_create(name=WORKFLOW_NAME)
        WorkflowTask.objects.get_or_create(workflow=workflow, task=task, defaults={"sort_order": 0})
        WorkflowPage.objects.update_or_create(page=home_page, defaults={"workflow": workflow})
    return workflow
