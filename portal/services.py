"""Every write to the core records."""

from __future__ import annotations

import secrets
from datetime import date, timedelta

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from . import access, signals
from .models import (
    AccessGrant,
    Agency,
    AuditEvent,
    Family,
    FamilyMember,
    FamilyPractitioner,
    FamilyStatusChange,
    Invitation,
    LeadKeyWorker,
    SafeContact,
    StaffProfile,
    User,
)
from .notify import email_send, notify_users


def user_create(
    *,
    email: str,
    password: str | None = None,
    first_name: str = "",
    last_name: str = "",
    preferred_name: str = "",
    verified: bool = True,
    is_staff: bool = False,
    is_superuser: bool = False,
) -> User:
    """Create a person who can sign in, with their email address already confirmed."""
    with transaction.atomic():
        user = User.objects.create_user(
            email=email,
            password=password,
            first_name=first_name,
            last_name=last_name,
            preferred_name=preferred_name,
            is_staff=is_staff,
            is_superuser=is_superuser,
        )
        EmailAddress.objects.create(user=user, email=user.email, primary=True, verified=verified)
    return user


def staff_create(
    *,
    email: str,
    password: str | None,
    first_name: str,
    last_name: str,
    role: str,
    agency: str = StaffProfile.Agency.EARLY_HELP,
    job_title: str = "",
    manager: User | None = None,
    phone: str = "",
) -> User:
    """Create a member of staff. Editors and managers may use the Wagtail admin."""
    with transaction.atomic():
        user = user_create(
            email=email,
            password=password,
            first_name=first_name,
            last_name=last_name,
            is_staff=role in {StaffProfile.Role.EDITOR, StaffProfile.Role.MANAGER},
        )
        StaffProfile.objects.create(
            user=user, role=role, agency=agency, job_title=job_title, manager=manager, phone=phone
        )
        if role in {StaffProfile.Role.EDITOR, StaffProfile.Role.MANAGER}:
            from django.contrib.auth.models import Group

            group, _created = Group.objects.get_or_create(name="Editors")
            user.groups.add(group)
    return user


def postcode_normalise(postcode: str) -> str:
    """A postcode in one form, whatever the spacing or case typed: "cv1 5fb" and "CV15FB"
    are both "CV1 5FB"."""
    compact = "".join(postcode.split()).upper()
    return f"{compact[:-3]} {compact[-3:]}" if len(compact) > 3 else compact


def _next_reference() -> str:
    last = Family.objects.order_by("-id").values_list("id", flat=True).first() or 0
    return f"EH-{last + 1:05d}"


def family_create(
    *,
    display_name: str,
    lead_key_worker: User | None = None,
    status: str = Family.Status.REFERRED,
    ward: str = "",
    preferred_language: str = "",
    reference: str = "",
    surname: str = "",
    postcode: str = "",
    actor: User | None = None,
) -> Family:
    """Open a family record. Staff creating one is audited."""
    display_name = display_name.strip()
    if not display_name:
        raise ValidationError({"display_name": _("Enter the family's name.")})
    with transaction.atomic():
        family = Family.objects.create(
            reference=reference or _next_reference(),
            display_name=display_name,
            lead_key_worker=lead_key_worker,
            status=status,
            ward=ward,
            preferred_language=preferred_language,
            surname=surname.strip(),
            postcode=postcode_normalise(postcode),
        )
        if lead_key_worker is not None:
            LeadKeyWorker.objects.create(family=family, key_worker=lead_key_worker)
        FamilyStatusChange.objects.create(family=family, after=status, changed_by=actor)
        if actor is not None:
            access.audit_record(
                actor=actor, action=AuditEvent.Action.CREATE, family=family, record=family
            )
    return family


def family_status_set(*, family: Family, status: str, actor: User, reason: str = "") -> Family:
    """Move the family on in the programme; only staff who manage it may. The one place a
    family's status changes: the referral, closure and re-opening services call it, and
    each change is kept (``FamilyStatusChange``, read by the chronology) and audited. A
    family already at ``status`` is left as it is, with nothing recorded."""
    if not access.family_access(actor, family).can_manage:
        raise PermissionDenied
    if status not in Family.Status.values:
        raise ValidationError({"status": _("Choose a status from the list.")})
    with transaction.atomic():
        if not _status_change(family=family, status=status, actor=actor, reason=reason):
            return family
        access.audit_record(
            actor=actor,
            action=AuditEvent.Action.UPDATE,
            family=family,
            record=family,
            reason=f"Status changed to {family.get_status_display()}"
            + (f": {reason}" if reason else ""),
        )
    return family


def _status_change(*, family: Family, status: str, actor: User, reason: str = "") -> bool:
    """Whether the status changed (a family already there is left as it is)."""
    before = Family.objects.select_for_update().values_list("status", flat=True).get(pk=family.pk)
    if before == status:
        family.status = status
        return False
    family.status = status
    family.save(update_fields=["status", "updated_at"])
    FamilyStatusChange.objects.create(
        family=family, before=before, after=status, changed_by=actor, reason=reason[:300]
    )
    return True


HANDOVER_NOTE_MAX = 2000


def family_lead_transfer(*, family: Family, to: User, note: str, actor: User) -> LeadKeyWorker:
    """Pass the family to another key worker, with a note for them. The family's lead key
    worker or a service manager may; the new lead is told, and the old one if someone else
    did it."""
    if not (
        access.mfa_passed(actor)
        and (access.is_manager(actor) or family.lead_key_worker_id == actor.pk)
    ):
        raise PermissionDenied
    if not (to.is_active and access.is_key_worker(to)):
        raise ValidationError({"to": _("Choose a key worker from the list.")})
    note = note.strip()
    if not note:
        raise ValidationError(
            {"note": _("Write a note for the new key worker: what they need to know first.")}
        )
    if len(note) > HANDOVER_NOTE_MAX:
        raise ValidationError(
            {
                "note": _("The note must be %(max)s characters or fewer.")
                % {"max": HANDOVER_NOTE_MAX}
            }
        )
    with transaction.atomic():
        family = (
            Family.objects.select_for_update(of=("self",))
            .select_related("lead_key_worker")
            .get(pk=family.pk)
        )
        before = family.lead_key_worker
        if before is not None and before.pk == to.pk:
            raise ValidationError(
                {"to": _("%(name)s already leads this family.") % {"name": to.display_name}}
            )
        now = timezone.now()
        LeadKeyWorker.objects.filter(family=family, ended_at__isnull=True).update(ended_at=now)
        spell = LeadKeyWorker.objects.create(
            family=family, key_worker=to, started_at=now, handover_note=note, handed_over_by=actor
        )
        family.lead_key_worker = to
        family.save(update_fields=["lead_key_worker", "updated_at"])
        access.audit_record(
            actor=actor,
            action=AuditEvent.Action.UPDATE,
            family=family,
            record=spell,
            reason=f"Lead key worker changed from "
            f"{before.display_name if before else 'no one'} to {to.display_name}",
        )
        url = reverse("portal:family_detail", kwargs={"family_id": family.pk})
        notify_users(
            recipients=[to],
            actor=actor,
            verb=_("A family has been passed to you"),
            description=_("%(name)s left a note for you on the family's record.")
            % {"name": actor.display_name},
            url=url,
            target=family,
            family=family,
        )
        adults = User.objects.filter(
            family_membership__family=family, family_membership__left_at__isnull=True
        ).exclude(family_membership__relationship=FamilyMember.Relationship.CHILD)
        notify_users(
            recipients=adults,
            actor=actor,
            verb=_("You have a new key worker: %(name)s") % {"name": to.display_name},
            url=reverse("portal:dashboard"),
            family=family,
        )
        if before is not None and before.pk != actor.pk:
            notify_users(
                recipients=[before],
                actor=actor,
                verb=_("A family on your caseload has been passed on"),
                description=_("%(name)s now leads it.") % {"name": to.display_name},
                url=reverse("portal:dashboard"),
                family=family,
            )
        link = settings.SITE_URL.rstrip("/") + url
        transaction.on_commit(
            lambda: email_send(
                subject=_("A family has been passed to you"),
                message=_(
                    "%(name)s has passed a family to you and left a note for you on its "
                    "record. Sign in to read it: %(link)s"
                )
                % {"name": actor.display_name, "link": link},
                users=[to],
            )
        )
    return spell


def family_member_add(
    *,
    family: Family,
    name: str,
    relationship: str,
    date_of_birth: date | None = None,
    user: User | None = None,
    actor: User | None = None,
) -> FamilyMember:
    """Add someone to the household."""
    name = name.strip()
    if not name:
        raise ValidationError({"name": _("Enter the person's name.")})
    if date_of_birth and date_of_birth > timezone.localdate():
        raise ValidationError({"date_of_birth": _("Date of birth must be in the past.")})
    with transaction.atomic():
        member = FamilyMember.objects.create(
            family=family,
            name=name,
            relationship=relationship,
            date_of_birth=date_of_birth,
            user=user,
        )
        if actor is not None and access.staff_profile(actor):
            access.audit_record(
                actor=actor, action=AuditEvent.Action.CREATE, family=family, record=member
            )
    return member


def invitation_create(
    *,
    family: Family,
    email: str,
    actor: User,
    member: FamilyMember | None = None,
    name: str = "",
    relationship: str = FamilyMember.Relationship.CARER,
) -> tuple[Invitation, str]:
    """Invite a parent to set up an account and join ``family``; emails them a one-time link.

    Returns the invitation and the raw token (only its hash is stored).
    """
    if not access.family_access(actor, family).can_manage:
        raise PermissionDenied
    email = email.strip().lower()
    if member is not None and member.family_id != family.pk:
        raise ValidationError({"member": _("Choose someone in this family.")})
    if member is not None and member.user_id:
        raise ValidationError({"member": _("This person already has an account.")})
    if member is not None and member.left_at is not None:
        raise ValidationError({"member": _("This person has left the household.")})
    token = secrets.token_urlsafe(32)
    with transaction.atomic():
        if member is None:
            member = family_member_add(
                family=family,
                name=name or email.split("@")[0],
                relationship=relationship,
                actor=actor,
            )
        # An older unused link for the same person stops working when a new one is sent.
        Invitation.objects.filter(member=member, accepted_at__isnull=True).update(
            expires_at=timezone.now()
        )
        invitation = Invitation.objects.create(
            family=family,
            member=member,
            email=email,
            token_hash=Invitation.hash_token(token),
            created_by=actor,
            expires_at=timezone.now() + timedelta(days=settings.INVITATION_VALID_DAYS),
        )
        access.audit_record(
            actor=actor, action=AuditEvent.Action.INVITE, family=family, record=invitation
        )
        link = settings.SITE_URL.rstrip("/") + reverse(
            "portal:invitation_accept", kwargs={"token": token}
        )
        context = {
            "link": link,
            "key_worker": actor.display_name,
            "service_name": settings.SERVICE_NAME,
            "days": settings.INVITATION_VALID_DAYS,
        }
        transaction.on_commit(
            lambda: email_send(
                subject=_("You are invited to %(service)s") % {"service": settings.SERVICE_NAME},
                message=render_to_string("portal/email/invitation.txt", context),
                addresses=[email],
            )
        )
    return invitation, token


def invitation_lookup(*, token: str) -> Invitation | None:
    """The usable invitation for a token, or None if it is unknown, used or expired."""
    invitation = (
        Invitation.objects.select_related("family", "member")
        .filter(token_hash=Invitation.hash_token(token))
        .first()
    )
    if invitation is None or not invitation.is_usable:
        return None
    return invitation


def invitation_accept(
    *, token: str, password: str, preferred_name: str = "", user: User | None = None
) -> tuple[User, Invitation]:
    """Use an invitation once: create (or link) the account and join the family.

    The link was emailed to the address, so following it confirms that address.
    """
    with transaction.atomic():
        invitation = (
            Invitation.objects.select_for_update(of=("self",))
            .select_related("member", "family")
            .filter(token_hash=Invitation.hash_token(token))
            .first()
        )
        if invitation is None or not invitation.is_usable or invitation.member is None:
            raise ValidationError(_("This invitation link has expired or has already been used."))
        member = invitation.member
        if member.user_id:
            raise ValidationError(_("This invitation link has already been used."))
        if user is None:
            if User.objects.filter(email__iexact=invitation.email).exists():
                raise ValidationError(
                    _(
                        "An account already uses this email address. Sign in first, then open the link again."
                    )
                )
            try:
                user = user_create(
                    email=invitation.email, password=password, preferred_name=preferred_name
                )
            except IntegrityError as exc:
                raise ValidationError(_("An account already uses this email address.")) from exc
        elif FamilyMember.objects.filter(user=user).exists():
            raise ValidationError(_("Your account is already part of a family."))
        member.user = user
        member.save(update_fields=["user"])
        invitation.accepted_at = timezone.now()
        invitation.accepted_by = user
        invitation.save(update_fields=["accepted_at", "accepted_by"])
        if invitation.family.status == Family.Status.REFERRED:
            _status_change(
                family=invitation.family,
                status=Family.Status.ACTIVE,
                actor=user,
                reason="The first adult of the family joined the portal",
            )
    return user, invitation


def access_grant_create(*, user: User, family: Family, reason: str) -> AccessGrant:
    """Record why a member of staff needs a family that is not on their caseload."""
    reason = reason.strip()
    if len(reason) < 10:
        raise ValidationError({"reason": _("Say why you need to see this family's record.")})
    relation = access.relation_to_family(user, family)
    if relation is not access.Relation.STAFF_WITH_REASON:
        raise PermissionDenied
    with transaction.atomic():
        grant = AccessGrant.objects.create(
            user=user, family=family, reason=reason[:1000], expires_at=access.grant_valid_until()
        )
    return grant


# Agencies and the team around the family -------------------------------------------------


def _require_manager(actor: User) -> None:
    if not access.is_manager(actor):
        raise PermissionDenied
    if not access.mfa_passed(actor):
        raise access.MFASetupRequired


def _agency_name_free(name: str, *, but: Agency | None = None) -> str:
    name = " ".join(name.split())
    if not name:
        raise ValidationError({"name": _("Enter the agency's name.")})
    taken = Agency.objects.filter(name__iexact=name)
    if but is not None:
        taken = taken.exclude(pk=but.pk)
    if taken.exists():
        raise ValidationError({"name": _("There is already an agency with this name.")})
    return name[:120]


def agency_create(*, name: str, kind: str, actor: User) -> Agency:
    """A service manager adds an agency whose practitioners may join families' teams."""
    _require_manager(actor)
    if kind not in Agency.Kind.values:
        raise ValidationError({"kind": _("Choose what kind of agency it is.")})
    with transaction.atomic():
        agency = Agency.objects.create(name=_agency_name_free(name), kind=kind)
        access.audit_record(
            actor=actor,
            action=AuditEvent.Action.CREATE,
            family=None,
            record=agency,
            reason=f"Added the agency {agency.name}",
        )
    return agency


def agency_rename(*, agency: Agency, name: str, actor: User) -> Agency:
    """A service manager renames an agency; teams it is on show the new name."""
    _require_manager(actor)
    with transaction.atomic():
        old = agency.name
        agency.name = _agency_name_free(name, but=agency)
        agency.save(update_fields=["name"])
        access.audit_record(
            actor=actor,
            action=AuditEvent.Action.UPDATE,
            family=None,
            record=agency,
            reason=f"Renamed the agency {old} to {agency.name}",
        )
    return agency


def agency_retire(*, agency: Agency, reason: str, actor: User) -> Agency:
    """A service manager stops offering an agency (it closed, merged); people already on
    teams for it stay on them."""
    _require_manager(actor)
    reason = reason.strip()
    if len(reason) < 10:
        raise ValidationError({"reason": _("Say why this agency is no longer used.")})
    with transaction.atomic():
        agency.is_active = False
        agency.retired_reason = reason[:1000]
        agency.save(update_fields=["is_active", "retired_reason"])
        access.audit_record(
            actor=actor,
            action=AuditEvent.Action.REMOVE,
            family=None,
            record=agency,
            reason=f"Retired the agency {agency.name}: {reason[:900]}",
        )
    return agency


def _team_dates_check(starts: date, ends: date | None) -> None:
    if ends is not None and ends < starts:
        raise ValidationError(
            {"ends": _("The end date must be the same as or after the start date.")}
        )


def family_practitioner_add(
    *,
    family: Family,
    practitioner: User,
    agency: Agency,
    role: str,
    starts: date,
    ends: date | None = None,
    actor: User,
) -> FamilyPractitioner:
    """Put a partner practitioner on the family's team, for an agency in use, in a role,
    from ``starts`` to ``ends`` (their last day; none for no end yet). Someone who was on
    the team before joins it again."""
    if not access.family_access(actor, family).can_manage:
        raise PermissionDenied
    if access.staff_role(practitioner) != StaffProfile.Role.PARTNER or not practitioner.is_active:
        raise ValidationError({"practitioner": _("Choose a partner practitioner from the list.")})
    if not agency.is_active:
        raise ValidationError({"agency": _("Choose an agency from the list.")})
    _team_dates_check(starts, ends)
    role = " ".join(role.split())[:120]
    with transaction.atomic():
        link = (
            FamilyPractitioner.everyone.select_for_update()
            .filter(family=family, user=practitioner)
            .first()
        )
        if link is not None and link.is_current():
            raise ValidationError(
                {
                    "practitioner": _("%(name)s is already on the team.")
                    % {"name": practitioner.display_name}
                }
            )
        if link is None:
            link = FamilyPractitioner(family=family, user=practitioner)
        link.agency, link.role, link.starts, link.ends = agency, role, starts, ends
        link.added_by = actor
        link.removed_at, link.removed_by, link.removed_reason, link.left_at = None, None, "", None
        link.save()
        access.audit_record(
            actor=actor,
            action=AuditEvent.Action.CREATE,
            family=family,
            record=link,
            reason=f"Put {practitioner.display_name} ({agency.name}) on the family's team",
        )
    return link


def family_practitioner_update(
    *,
    membership: FamilyPractitioner,
    role: str,
    starts: date,
    ends: date | None,
    actor: User,
) -> FamilyPractitioner:
    """Change a team member's role or dates. An end date before today ends their access
    at once, as removing them does."""
    family = membership.family
    if not access.family_access(actor, family).can_manage:
        raise PermissionDenied
    if membership.removed_at is not None:
        raise ValidationError({"ends": _("This person has been removed from the team.")})
    _team_dates_check(starts, ends)
    with transaction.atomic():
        membership.role = " ".join(role.split())[:120]
        membership.starts, membership.ends = starts, ends
        if membership.is_current():
            membership.left_at = None
        membership.save(update_fields=["role", "starts", "ends", "left_at"])
        access.audit_record(
            actor=actor,
            action=AuditEvent.Action.UPDATE,
            family=family,
            record=membership,
            reason=(
                f"Changed {membership.user.display_name}'s role or dates on the team: "
                f"{membership.role or 'no role'}, from {starts:%d %B %Y}"
                + (f" to {ends:%d %B %Y}" if ends else "")
            ),
        )
        if not membership.is_current():
            family_practitioner_leave(membership=membership)
    return membership


def family_practitioner_remove(
    *, membership: FamilyPractitioner, actor: User, reason: str
) -> FamilyPractitioner:
    """Take someone off the family's team, with a reason (audited): their access ends at
    once, open sockets included. Their row stays for the family's history."""
    family = membership.family
    if not access.family_access(actor, family).can_manage:
        raise PermissionDenied
    reason = reason.strip()
    if len(reason) < 10:
        raise ValidationError({"reason": _("Say why this person is leaving the team.")})
    with transaction.atomic():
        current = FamilyPractitioner.everyone.select_for_update().filter(pk=membership.pk).first()
        if current is None or current.removed_at is not None:
            raise ValidationError(
                {"reason": _("This person has already been removed from the team.")}
            )
        current.removed_at = timezone.now()
        current.removed_by = actor
        current.removed_reason = reason[:1000]
        current.save(update_fields=["removed_at", "removed_by", "removed_reason"])
        access.audit_record(
            actor=actor,
            action=AuditEvent.Action.REMOVE,
            family=family,
            record=current,
            reason=f"Took {current.user.display_name} off the family's team: {reason[:900]}",
        )
        family_practitioner_leave(membership=current)
    return current


def family_practitioner_leave(*, membership: FamilyPractitioner) -> None:
    """Carry through the end of someone's time on a team (removed, or their end date
    passed): on commit the apps end the rest, as when an adult leaves a household
    (``signals.family_practitioner_left``: notifications withdrawn, what was remembered
    for them forgotten, their sockets closed). Their sessions stay: they may be on other
    families' teams; every page of this family already refuses them."""
    FamilyPractitioner.everyone.filter(pk=membership.pk).update(left_at=timezone.now())
    family, user = membership.family, membership.user
    transaction.on_commit(
        lambda: signals.family_practitioner_left.send(
            sender=FamilyPractitioner, family=family, user=user, membership_id=membership.pk
        )
    )


def team_endings_carry_through() -> int:
    """The periodic sweep: carry through every team membership whose end date has
    passed since the last sweep. Returns how many."""
    ended = list(
        FamilyPractitioner.everyone.select_related("family", "user").filter(
            left_at__isnull=True, ends__lt=timezone.localdate()
        )
    )
    for membership in ended:
        with transaction.atomic():
            family_practitioner_leave(membership=membership)
    return len(ended)


# Safe contact ----------------------------------------------------------------------------


def safe_contact_set(
    *,
    user: User,
    by_email: bool,
    by_text: bool,
    by_phone: bool,
    phone: str = "",
    days: list[int] | None = None,
    times: list[str] | None = None,
    leave_messages: bool = False,
    safe_word: str = "",
    remove_safe_word: bool = False,
) -> SafeContact:
    """Record how and when it is safe to contact ``user``, an adult of a household, in
    their own words. An empty ``safe_word`` keeps the one they set before."""
    member = access.membership(user)
    if member is None or not member.is_adult:
        raise PermissionDenied
    phone, safe_word = phone.strip(), safe_word.strip()
    if (by_text or by_phone) and not phone:
        raise ValidationError(
            {"phone": _("Enter a phone number that is safe to use for texts or calls.")}
        )
    days = sorted({int(day) for day in days or [] if int(day) in SafeContact.Day.values})
    times = [time for time in SafeContact.Time.values if time in set(times or [])]
    with transaction.atomic():
        contact, _created = SafeContact.objects.select_for_update().get_or_create(member=member)
        contact.by_email, contact.by_text, contact.by_phone = by_email, by_text, by_phone
        contact.phone = phone[:40]
        contact.days, contact.times = days, times
        contact.leave_messages = leave_messages
        if remove_safe_word:
            contact.safe_word = ""
        elif safe_word:
            contact.safe_word = safe_word[:60]
        contact.save()
    return contact


# Leaving a household ---------------------------------------------------------------------


def user_sessions_end(*, user: User) -> list[str]:
    """End every session ``user`` is signed in with, on any device; returns their keys.

    Sessions are kept in the database (with the cache in front of it when Redis is
    used), so every one can be found there; each is deleted through the session engine,
    which forgets its cached copy too.
    """
    from importlib import import_module

    from django.contrib.auth import SESSION_KEY
    from django.contrib.sessions.models import Session

    store_class = import_module(settings.SESSION_ENGINE).SessionStore
    decoder = store_class()
    keys = [
        key
        for key, data in Session.objects.filter(expire_date__gt=timezone.now())
        .values_list("session_key", "session_data")
        .iterator()
        if decoder.decode(data).get(SESSION_KEY) == str(user.pk)
    ]
    for key in keys:
        store_class(session_key=key).delete()
    return keys


def family_member_remove(*, member: FamilyMember, actor: User, reason: str) -> FamilyMember:
    """Take an adult out of the household (they moved out, a court order): from now on they
    see nothing of the family. Their sessions end at once; on commit the apps end the rest
    (open sockets, conversations, notifications) through ``signals.family_member_removed``.
    Only staff who manage the family may, with a reason, which is audited."""
    reason = reason.strip()
    if len(reason) < 10:
        raise ValidationError({"reason": _("Say why this person is leaving the household.")})
    family = member.family
    if not access.family_access(actor, family).can_manage:
        raise PermissionDenied
    with transaction.atomic():
        current = (
            FamilyMember.objects.select_for_update(of=("self",))
            .select_related("user", "family")
            .filter(pk=member.pk)
            .first()
        )
        if current is None:
            raise ValidationError({"member": _("This person has already left the household.")})
        member = current
        if not member.is_adult:
            raise ValidationError({"member": _("Choose an adult in this family.")})
        user = member.user
        member.user = None
        member.left_at = timezone.now()
        member.left_reason = reason[:1000]
        member.removed_by = actor
        member.save(update_fields=["user", "left_at", "left_reason", "removed_by"])
        Invitation.objects.filter(member=member, accepted_at__isnull=True).update(
            expires_at=timezone.now()
        )
        # How to reach them safely was for the staff of this household; it goes with them.
        SafeContact.objects.filter(member=member).delete()
        access.audit_record(
            actor=actor,
            action=AuditEvent.Action.REMOVE,
            family=family,
            record=member,
            reason=reason[:1000],
        )
        if user is not None:
            user_sessions_end(user=user)
            member_id = member.pk
            transaction.on_commit(
                lambda: signals.family_member_removed.send(
                    sender=FamilyMember, family=family, user=user, member_id=member_id
                )
            )
    return member
