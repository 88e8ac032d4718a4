"""Entries a practitioner adds to a family's chronology by hand (a visit, a call); the
rest of the chronology is read from the records themselves and never copied."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal import access as core
from portal.models import AuditEvent, Family, FamilyMember, User

from .. import access
from ..models import ChronologyEntry

TITLE_MAX = 200
DETAIL_MAX = 5000


def chronology_entry_add(
    *,
    family: Family,
    actor: User,
    happened_on: date,
    title: str,
    detail: str = "",
    member: FamilyMember | None = None,
) -> ChronologyEntry:
    """Add what happened to the family's chronology: the lead key worker, staff with a
    reason, or a partner on the team today (whose entry carries their agency)."""
    found = access.chronology_for_writer(actor, family)
    title, detail = title.strip(), detail.strip()
    errors: dict[str, str] = {}
    if happened_on > timezone.localdate():
        errors["happened_on"] = _("The date it happened must be today or in the past.")
    if not title:
        errors["title"] = _("Enter what happened.")
    elif len(title) > TITLE_MAX:
        errors["title"] = _("What happened must be %(n)s characters or fewer.") % {"n": TITLE_MAX}
    if len(detail) > DETAIL_MAX:
        errors["detail"] = _("The detail must be %(n)s characters or fewer.") % {"n": DETAIL_MAX}
    if member is not None and member.family_id != family.pk:
        errors["member"] = _("Choose someone in this family.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        entry = ChronologyEntry.objects.create(
            family=family,
            member=member,
            happened_on=happened_on,
            title=title,
            detail=detail,
            written_by=actor,
            agency=found.agency,
        )
        core.audit_record(
            actor=actor,
            action=AuditEvent.Action.CREATE,
            family=family,
            record=entry,
            reason=" ".join(p for p in (f"Chronology: {title}", found.family_access.reason) if p),
        )
    return entry
