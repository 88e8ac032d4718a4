"""Every write to peer mentor records.

Permission is checked here as well as in the views. Two-step sign-in for managers is
checked by the views through ``access.manager_gate`` (demo seeding records checks for a
manager who has not set it up yet).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Model
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from portal import access as core
from portal import signals
from portal.models import AuditEvent, Family, FamilyMember, StaffProfile, User
from portal.notify import notify_users

from . import access
from .models import (
    Availability,
    ContactLog,
    Experience,
    Mentor,
    MentorMatch,
    ProfilePart,
    SupervisionNote,
    response_days,
)


def _managers() -> list[User]:
    return list(User.objects.filter(staff_profile__role=StaffProfile.Role.MANAGER, is_active=True))


def _family_adults(family: Family) -> list[User]:
    return [
        m.user
        for m in FamilyMember.objects.filter(family=family, user__isnull=False)
        .exclude(relationship=FamilyMember.Relationship.CHILD)
        .select_related("user")
        if m.user is not None
    ]


def _require_manager(actor: User) -> None:
    if not core.is_manager(actor):
        raise PermissionDenied


def _audit(
    actor: User, action: str, record: Model, family: Family | None = None, reason: str = ""
) -> None:
    core.audit_record(actor=actor, action=action, family=family, record=record, reason=reason)


# Becoming a mentor ---------------------------------------------------------------------


def mentor_apply(
    *, user: User, actor: User, why_mentor: str = "", display_name: str = ""
) -> Mentor:
    """Start someone's mentor application.

    A parent whose family finished the programme applies for themselves; a manager may
    record an application for anyone they invite.
    """
    if actor.pk == user.pk:
        if not access.can_apply(user):
            raise ValidationError(
                _("You can apply once your family has finished working with the service.")
            )
        route = Mentor.Route.PROGRAMME
    else:
        _require_manager(actor)
        if core.staff_profile(user):
            raise ValidationError(_("Staff cannot be peer mentors with their work account."))
        route = (
            Mentor.Route.PROGRAMME
            if (m := access.parent_member(user)) and m.family.status in access.FINISHED_STATUSES
            else Mentor.Route.INVITED
        )
    if Mentor.objects.filter(user=user).exists():
        raise ValidationError(_("There is already a mentor application for this person."))
    member = access.parent_member(user)
    name = (display_name or user.preferred_name or user.first_name or "").strip()
    if not name:
        name = member.name if member else user.email.split("@")[0]
    try:
        with transaction.atomic():
            mentor = Mentor.objects.create(
                user=user,
                route=route,
                why_mentor=why_mentor.strip()[:1500],
                recorded_by=None if actor.pk == user.pk else actor,
                display_name=name.split()[0][:40],
                is_dad=bool(member and member.relationship == FamilyMember.Relationship.DAD),
            )
            if actor.pk != user.pk:
                _audit(actor, AuditEvent.Action.CREATE, mentor)
            notify_users(
                recipients=_managers(),
                verb=_("A parent applied to be a peer mentor"),
                actor=actor,
                target=mentor,
                url=reverse("peer_mentors:manage_detail", kwargs={"mentor_id": mentor.pk}),
            )
    except IntegrityError as exc:
        raise ValidationError(_("There is already a mentor application for this person.")) from exc
    core.forget_remembered(user, "_peer_mentor")
    core.forget_loaded(user, "peer_mentor")
    return mentor


def mentor_checks_record(
    *,
    mentor: Mentor,
    actor: User,
    dbs_checked_on: date | None,
    references_checked_on: date | None,
    training_completed_on: date | None,
    code_agreed_on: date | None,
) -> Mentor:
    """A manager records the safety checks. Dates cannot be in the future."""
    _require_manager(actor)
    today = timezone.localdate()
    errors = {}
    for name, value in (
        ("dbs_checked_on", dbs_checked_on),
        ("references_checked_on", references_checked_on),
        ("training_completed_on", training_completed_on),
        ("code_agreed_on", code_agreed_on),
    ):
        if value is not None and value > today:
            errors[name] = _("The date must be today or in the past.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        mentor = Mentor.objects.select_for_update().get(pk=mentor.pk)
        mentor.dbs_checked_on = dbs_checked_on
        mentor.references_checked_on = references_checked_on
        mentor.training_completed_on = training_completed_on
        mentor.code_agreed_on = code_agreed_on
        mentor.checks_recorded_by = actor
        mentor.save(
            update_fields=[
                "dbs_checked_on",
                "references_checked_on",
                "training_completed_on",
                "code_agreed_on",
                "checks_recorded_by",
                "updated_at",
            ]
        )
        _audit(actor, AuditEvent.Action.UPDATE, mentor, reason="checks recorded")
    return mentor


def mentor_status_set(*, mentor: Mentor, status: str, actor: User, reason: str = "") -> Mentor:
    """A manager moves a mentor on. Active needs every check; stopping ends their matches."""
    _require_manager(actor)
    if status not in Mentor.Status.values:
        raise ValidationError({"status": _("Choose a status from the list.")})
    with transaction.atomic():
        mentor = Mentor.objects.select_for_update().get(pk=mentor.pk)
        if status == Mentor.Status.ACTIVE and not mentor.checks_complete:
            raise ValidationError(
                {
                    "status": _("%(name)s cannot be active until we have %(missing)s.")
                    % {"name": mentor.display_name, "missing": ", ".join(mentor.missing_checks())}
                }
            )
        mentor.status = status
        mentor.status_changed_at = timezone.now()
        mentor.save(update_fields=["status", "status_changed_at", "updated_at"])
        _audit(
            actor,
            AuditEvent.Action.UPDATE,
            mentor,
            reason=f"Status changed to {mentor.get_status_display()}",
        )
        if status in {Mentor.Status.PAUSED, Mentor.Status.STOPPED}:
            # Families waiting on a mentor who is stepping back can ask someone else now.
            for match in MentorMatch.objects.select_related("family").filter(
                mentor=mentor, status__in=MentorMatch.OPEN
            ):
                match.status = MentorMatch.Status.WITHDRAWN
                match.responded_at = timezone.now()
                match.save(update_fields=["status", "responded_at"])
                notify_users(
                    recipients=_family_adults(match.family),
                    verb=_("The mentor you asked cannot support you right now"),
                    actor=actor,
                    target=match,
                    url=reverse("peer_mentors:find"),
                    family=match.family,
                )
        if status == Mentor.Status.STOPPED:
            for match in MentorMatch.objects.select_related(
                "family", "family__lead_key_worker", "mentor__user"
            ).filter(mentor=mentor, status=MentorMatch.Status.ACCEPTED):
                _end(
                    match,
                    actor=actor,
                    side=MentorMatch.Side.SERVICE,
                    reason=reason or _("The mentor stopped volunteering with us."),
                )
    return mentor


def mentor_profile_update(
    *,
    mentor: Mentor,
    actor: User,
    display_name: str,
    story: str,
    experiences: list[str],
    languages: list[str],
    ward: str,
    availability: list[str],
    can_accompany: bool,
    capacity: int,
    is_dad: bool,
    prefers_dads: bool,
    shown: list[str],
) -> Mentor:
    """The mentor writes their own profile and chooses what families see."""
    if mentor.user_id != actor.pk:
        raise PermissionDenied
    display_name = display_name.strip()
    errors = {}
    if not display_name:
        errors["display_name"] = _("Enter the name you want families to see.")
    elif len(display_name.split()) > 1:
        errors["display_name"] = _("Use one name only, like Jo. Families do not see surnames.")
    if not 1 <= int(capacity) <= 5:
        errors["capacity"] = _("Choose between 1 and 5 families.")
    if errors:
        raise ValidationError(errors)
    cleaned_languages: list[str] = []
    for language in languages:
        language = language.strip()[:40]
        if language and language.casefold() not in {x.casefold() for x in cleaned_languages}:
            cleaned_languages.append(language)
    with transaction.atomic():
        mentor.display_name = display_name[:40]
        mentor.story = story.strip()[:1200]
        mentor.experiences = [e for e in Experience.values if e in set(experiences)]
        mentor.languages = cleaned_languages[:8]
        mentor.ward = ward.strip()[:80]
        mentor.availability = [a for a in Availability.values if a in set(availability)]
        mentor.can_accompany = bool(can_accompany)
        mentor.capacity = int(capacity)
        mentor.is_dad = bool(is_dad)
        mentor.prefers_dads = bool(prefers_dads)
        mentor.shown = [p for p in ProfilePart.values if p in set(shown)]
        mentor.save()
    return mentor


# Requests and matches ------------------------------------------------------------------


def _expire_overdue(*, family: Family | None = None, mentor: Mentor | None = None) -> None:
    """Requests the mentor did not answer in time stop blocking new ones."""
    overdue = MentorMatch.objects.filter(
        status=MentorMatch.Status.REQUESTED, respond_by__lte=timezone.now()
    )
    if family is not None:
        overdue = overdue.filter(family=family)
    if mentor is not None:
        overdue = overdue.filter(mentor=mentor)
    overdue.update(status=MentorMatch.Status.EXPIRED)


def _current_load(mentor: Mentor) -> int:
    return MentorMatch.objects.filter(mentor=mentor, status=MentorMatch.Status.ACCEPTED).count()


def _check_mentor_can_take(mentor: Mentor, family: Family) -> None:
    """Refuse, with a clear message, a mentor who cannot take this family now."""
    if mentor.status != Mentor.Status.ACTIVE:
        raise ValidationError(
            _("%(name)s is not taking on families at the moment. Choose another mentor.")
            % {"name": mentor.display_name}
        )
    if not mentor.dbs_is_current:
        raise ValidationError(
            _(
                "%(name)s cannot be matched until their safety check (DBS) is renewed. Choose another mentor."
            )
            % {"name": mentor.display_name}
        )
    if _current_load(mentor) >= mentor.capacity:
        raise ValidationError(
            _("%(name)s is already supporting as many families as they can. Choose another mentor.")
            % {"name": mentor.display_name}
        )
    if FamilyMember.objects.filter(family=family, user_id=mentor.user_id).exists():
        raise ValidationError(_("A mentor cannot support their own family."))


def _check_family_free(family: Family) -> None:
    if family.status not in access.SUPPORTED_STATUSES:
        raise ValidationError(_("Only families working with the service can ask for a mentor."))
    if MentorMatch.objects.filter(family=family, status__in=MentorMatch.OPEN).exists():
        raise ValidationError(
            _("There is already a request for a mentor waiting for an answer. Wait for it first.")
        )
    if MentorMatch.objects.filter(family=family, status=MentorMatch.Status.ACCEPTED).exists():
        raise ValidationError(
            _("Your family already has a mentor. End that match before asking for another.")
        )


def _send_to_mentor(match: MentorMatch, now: datetime) -> None:
    """Send the request on: the mentor has a set time to answer."""
    match.status = MentorMatch.Status.REQUESTED
    match.sent_at = now
    match.respond_by = now + timedelta(days=response_days())
    match.save()
    notify_users(
        recipients=[match.mentor.user],
        verb=_("A family asked you to be their mentor"),
        target=match,
        url=match.get_absolute_url(),
    )


def match_request(
    *,
    family: Family,
    mentor: Mentor,
    actor: User,
    message: str = "",
    reasons: list[str] | None = None,
) -> MentorMatch:
    """A parent asks a mentor to support their family."""
    member = access.parent_member(actor)
    if member is None or member.family_id != family.pk:
        raise PermissionDenied
    return _create_match(
        family=family, mentor=mentor, actor=actor, message=message, reasons=reasons, proposed=False
    )


def match_propose(
    *, family: Family, mentor: Mentor, actor: User, reasons: list[str] | None = None
) -> MentorMatch:
    """A key worker suggests a mentor; the family says yes before the mentor is asked."""
    if not core.is_key_worker(actor) or not core.family_access(actor, family).can_manage:
        raise PermissionDenied
    return _create_match(
        family=family, mentor=mentor, actor=actor, message="", reasons=reasons, proposed=True
    )


def _create_match(
    *,
    family: Family,
    mentor: Mentor,
    actor: User,
    message: str,
    reasons: list[str] | None,
    proposed: bool,
) -> MentorMatch:
    message = message.strip()
    if len(message) > 500:
        raise ValidationError({"message": _("Keep your message to 500 characters or fewer.")})
    try:
        with transaction.atomic():
            # Lock the mentor so two families cannot both take their last place.
            mentor = Mentor.objects.select_for_update().get(pk=mentor.pk)
            _expire_overdue(family=family)
            _check_family_free(family)
            _check_mentor_can_take(mentor, family)
            now = timezone.now()
            match = MentorMatch(
                family=family,
                mentor=mentor,
                requested_by=actor,
                proposed_by=actor if proposed else None,
                message=message,
                reasons=[str(r) for r in (reasons or [])][:10],
                created_at=now,
                status=MentorMatch.Status.PROPOSED,
            )
            if proposed:
                match.save()
                _audit(actor, AuditEvent.Action.CREATE, match, family=family)
                notify_users(
                    recipients=_family_adults(family),
                    verb=_("Your key worker suggested a peer mentor for you"),
                    actor=actor,
                    target=match,
                    url=match.get_absolute_url(),
                    family=family,
                )
            else:
                _send_to_mentor(match, now)
                notify_users(
                    recipients=[family.lead_key_worker] if family.lead_key_worker else [],
                    verb=_("A family on your caseload asked for a peer mentor"),
                    actor=actor,
                    target=match,
                    url=match.get_absolute_url(),
                    family=family,
                )
    except IntegrityError as exc:
        # Someone else's request landed first: the unique constraints keep one open.
        raise ValidationError(
            _("There is already a request for a mentor waiting for an answer. Wait for it first.")
        ) from exc
    return match


def match_proposal_answer(*, match: MentorMatch, actor: User, agree: bool) -> MentorMatch:
    """The family says yes (the mentor is asked) or no to a key worker's suggestion."""
    member = access.parent_member(actor)
    if member is None or member.family_id != match.family_id:
        raise PermissionDenied
    with transaction.atomic():
        mentor = Mentor.objects.select_for_update().get(pk=match.mentor_id)
        match = MentorMatch.objects.select_for_update().get(pk=match.pk)
        if match.status != MentorMatch.Status.PROPOSED:
            raise ValidationError(_("This suggestion has already been answered."))
        if agree:
            _check_mentor_can_take(mentor, match.family)
            match.requested_by = actor
            match.mentor = mentor
            _send_to_mentor(match, timezone.now())
            return match
        match.status = MentorMatch.Status.WITHDRAWN
        match.responded_at = timezone.now()
        match.save(update_fields=["status", "responded_at"])
        notify_users(
            recipients=[match.proposed_by] if match.proposed_by else [],
            verb=_("A family said no thank you to a suggested mentor"),
            actor=actor,
            target=match,
            url=match.get_absolute_url(),
            family=match.family,
        )
    return match


def match_withdraw(*, match: MentorMatch, actor: User) -> MentorMatch:
    """The family takes back a request (or a key worker their suggestion) before an answer."""
    match_access = access.match_access(actor, match)
    if not match_access.can_withdraw:
        raise PermissionDenied
    with transaction.atomic():
        match = MentorMatch.objects.select_for_update().get(pk=match.pk)
        if not match.is_open:
            raise ValidationError(_("This request has already been answered."))
        was_sent = match.status == MentorMatch.Status.REQUESTED
        match.status = MentorMatch.Status.WITHDRAWN
        match.responded_at = timezone.now()
        match.save(update_fields=["status", "responded_at"])
        if was_sent:
            notify_users(
                recipients=[match.mentor.user],
                verb=_("A family no longer needs the mentor they asked for"),
                actor=actor,
                target=match,
                url=reverse("peer_mentors:mentor_home"),
            )
    return match


class RequestExpired(ValidationError):
    pass


def match_respond(*, match: MentorMatch, actor: User, accept: bool) -> MentorMatch:
    """The mentor says yes or no before the time to answer runs out."""
    if match.mentor.user_id != actor.pk:
        raise PermissionDenied
    expired = False
    with transaction.atomic():
        mentor = Mentor.objects.select_for_update().get(pk=match.mentor_id)
        match = (
            MentorMatch.objects.select_for_update(of=("self",))
            .select_related("family", "family__lead_key_worker")
            .get(pk=match.pk)
        )
        if match.status != MentorMatch.Status.REQUESTED:
            raise ValidationError(_("This request has already been answered or withdrawn."))
        now = timezone.now()
        if match.respond_by is None or match.respond_by <= now:
            match.status = MentorMatch.Status.EXPIRED
            match.save(update_fields=["status"])
            expired = True
        elif accept:
            _check_mentor_can_take(mentor, match.family)
            match.status = MentorMatch.Status.ACCEPTED
            match.responded_at = now
            match.save(update_fields=["status", "responded_at"])
            family, mentor_user, match_id = match.family, mentor.user, match.pk
            notify_users(
                recipients=_family_adults(family),
                verb=_("%(name)s said yes to being your mentor") % {"name": mentor.display_name},
                actor=actor,
                target=match,
                url=match.get_absolute_url(),
                family=family,
            )
            notify_users(
                recipients=[family.lead_key_worker] if family.lead_key_worker else [],
                verb=_("A family on your caseload has been matched with a peer mentor"),
                actor=actor,
                target=match,
                url=match.get_absolute_url(),
                family=family,
            )
            transaction.on_commit(
                lambda: signals.mentor_match_started.send(
                    sender=MentorMatch, family=family, mentor=mentor_user, match_id=match_id
                )
            )
        else:
            match.status = MentorMatch.Status.DECLINED
            match.responded_at = now
            match.save(update_fields=["status", "responded_at"])
            notify_users(
                recipients=_family_adults(match.family),
                verb=_("The mentor you asked cannot support you right now"),
                actor=actor,
                target=match,
                url=reverse("peer_mentors:find"),
                family=match.family,
            )
    if expired:
        # Marking it expired is kept; nothing else was changed.
        raise RequestExpired(
            _("The time to answer this request ran out on %(date)s. The family can ask again.")
            % {"date": timezone.localtime(match.respond_by).strftime("%d/%m/%Y at %H:%M")}
        )
    return match


def _end(match: MentorMatch, *, actor: User, side: str, reason: str) -> None:
    match.status = MentorMatch.Status.ENDED
    match.ended_at = timezone.now()
    match.ended_by = actor
    match.end_side = side
    match.end_reason = reason[:300]
    match.save(update_fields=["status", "ended_at", "ended_by", "end_side", "end_reason"])
    family, mentor_user, match_id = match.family, match.mentor.user, match.pk
    recipients = [*_family_adults(family), mentor_user, family.lead_key_worker]
    notify_users(
        recipients=recipients,
        verb=_("A peer mentor match has ended"),
        actor=actor,
        target=match,
        url=match.get_absolute_url(),
        family=family,
    )
    transaction.on_commit(
        lambda: signals.mentor_match_ended.send(
            sender=MentorMatch, family=family, mentor=mentor_user, match_id=match_id, reason=reason
        )
    )


def match_end(*, match: MentorMatch, actor: User, reason: str) -> MentorMatch:
    """Either side (or the service) ends a match, with a short reason for the key worker."""
    match_access = access.match_access(actor, match)
    reason = reason.strip()
    if len(reason) < 3:
        raise ValidationError({"reason": _("Say in a few words why the match is ending.")})
    if len(reason) > 300:
        raise ValidationError({"reason": _("Keep the reason to 300 characters or fewer.")})
    side = {
        "family": MentorMatch.Side.FAMILY,
        "mentor": MentorMatch.Side.MENTOR,
    }.get(match_access.role, MentorMatch.Side.SERVICE)
    with transaction.atomic():
        match = (
            MentorMatch.objects.select_for_update(of=("self",))
            .select_related("family", "family__lead_key_worker", "mentor__user")
            .get(pk=match.pk)
        )
        if match.status != MentorMatch.Status.ACCEPTED:
            raise ValidationError(_("This match has already ended."))
        _end(match, actor=actor, side=side, reason=reason)
        if match_access.is_staff:
            _audit(actor, AuditEvent.Action.UPDATE, match, family=match.family, reason="ended")
    return match


# Contacts and supervision ----------------------------------------------------------------


def contact_log_create(
    *, match: MentorMatch, actor: User, kind: str, happened_on: date, summary: str = ""
) -> ContactLog:
    """The mentor writes down a call, visit or appointment they went to with the parent."""
    match_access = access.match_access(actor, match)
    if not match_access.can_log_contact:
        raise PermissionDenied
    errors = {}
    if kind not in ContactLog.Kind.values:
        errors["kind"] = _("Choose what happened.")
    if happened_on > timezone.localdate():
        errors["happened_on"] = _("The date must be today or in the past.")
    elif match.responded_at and happened_on < timezone.localdate(match.responded_at):
        errors["happened_on"] = _("The date must be after you started supporting this family.")
    if len(summary.strip()) > 280:
        errors["summary"] = _("Keep it to 280 characters or fewer.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        return ContactLog.objects.create(
            match=match,
            kind=kind,
            happened_on=happened_on,
            summary=summary.strip(),
            logged_by=actor,
        )


def contact_log_for_appointment(
    *, match_id: int, actor: User, happened_on: date, appointment_id: int, summary: str = ""
) -> ContactLog:
    """The key worker records that the mentor went with the parent to an appointment
    (casework's, kept by id). Once for each appointment: a second call returns the first."""
    match = MentorMatch.objects.select_related("family", "mentor").filter(pk=match_id).first()
    if match is None or not core.family_access(actor, match.family).can_manage:
        raise PermissionDenied
    with transaction.atomic():
        existing = ContactLog.objects.filter(appointment_id=appointment_id).first()
        if existing is not None:
            return existing
        log = ContactLog.objects.create(
            match=match,
            kind=ContactLog.Kind.APPOINTMENT,
            happened_on=happened_on,
            summary=summary.strip()[:280],
            logged_by=actor,
            appointment_id=appointment_id,
        )
        _audit(actor, AuditEvent.Action.CREATE, log, family=match.family)
    return log


def supervision_note_add(
    *, mentor: Mentor, actor: User, note: str, shared_with_mentor: bool = True
) -> SupervisionNote:
    """A manager writes down a supervision conversation."""
    _require_manager(actor)
    note = note.strip()
    if len(note) < 3:
        raise ValidationError({"note": _("Write the supervision note.")})
    with transaction.atomic():
        created = SupervisionNote.objects.create(
            mentor=mentor, author=actor, note=note[:3000], shared_with_mentor=shared_with_mentor
        )
        _audit(actor, AuditEvent.Action.CREATE, created)
    return created
