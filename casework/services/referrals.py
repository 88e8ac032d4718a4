"""Referrals: a practitioner, or the family itself, asks for early help; a service manager
decides (accepted and allocated to a lead key worker, signposted to a service in the
directory, or passed to children's social care). The referrer hears the outcome only."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from portal import access as core
from portal import services as core_services
from portal.models import Agency, AuditEvent, Family, FamilyMember, StaffProfile, User
from portal.notify import notify_users

from .. import access, selectors
from ..models import Outcome, Referral
from .journey import episode_open, open_episode

MAX_WORRIES = 5000
MAX_NOTE = 2000
# A UK postcode once in one form (``portal.services.postcode_normalise``).
POSTCODE = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]? [0-9][A-Z]{2}$")


@dataclass(frozen=True)
class PersonInput:
    """Someone in the family as the referrer wrote them."""

    name: str
    relationship: str
    date_of_birth: date | None = None


@dataclass(frozen=True)
class ContactInput:
    """How to reach a family that asked for help themselves, and which ways are safe."""

    name: str
    email: str = ""
    phone: str = ""
    by_email: bool = False
    by_phone: bool = False
    by_text: bool = False
    when_safe: str = ""


def _people(people: list[PersonInput]) -> list[dict[str, str]]:
    rows = []
    for person in people:
        name = person.name.strip()
        if not name:
            continue
        if person.relationship not in FamilyMember.Relationship.values:
            raise ValidationError(
                {"people": _("Say how %(name)s is related to the family.") % {"name": name}}
            )
        if person.date_of_birth is not None and person.date_of_birth > timezone.localdate():
            raise ValidationError(
                {"people": _("%(name)s's date of birth must be in the past.") % {"name": name}}
            )
        rows.append(
            {
                "name": name[:80],
                "relationship": person.relationship,
                "date_of_birth": person.date_of_birth.isoformat() if person.date_of_birth else "",
            }
        )
    if not rows:
        raise ValidationError({"people": _("Add at least one person in the family.")})
    return rows


def _family_fields(
    *,
    surname: str,
    postcode: str,
    people: list[PersonInput],
    worries: str,
    outcomes: list[str],
    outcomes_required: bool,
) -> dict[str, object]:
    errors: dict[str, str] = {}
    surname = surname.strip()
    if not surname:
        errors["surname"] = _("Enter the family's surname.")
    postcode = core_services.postcode_normalise(postcode)
    if not POSTCODE.match(postcode):
        errors["postcode"] = _("Enter a real postcode, like CV1 5FB.")
    worries = worries.strip()
    if not worries:
        errors["worries"] = _("Say what the worries are.")
    elif len(worries) > MAX_WORRIES:
        errors["worries"] = _("Keep it to %(n)s characters or fewer.") % {"n": MAX_WORRIES}
    chosen = [value for value in Outcome.values if value in set(outcomes)]
    if outcomes_required and not chosen:
        errors["outcomes"] = _("Choose at least one of the headline outcomes.")
    try:
        rows = _people(people)
    except ValidationError as exc:
        errors.update({field: messages[0] for field, messages in exc.message_dict.items()})
        rows = []
    if errors:
        raise ValidationError(errors)
    return {
        "surname": surname[:80],
        "postcode": postcode,
        "people": rows,
        "worries": worries,
        "outcomes": chosen,
    }


def _tell_managers(referral: Referral) -> None:
    managers = User.objects.filter(staff_profile__role=StaffProfile.Role.MANAGER, is_active=True)
    notify_users(
        recipients=managers,
        verb=_("A new referral is waiting for a decision"),
        url=referral.get_absolute_url(),
    )


def referral_make(
    *,
    actor: User,
    agency: Agency | None,
    surname: str,
    postcode: str,
    people: list[PersonInput],
    worries: str,
    outcomes: list[str],
    consent: bool,
    no_consent_reason: str = "",
) -> Referral:
    """A practitioner refers a family: a partner for one of their agencies, the service's
    own staff for the service (``agency`` None). The family must have agreed, unless the
    referrer gives the safeguarding reason they did not ask."""
    access.referrer_gate(actor)
    allowed = access.referring_agencies(actor)
    # A partner refers for one of their agencies; the service's own staff for the service.
    fits = agency in allowed if allowed else agency is None
    if not fits:
        raise ValidationError({"agency": _("Choose the agency you are referring for.")})
    fields = _family_fields(
        surname=surname,
        postcode=postcode,
        people=people,
        worries=worries,
        outcomes=outcomes,
        outcomes_required=True,
    )
    reason = "" if consent else no_consent_reason.strip()
    if not consent and not reason:
        raise ValidationError(
            {
                "no_consent_reason": _(
                    "Give the safeguarding reason for referring without the family's agreement."
                )
            }
        )
    with transaction.atomic():
        referral = Referral.objects.create(
            source=Referral.Source.PARTNER,
            referred_by=actor,
            referrer_agency=agency,
            consent=consent,
            no_consent_reason=reason[:MAX_NOTE],
            **fields,
        )
        core.audit_record(
            actor=actor, action=AuditEvent.Action.CREATE, family=None, record=referral
        )
        _tell_managers(referral)
    return referral


def referral_ask_for_help(
    *,
    contact: ContactInput,
    surname: str,
    postcode: str,
    people: list[PersonInput],
    worries: str,
    outcomes: list[str],
) -> Referral:
    """A family asks for help from the public site: asking is their agreement. Who to
    reply to, and only in the ways they said are safe."""
    errors: dict[str, str] = {}
    name = contact.name.strip()
    email = contact.email.strip()
    phone = contact.phone.strip()
    if not name:
        errors["contact_name"] = _("Enter your name.")
    if not (contact.by_email or contact.by_phone or contact.by_text):
        errors["contact_ways"] = _("Choose at least one way we can contact you safely.")
    if contact.by_email and not email:
        errors["contact_email"] = _("Enter your email address, or do not choose email.")
    if (contact.by_phone or contact.by_text) and not phone:
        errors["contact_phone"] = _("Enter your phone number, or do not choose phone or text.")
    try:
        fields = _family_fields(
            surname=surname,
            postcode=postcode,
            people=people,
            worries=worries,
            outcomes=outcomes,
            outcomes_required=False,
        )
    except ValidationError as exc:
        errors.update({field: messages[0] for field, messages in exc.message_dict.items()})
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        referral = Referral.objects.create(
            source=Referral.Source.FAMILY,
            contact_name=name[:80],
            contact_email=email if contact.by_email else "",
            contact_phone=phone[:40] if (contact.by_phone or contact.by_text) else "",
            contact_by_email=contact.by_email,
            contact_by_phone=contact.by_phone,
            contact_by_text=contact.by_text,
            safe_contact=contact.when_safe.strip()[:MAX_NOTE],
            consent=True,
            **fields,
        )
        _tell_managers(referral)
    return referral


# Deciding ---------------------------------------------------------------------------------


def _decision_access(actor: User, family: Family, referral: Referral) -> None:
    """Deciding a referral is a manager's reason to open the family's record: it is
    recorded as their reason (``AccessGrant``), so opening the work, setting the status and
    every read after are audited under it."""
    if core.active_grant(actor, family) is None:
        core_services.access_grant_create(
            user=actor,
            family=family,
            reason=f"Deciding referral {referral.pk} (the service manager's decision)",
        )


def _new_family(*, referral: Referral, lead: User, actor: User) -> Family:
    family = core_services.family_create(
        display_name=_("The %(surname)s family") % {"surname": referral.surname},
        surname=referral.surname,
        postcode=referral.postcode,
        lead_key_worker=lead,
        status=Family.Status.REFERRED,
        actor=actor,
    )
    for person in referral.people:
        born = person.get("date_of_birth") or ""
        core_services.family_member_add(
            family=family,
            name=person["name"],
            relationship=person["relationship"],
            date_of_birth=date.fromisoformat(born) if born else None,
            actor=actor,
        )
    return family


def _handover(referral: Referral, note: str) -> str:
    note = note.strip()
    if note:
        return note
    who = referral.referrer_agency.name if referral.referrer_agency else settings.SERVICE_NAME
    if referral.source == Referral.Source.FAMILY:
        who = _("the family themselves")
    return _(
        "Accepted from a referral made by %(who)s on %(day)s. What they wrote is on the "
        "referral's page."
    ) % {"who": who, "day": f"{timezone.localtime(referral.created_at):%d/%m/%Y}"}


def _accept(
    *, referral: Referral, actor: User, family: Family | None, lead: User, handover_note: str
) -> Family:
    if family is None:
        family = _new_family(referral=referral, lead=lead, actor=actor)
        _decision_access(actor, family, referral)
        notify_users(
            recipients=[lead],
            actor=actor,
            verb=_("A family has been allocated to you"),
            description=_("%(name)s accepted a referral and named you as lead key worker.")
            % {"name": actor.display_name},
            url=reverse("portal:family_detail", kwargs={"family_id": family.pk}),
            target=family,
            family=family,
        )
    else:
        _decision_access(actor, family, referral)
        if family.lead_key_worker_id != lead.pk:
            # The new lead is told by the handover itself.
            core_services.family_lead_transfer(
                family=family, to=lead, note=_handover(referral, handover_note), actor=actor
            )
            family.refresh_from_db(fields=["lead_key_worker"])
        else:
            notify_users(
                recipients=[lead],
                actor=actor,
                verb=_("A new referral for a family you lead"),
                url=referral.get_absolute_url(),
                target=family,
                family=family,
            )
    if open_episode(family) is None:
        episode_open(family=family, actor=actor, referral=referral)
        referral.refresh_from_db(fields=["is_rereferral"])
    return family


def referral_decide(
    *,
    referral: Referral,
    actor: User,
    decision: str,
    family: Family | None = None,
    lead: User | None = None,
    service_id: int | None = None,
    note: str = "",
    handover_note: str = "",
) -> Referral:
    """A service manager decides a waiting referral, once (two managers cannot both):
    accept it for a family that may already be known (one of ``possible_duplicates``) or
    a new one, naming its lead key worker; signpost it to a service in the directory; or
    pass it to children's social care. The referrer is told the outcome only."""
    if not access.may_decide_referrals(actor):
        raise PermissionDenied
    errors: dict[str, str] = {}
    note = note.strip()
    if len(note) > MAX_NOTE:
        errors["note"] = _("Keep the note to %(n)s characters or fewer.") % {"n": MAX_NOTE}
    if decision not in {
        Referral.Status.ACCEPTED,
        Referral.Status.SIGNPOSTED,
        Referral.Status.SOCIAL_CARE,
    }:
        errors["decision"] = _("Choose what happens next.")
    if decision == Referral.Status.ACCEPTED and (
        lead is None or not lead.is_active or not core.is_key_worker(lead)
    ):
        errors["lead"] = _("Choose the key worker who will lead the family's work.")
    service_name = ""
    if decision == Referral.Status.SIGNPOSTED:
        names = dict(selectors.directory_services())
        if service_id not in names:
            errors["service"] = _("Choose a service from the directory.")
        else:
            service_name = names[service_id]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        locked = Referral.objects.select_for_update().get(pk=referral.pk)
        if locked.status != Referral.Status.NEW:
            raise ValidationError(_("This referral has already been decided."))
        if family is not None and family.pk not in {
            found.pk for found in selectors.possible_duplicates(locked)
        }:
            raise ValidationError({"family": _("Choose one of the families listed, or a new one.")})
        if decision == Referral.Status.ACCEPTED and lead is not None:  # lead checked above
            locked.family = _accept(
                referral=locked, actor=actor, family=family, lead=lead, handover_note=handover_note
            )
        locked.status = decision
        locked.decided_by = actor
        locked.decided_at = timezone.now()
        locked.decision_note = note
        locked.signposted_service_id = service_id if service_name else None
        locked.signposted_service_name = service_name
        locked.save(
            update_fields=[
                "status",
                "family",
                "decided_by",
                "decided_at",
                "decision_note",
                "signposted_service_id",
                "signposted_service_name",
            ]
        )
        core.audit_record(
            actor=actor,
            action=AuditEvent.Action.UPDATE,
            family=locked.family,
            record=locked,
            reason=f"Referral decided: {locked.get_status_display()}"
            + (f" ({service_name})" if service_name else "")
            + (" as a re-referral" if locked.is_rereferral else ""),
        )
        _tell_referrer(locked, actor)
    return locked


def _tell_referrer(referral: Referral, actor: User) -> None:
    from ..tasks import referral_outcome_email

    if referral.referred_by is not None:
        notify_users(
            recipients=[referral.referred_by],
            actor=actor,
            verb=_("A decision on a referral you made: %(outcome)s")
            % {"outcome": referral_outcome(referral=referral)},
            url=reverse("casework:referrals_mine"),
        )
    elif not (referral.contact_by_email and referral.contact_email):
        return  # a family that did not say email is safe hears in the ways they chose
    referral_id = referral.pk
    transaction.on_commit(lambda: referral_outcome_email.enqueue(referral_id))


def referral_outcome(*, referral: Referral) -> str:
    """The outcome as the referrer is told it, and nothing more."""
    if referral.status == Referral.Status.ACCEPTED:
        return _("Accepted")
    if referral.status == Referral.Status.SIGNPOSTED:
        return _("Signposted to %(service)s") % {"service": referral.signposted_service_name}
    if referral.status == Referral.Status.SOCIAL_CARE:
        return _("Passed to children's social care")
    return _("Waiting for a decision")


def referral_email(*, referral_id: int) -> int:
    """Email the referrer the outcome (never the family's record, lead or details): a
    practitioner at their account's address, a family only at the address they gave and
    only if they said email is safe. Returns how many it went to."""
    from django.template.loader import render_to_string

    from portal.notify import email_send

    referral = Referral.objects.select_related("referred_by").filter(pk=referral_id).first()
    if referral is None or referral.status == Referral.Status.NEW:
        return 0
    body = render_to_string(
        "casework/referrals/email/outcome.txt",
        {
            "referral": referral,
            "outcome": referral_outcome(referral=referral),
            "service_name": settings.SERVICE_NAME,
            "link": settings.SITE_URL.rstrip("/") + reverse("casework:referrals_mine"),
            "from_family": referral.source == Referral.Source.FAMILY,
        },
    )
    if referral.referred_by is not None:
        return email_send(
            subject=_("A decision on a referral you made"),
            message=body,
            users=[referral.referred_by],
        )
    if referral.contact_by_email and referral.contact_email:
        return email_send(
            subject=_("About your request for help"),
            message=body,
            addresses=[referral.contact_email],
        )
    return 0
