"""Every write to agency records: kinds, entries, corrections and imports.

Entries are append-only: there is no service that changes or deletes one. A correction
is a new entry pointing at the one it corrects, with a reason; the current value is the
latest entry nobody has corrected.

Every write to team meetings and appointments.

Permission is checked here through ``casework.access`` and the core policy; staff
changes are audited; notifications and emails (with a calendar file) go out on commit.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import TypeVar

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop as _noop

from peer_mentors import selectors as mentor_selectors
from peer_mentors import services as mentor_services
from plans import selectors as plan_selectors
from plans import services as plan_services
from portal import access as core
from portal.access import FamilyAccess
from portal.models import Agency, AuditEvent, Family, FamilyMember, FamilyPractitioner, User
from portal.notify import notify_users

from .. import access
from ..access import RecordsAccess
from ..models import (
    AgencyRecord,
    Appointment,
    Meeting,
    MeetingAction,
    MeetingInvite,
    Outcome,
    RecordImport,
    RecordKind,
    Where,
)

MAX_NOTE = 2000
MAX_PERCENT = Decimal(100)
MAX_COUNT = 100_000
MAX_PENCE = 1_000_000_000  # ten million pounds


@dataclass(frozen=True)
class RecordValue:
    number: Decimal | None = None
    flag: bool | None = None
    status: str = ""


def _decimal(text: str) -> Decimal | None:
    try:
        number = Decimal(text)
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


# A count is typed as plain digits: no sign, no decimal point, no other script's digits.
WHOLE_NUMBER = re.compile(r"[0-9]+")


def value_parse(*, kind: RecordKind, text: str) -> RecordValue:
    """The value ``text`` gives for ``kind``; ValidationError saying what to type if none."""
    text = text.strip()
    value_type = kind.value_type
    if not text:
        raise ValidationError(_("Enter the value."))
    if value_type == RecordKind.ValueType.PERCENTAGE:
        number = _decimal(text.removesuffix("%").strip())
        if number is None or number.as_tuple().exponent < -2:  # type: ignore[operator]  # finite
            raise ValidationError(_("Enter the percentage as a number, like 87.5."))
        if number > MAX_PERCENT:
            raise ValidationError(_("The percentage must be 100 or less."))
        if number < 0:
            raise ValidationError(_("The percentage must be 0 or more."))
        return RecordValue(number=number)
    if value_type == RecordKind.ValueType.COUNT:
        if not WHOLE_NUMBER.fullmatch(text):
            raise ValidationError(_("Enter a whole number, like 2."))
        if int(text) > MAX_COUNT:
            raise ValidationError(_("Enter a number of %(max)s or fewer.") % {"max": MAX_COUNT})
        return RecordValue(number=Decimal(int(text)))
    if value_type == RecordKind.ValueType.YES_NO:
        answer = text.lower()
        if answer in {"yes", "y", "true", "1"}:
            return RecordValue(flag=True)
        if answer in {"no", "n", "false", "0"}:
            return RecordValue(flag=False)
        raise ValidationError(_("Enter yes or no."))
    if value_type == RecordKind.ValueType.MONEY:
        number = _decimal(text.removeprefix("£").replace(",", "").strip())
        if number is None or number.as_tuple().exponent < -2:  # type: ignore[operator]  # finite
            raise ValidationError(_("Enter an amount in pounds, like 350 or 1,250.50."))
        if number < 0:
            raise ValidationError(_("The amount must be £0 or more."))
        pence = (number * 100).to_integral_value()
        if pence > MAX_PENCE:
            raise ValidationError(_("The amount must be £10,000,000 or less."))
        return RecordValue(number=pence)
    for status in kind.statuses:
        if status.lower() == text.lower():
            return RecordValue(status=status)
    raise ValidationError(
        _("Choose one of: %(statuses)s.") % {"statuses": ", ".join(kind.statuses)}
    )


def _entry_check(
    *,
    kind: RecordKind,
    family: Family,
    member: FamilyMember | None,
    value: str,
    starts: date | None,
    ends: date | None,
    note: str,
    within: tuple[date, date] | None = None,
) -> RecordValue:
    """The parsed value of a valid entry; ValidationError naming each field at fault
    (``member``, ``value``, ``starts``, ``ends``, ``note``)."""
    errors: dict[str, list[str]] = {}
    parsed = RecordValue()
    try:
        parsed = value_parse(kind=kind, text=value)
    except ValidationError as exc:
        errors["value"] = exc.messages
    if kind.for_member:
        if member is None:
            errors["member"] = [_("Choose who in the family it is about.")]
        elif member.family_id != family.pk or member.left_at is not None:
            errors["member"] = [_("Choose someone who lives in the family.")]
    elif member is not None:
        errors["member"] = [_("This is about the whole household, not one person.")]
    today = timezone.localdate()
    if starts is None:
        errors["starts"] = [_("Enter the date.")]
    elif starts > today:
        errors["starts"] = [_("The date must be today or in the past.")]
    elif within is not None and not within[0] <= starts <= within[1]:
        errors["starts"] = [_period_error(starts, within)]
    if kind.is_span:
        if ends is None:
            errors["ends"] = [_("Enter the last date it covers.")]
        elif starts is not None and ends < starts:
            errors["ends"] = [_("The last date must be the same as or after the first.")]
        elif within is not None and not within[0] <= ends <= within[1]:
            errors["ends"] = [_period_error(ends, within)]
    elif ends is not None:
        errors["ends"] = [_("This is for one date: leave the last date empty.")]
    if len(note) > MAX_NOTE:
        errors["note"] = [_("Keep the note to %(max)s characters or fewer.") % {"max": MAX_NOTE}]
    if errors:
        raise ValidationError(errors)
    return parsed


def _period_error(day: date, within: tuple[date, date]) -> str:
    return _("%(day)s is outside the period (%(starts)s to %(ends)s).") % {
        "day": day.strftime("%d/%m/%Y"),
        "starts": within[0].strftime("%d/%m/%Y"),
        "ends": within[1].strftime("%d/%m/%Y"),
    }


def _entry(
    *,
    kind: RecordKind,
    family: Family,
    member: FamilyMember | None,
    parsed: RecordValue,
    starts: date,
    ends: date | None,
    note: str,
    agency: Agency,
    recorder: User,
    now: datetime,
    corrects: AgencyRecord | None = None,
    correction_reason: str = "",
    source_import: RecordImport | None = None,
) -> AgencyRecord:
    return AgencyRecord(
        family=family,
        member=member,
        kind=kind,
        number=parsed.number,
        flag=parsed.flag,
        status=parsed.status,
        starts=starts,
        ends=ends if kind.is_span else None,
        agency=agency,
        recorded_by=recorder,
        recorded_at=now,
        note=note.strip(),
        corrects=corrects,
        correction_reason=correction_reason,
        source_import=source_import,
    )


def agency_record_add(
    *,
    records_access: RecordsAccess,
    kind: RecordKind,
    member: FamilyMember | None,
    value: str,
    starts: date | None,
    ends: date | None = None,
    note: str = "",
    recorder: User,
) -> AgencyRecord:
    """A partner records a fact their agency holds, for the agency they are on the
    family's team for. PermissionDenied unless their agency's kind may record ``kind``."""
    family = records_access.family
    agency = records_access.agency
    if agency is None or not records_access.may_record(kind):
        raise PermissionDenied
    note = note.strip()
    parsed = _entry_check(
        kind=kind, family=family, member=member, value=value, starts=starts, ends=ends, note=note
    )
    assert starts is not None  # noqa: S101 - checked above; tells mypy
    with transaction.atomic():
        record = _entry(
            kind=kind,
            family=family,
            member=member,
            parsed=parsed,
            starts=starts,
            ends=ends,
            note=note,
            agency=agency,
            recorder=recorder,
            now=timezone.now(),
        )
        record.save(force_insert=True)
        core.audit_record(
            actor=recorder,
            action=AuditEvent.Action.CREATE,
            family=family,
            record=record,
            reason=f"Recorded {kind.name} for {agency.name}",
        )
    return record


def agency_record_correct(
    *,
    records_access: RecordsAccess,
    record: AgencyRecord,
    member: FamilyMember | None,
    value: str,
    starts: date | None,
    ends: date | None = None,
    note: str = "",
    reason: str,
    recorder: User,
) -> AgencyRecord:
    """The agency that recorded an entry corrects it: a new entry that points at it, with
    a reason. The entry corrected stays as it was. PermissionDenied for anyone else, or
    once another correction has replaced it."""
    if not records_access.may_correct(record) or record.family_id != records_access.family.pk:
        raise PermissionDenied
    reason = reason.strip()
    note = note.strip()
    errors: dict[str, list[str]] = {}
    try:
        parsed = _entry_check(
            kind=record.kind,
            family=record.family,
            member=member,
            value=value,
            starts=starts,
            ends=ends,
            note=note,
        )
    except ValidationError as exc:
        errors = exc.message_dict
        parsed = RecordValue()
    if len(reason) < 5:
        errors["reason"] = [_("Say why the entry was wrong.")]
    elif len(reason) > MAX_NOTE:
        errors["reason"] = [
            _("Keep the reason to %(max)s characters or fewer.") % {"max": MAX_NOTE}
        ]
    if errors:
        raise ValidationError(errors)
    assert starts is not None and records_access.agency is not None  # noqa: S101 - checked
    try:
        with transaction.atomic():
            correction = _entry(
                kind=record.kind,
                family=record.family,
                member=member,
                parsed=parsed,
                starts=starts,
                ends=ends,
                note=note,
                agency=records_access.agency,
                recorder=recorder,
                now=timezone.now(),
                corrects=record,
                correction_reason=reason,
            )
            correction.save(force_insert=True)
            core.audit_record(
                actor=recorder,
                action=AuditEvent.Action.CREATE,
                family=record.family,
                record=correction,
                reason=f"Corrected entry {record.pk} ({record.kind.name}): {reason[:900]}",
            )
    except IntegrityError as exc:  # someone else corrected it first
        raise PermissionDenied from exc
    return correction


# Kinds of record ------------------------------------------------------------------------


def _require_manager(actor: User) -> None:
    if not core.is_manager(actor):
        raise PermissionDenied


def record_kind_create(
    *,
    actor: User,
    name: str,
    family_label: str,
    value_type: str,
    outcome: str,
    agency_kinds: list[str],
    about: str = RecordKind.About.MEMBER,
    period: str = RecordKind.Period.DAY,
    statuses: list[str] | None = None,
    sensitive: bool = False,
) -> RecordKind:
    """A service manager defines a kind of fact agencies record. Audited."""
    _require_manager(actor)
    name = name.strip()
    family_label = family_label.strip()
    statuses = [s.strip() for s in (statuses or []) if s.strip()]
    errors: dict[str, str] = {}
    if not name:
        errors["name"] = _("Enter a name.")
    elif RecordKind.objects.filter(name__iexact=name).exists():
        errors["name"] = _("There is already a kind with this name.")
    if not family_label:
        errors["family_label"] = _("Enter the name the family sees.")
    if value_type not in RecordKind.ValueType.values:
        errors["value_type"] = _("Choose the kind of value.")
    elif value_type == RecordKind.ValueType.STATUS and len(statuses) < 2:
        errors["statuses"] = _("Enter at least two statuses, one on each line.")
    if outcome not in Outcome.values:
        errors["outcome"] = _("Choose the headline outcome it speaks to.")
    if not agency_kinds or any(k not in Agency.Kind.values for k in agency_kinds):
        errors["agency_kinds"] = _("Choose at least one kind of agency that may record it.")
    if about not in RecordKind.About.values:
        errors["about"] = _("Choose who it is about.")
    if period not in RecordKind.Period.values:
        errors["period"] = _("Choose whether it is for a day or a period.")
    if errors:
        raise ValidationError(errors)
    code = slugify(name)[:34] or "kind"
    base, n = code, 1
    while RecordKind.objects.filter(code=code).exists():
        n += 1
        code = f"{base}-{n}"
    with transaction.atomic():
        kind = RecordKind.objects.create(
            code=code,
            name=name[:120],
            family_label=family_label[:120],
            value_type=value_type,
            statuses=statuses if value_type == RecordKind.ValueType.STATUS else [],
            about=about,
            period=period,
            outcome=outcome,
            agency_kinds=sorted(set(agency_kinds)),
            sensitive=sensitive,
        )
        core.audit_record(
            actor=actor,
            action=AuditEvent.Action.CREATE,
            family=None,
            record=kind,
            reason=f"Added the kind of agency record {kind.name}",
        )
    return kind


def record_kind_retire(*, kind: RecordKind, reason: str, actor: User) -> RecordKind:
    """A service manager stops a kind being recorded; entries of it stay. Audited."""
    _require_manager(actor)
    reason = reason.strip()
    if len(reason) < 10:
        raise ValidationError({"reason": _("Say why this kind is no longer recorded.")})
    with transaction.atomic():
        kind.is_active = False
        kind.retired_reason = reason[:1000]
        kind.save(update_fields=["is_active", "retired_reason"])
        core.audit_record(
            actor=actor,
            action=AuditEvent.Action.REMOVE,
            family=None,
            record=kind,
            reason=f"Retired the kind of agency record {kind.name}: {reason[:900]}",
        )
    return kind


# Imports ----------------------------------------------------------------------------------


@dataclass
class ImportRow:
    number: int  # the row's line in the file, counting the header as row 1
    cells: dict[str, str]
    family: Family | None = None
    member: FamilyMember | None = None
    starts: date | None = None
    ends: date | None = None
    parsed: RecordValue | None = None
    errors: list[tuple[str, str]] = field(default_factory=list)  # (column, message)


@dataclass
class ImportCheck:
    record_import: RecordImport
    rows: list[ImportRow]
    # Errors about the whole file (no header, too big): no rows are checked then.
    file_errors: list[str] = field(default_factory=list)

    @property
    def error_rows(self) -> list[ImportRow]:
        return [row for row in self.rows if row.errors]

    @property
    def is_valid(self) -> bool:
        return not self.file_errors and not self.error_rows and bool(self.rows)


def import_digest(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def _rows_check(
    *, importer: User, agency: Agency, kind: RecordKind, starts: date, ends: date, content: bytes
) -> tuple[list[str], list[ImportRow]]:
    from .. import imports

    if agency not in access.importing_agencies(importer) or agency.kind not in kind.agency_kinds:
        raise PermissionDenied
    if not kind.is_active:
        raise PermissionDenied
    file_errors, rows = imports.rows_read(content)
    families = imports.families_by_reference(
        access.import_families(importer, agency),
        [row.cells.get("family_reference", "") for row in rows],
    )
    for row in rows:
        imports.row_match(row, kind=kind, families=families, period=(starts, ends))
        if row.errors:
            continue
        try:
            row.parsed = _entry_check(
                kind=kind,
                family=row.family,  # type: ignore[arg-type]  # matched above
                member=row.member,
                value=row.cells.get("value", ""),
                starts=row.starts,
                ends=row.ends,
                note=row.cells.get("note", ""),
                within=(starts, ends),
            )
        except ValidationError as exc:
            for name, messages in exc.message_dict.items():
                row.errors.extend((imports.COLUMN_OF[name], message) for message in messages)
    if not rows and not file_errors:
        file_errors.append(_("The file has no rows under its header."))
    return file_errors, rows


def record_import_check(
    *,
    importer: User,
    agency: Agency,
    kind: RecordKind,
    starts: date,
    ends: date,
    file_name: str,
    content: bytes,
) -> ImportCheck:
    """Check every row of a CSV file of ``kind`` entries for ``agency``, saving nothing
    but the import's record (checked, or refused with how many rows had errors).

    Rows name families the importer is on the team of for ``agency`` today; any other
    family reads as unknown. PermissionDenied unless the importer may import for
    ``agency`` and ``agency`` may record ``kind``.
    """
    if ends < starts:
        raise ValidationError({"ends": _("The last date must be the same as or after the first.")})
    file_errors, rows = _rows_check(
        importer=importer, agency=agency, kind=kind, starts=starts, ends=ends, content=content
    )
    error_count = len([row for row in rows if row.errors])
    record_import = RecordImport.objects.create(
        kind=kind,
        agency=agency,
        imported_by=importer,
        file_name=file_name[:200],
        content_sha256=import_digest(content),
        starts=starts,
        ends=ends,
        row_count=len(rows),
        error_count=error_count,
        status=RecordImport.Status.REFUSED
        if file_errors or error_count
        else RecordImport.Status.PREVIEWED,
    )
    return ImportCheck(record_import=record_import, rows=rows, file_errors=file_errors)


def record_import_confirm(
    *, record_import: RecordImport, importer: User, content: bytes
) -> list[AgencyRecord]:
    """Save every row of a checked import in one go, or none: the file is checked again
    (the family's team may have changed) and must be the one checked before.
    ValidationError if anything is wrong now; PermissionDenied for another person's."""
    if record_import.imported_by_id != importer.pk:
        raise PermissionDenied
    if (
        record_import.status != RecordImport.Status.PREVIEWED
        or import_digest(content) != record_import.content_sha256
    ):
        raise ValidationError(
            _("This file has already been saved or was refused: upload it again.")
        )
    with transaction.atomic():
        locked = RecordImport.objects.select_for_update().get(pk=record_import.pk)
        if locked.status != RecordImport.Status.PREVIEWED:
            raise ValidationError(_("This file has already been saved: it was not saved twice."))
        file_errors, rows = _rows_check(
            importer=importer,
            agency=record_import.agency,
            kind=record_import.kind,
            starts=record_import.starts,
            ends=record_import.ends,
            content=content,
        )
        check = ImportCheck(record_import=locked, rows=rows, file_errors=file_errors)
        if not check.is_valid:
            raise ValidationError(
                _("Some rows are no longer valid (%(count)s): upload the file again.")
                % {"count": len(check.error_rows) or 1}
            )
        now = timezone.now()
        records = AgencyRecord.objects.bulk_create(
            _entry(
                kind=record_import.kind,
                family=row.family,  # type: ignore[arg-type]  # valid rows have one
                member=row.member,
                parsed=row.parsed,  # type: ignore[arg-type]
                starts=row.starts,  # type: ignore[arg-type]
                ends=row.ends if record_import.kind.is_span else None,
                note=row.cells.get("note", ""),
                agency=record_import.agency,
                recorder=importer,
                now=now,
                source_import=record_import,
            )
            for row in check.rows
        )
        locked.status = RecordImport.Status.SAVED
        locked.saved_at = now
        locked.save(update_fields=["status", "saved_at"])
        record_import.status, record_import.saved_at = locked.status, now
        AuditEvent.objects.bulk_create(
            AuditEvent(
                actor=importer,
                action=AuditEvent.Action.CREATE,
                family_id=family_id,
                object_type="RecordImport",
                object_id=str(record_import.pk),
                reason=f"Imported {record_import.kind.name} for {record_import.agency.name} "
                f"from {record_import.file_name}",
                created_at=now,
            )
            for family_id in sorted({row.family.pk for row in check.rows if row.family})
        )
    return records


def _manage(actor: User, family: Family) -> FamilyAccess:
    """The family's key worker, or staff with a reason; PermissionDenied otherwise."""
    found = core.family_access(actor, family)
    if not found.can_manage:
        raise PermissionDenied
    return found


def _audit(actor: User, found: FamilyAccess, action: str, record: object, why: str = "") -> None:
    core.audit_record(
        actor=actor,
        action=action,
        family=found.family,
        record=record,
        reason=" ".join(part for part in (why, found.reason) if part),
    )


def _adults(family: Family) -> list[FamilyMember]:
    return list(
        FamilyMember.objects.filter(family=family)
        .exclude(relationship=FamilyMember.Relationship.CHILD)
        .select_related("user")
    )


def _current_mentor(family: Family) -> tuple[int, User, str] | None:
    """(match id, the mentor's account, the name families see) of the family's mentor."""
    current = mentor_selectors.family_mentor_state(family=family)["current"]
    if current is None:
        return None
    return current.pk, current.mentor.user, current.mentor.display_name


def _check_times(starts_at: datetime, ends_at: datetime) -> None:
    errors = {}
    if starts_at <= timezone.now():
        errors["starts_at"] = _("The date and time must be in the future")
    if ends_at <= starts_at:
        errors["ends_at"] = _("The end time must be after the start time")
    if errors:
        raise ValidationError(errors)


def _text(value: str, *, field: str, max_length: int, required: str) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationError({field: required})
    if len(value) > max_length:
        raise ValidationError(
            {field: _("Keep it to %(n)s characters or fewer") % {"n": max_length}}
        )
    return value


def _tell(
    *,
    kind: str,
    record: Appointment | Meeting,
    people: Iterable[User | None],
    actor: User,
    verb: str,
) -> None:
    """A notification now, and an email with the calendar file, once committed."""
    users = [p for p in people if p is not None and p.pk != actor.pk]
    if not users:
        return
    notify_users(
        recipients=users,
        verb=verb,
        actor=actor,
        target=record,
        url=record.get_absolute_url(),
        family=record.family,
    )
    from ..tasks import casework_email_send

    record_kind = "meeting" if isinstance(record, Meeting) else "appointment"
    user_ids = [u.pk for u in users]
    transaction.on_commit(
        lambda: casework_email_send.enqueue(record_kind, record.pk, user_ids, kind)
    )


# Appointments ---------------------------------------------------------------------------


def _appointment_people(appointment: Appointment) -> list[User | None]:
    """Who hears about an appointment: the adults coming (every adult if none was named),
    and the mentor once asked."""
    coming = list(appointment.coming.select_related("user"))
    people: list[User | None] = [m.user for m in (coming or _adults(appointment.family))]
    if appointment.mentor_status in {
        Appointment.MentorStatus.ASKED,
        Appointment.MentorStatus.ACCEPTED,
    }:
        people.append(appointment.mentor_user)
    return people


def _coming(family: Family, coming: Iterable[FamilyMember]) -> list[FamilyMember]:
    chosen = list(coming)
    adults = {m.pk for m in _adults(family)}
    if any(m.pk not in adults for m in chosen):
        raise ValidationError({"coming": _("Choose adults of this family")})
    return chosen


def appointment_book(
    *,
    family: Family,
    actor: User,
    starts_at: datetime,
    ends_at: datetime,
    where: str,
    purpose: str,
    coming: Iterable[FamilyMember] = (),
) -> Appointment:
    """The key worker books an appointment with the family; the adults coming hear of it."""
    found = _manage(actor, family)
    where = _text(where, field="where", max_length=300, required=_("Enter where it is"))
    purpose = _text(purpose, field="purpose", max_length=300, required=_("Enter what it is for"))
    _check_times(starts_at, ends_at)
    chosen = _coming(family, coming)
    with transaction.atomic():
        appointment = Appointment.objects.create(
            family=family,
            starts_at=starts_at,
            ends_at=ends_at,
            where=where,
            purpose=purpose,
            booked_by=actor,
        )
        appointment.coming.set(chosen)
        _audit(actor, found, AuditEvent.Action.CREATE, appointment)
        _tell(
            kind="booked",
            record=appointment,
            people=_appointment_people(appointment),
            actor=actor,
            verb=_("Your key worker booked an appointment with you"),
        )
    return appointment


def appointment_change(
    *,
    appointment: Appointment,
    actor: User,
    starts_at: datetime,
    ends_at: datetime,
    where: str,
    purpose: str,
    coming: Iterable[FamilyMember] = (),
) -> Appointment:
    """The key worker moves an appointment; everyone who knew of it gets the new time."""
    found = _manage(actor, appointment.family)
    where = _text(where, field="where", max_length=300, required=_("Enter where it is"))
    purpose = _text(purpose, field="purpose", max_length=300, required=_("Enter what it is for"))
    _check_times(starts_at, ends_at)
    chosen = _coming(appointment.family, coming)
    with transaction.atomic():
        appointment = Appointment.objects.select_for_update().get(pk=appointment.pk)
        if not appointment.is_open:
            raise ValidationError(_("This appointment has been cancelled or has happened"))
        before = _appointment_people(appointment)
        appointment.starts_at, appointment.ends_at = starts_at, ends_at
        appointment.where, appointment.purpose = where, purpose
        appointment.status = Appointment.Status.CHANGED
        appointment.sequence += 1
        appointment.save()
        appointment.coming.set(chosen)
        _audit(actor, found, AuditEvent.Action.UPDATE, appointment, "changed")
        _tell(
            kind="changed",
            record=appointment,
            people=[*before, *_appointment_people(appointment)],
            actor=actor,
            verb=_("An appointment with your key worker has changed"),
        )
    return appointment


Cancellable = TypeVar("Cancellable", Meeting, Appointment)


def _cancel(
    record: Cancellable,
    *,
    actor: User,
    reason: str,
    people: Callable[[Cancellable], list[User | None]],
    verb: str,
    done: str,
) -> Cancellable:
    """Call a meeting or an appointment off (``done`` says why it cannot be when it is no
    longer open): everyone it concerns is told, with a calendar file that removes it."""
    found = _manage(actor, record.family)
    with transaction.atomic():
        record = type(record).objects.select_for_update().get(pk=record.pk)
        if not record.is_open:
            raise ValidationError(done)
        record.status = type(record).Status.CANCELLED
        record.cancel_reason = reason.strip()[:300]
        record.sequence += 1
        record.save(update_fields=["status", "cancel_reason", "sequence", "updated_at"])
        _audit(actor, found, AuditEvent.Action.UPDATE, record, "cancelled")
        _tell(kind="cancelled", record=record, people=people(record), actor=actor, verb=verb)
    return record


def appointment_cancel(*, appointment: Appointment, actor: User, reason: str = "") -> Appointment:
    """The key worker calls an appointment off; calendars are told to remove it."""
    return _cancel(
        appointment,
        actor=actor,
        reason=reason,
        people=_appointment_people,
        verb=_("An appointment with your key worker has been cancelled"),
        done=_("This appointment has already been cancelled or happened"),
    )


def appointment_ask_mentor(*, appointment: Appointment, actor: User) -> Appointment:
    """A parent of the family asks their peer mentor to come with them. They need a
    mentor matched with the family now."""
    if access.adult_of(actor, appointment.family) is None:
        raise PermissionDenied
    mentor = _current_mentor(appointment.family)
    if mentor is None:
        raise ValidationError(_("Your family does not have a peer mentor at the moment"))
    match_id, mentor_user, mentor_name = mentor
    with transaction.atomic():
        appointment = (
            Appointment.objects.select_for_update(of=("self",))
            .select_related("family")
            .get(pk=appointment.pk)
        )
        if not appointment.is_open or appointment.starts_at <= timezone.now():
            raise ValidationError(_("This appointment has been cancelled or has happened"))
        if appointment.mentor_status in {
            Appointment.MentorStatus.ASKED,
            Appointment.MentorStatus.ACCEPTED,
        }:
            raise ValidationError(_("You have already asked your mentor to come"))
        appointment.mentor_status = Appointment.MentorStatus.ASKED
        appointment.mentor_requested_by = actor
        appointment.mentor_requested_at = timezone.now()
        appointment.mentor_user = mentor_user
        appointment.mentor_name = mentor_name
        appointment.mentor_match_id = match_id
        appointment.mentor_answered_at = None
        appointment.mentor_reason = ""
        appointment.save()
        notify_users(
            recipients=[mentor_user],
            verb=_("A family you support asked you to come to an appointment"),
            actor=actor,
            target=appointment,
            url=appointment.get_absolute_url(),
        )
    return appointment


def appointment_mentor_answer(
    *, appointment: Appointment, actor: User, accept: bool, reason: str = ""
) -> Appointment:
    """The family's mentor says whether they can come; the family and the key worker hear."""
    reason = reason.strip()
    if len(reason) > 300:
        raise ValidationError({"reason": _("Keep it to 300 characters or fewer")})
    with transaction.atomic():
        appointment = (
            Appointment.objects.select_for_update(of=("self",))
            .select_related("family", "family__lead_key_worker")
            .get(pk=appointment.pk)
        )
        if appointment.mentor_user_id != actor.pk or (
            core.relation_to_family(actor, appointment.family) is not core.Relation.MENTOR
        ):
            raise PermissionDenied
        if appointment.mentor_status != Appointment.MentorStatus.ASKED or not appointment.is_open:
            raise ValidationError(_("This request has already been answered"))
        appointment.mentor_status = (
            Appointment.MentorStatus.ACCEPTED if accept else Appointment.MentorStatus.DECLINED
        )
        appointment.mentor_answered_at = timezone.now()
        appointment.mentor_reason = "" if accept else reason[:300]
        appointment.save()
        name = appointment.mentor_name
        family_people = [m.user for m in _adults(appointment.family)]
        verb = (
            _("%(name)s will come with you to your appointment") % {"name": name}
            if accept
            else _("%(name)s cannot come to your appointment") % {"name": name}
        )
        notify_users(
            recipients=family_people,
            verb=verb,
            actor=actor,
            target=appointment,
            url=appointment.get_absolute_url(),
            family=appointment.family,
        )
        notify_users(
            recipients=[appointment.family.lead_key_worker],
            verb=(
                _("A peer mentor will come to an appointment you booked")
                if accept
                else _("A peer mentor cannot come to an appointment you booked")
            ),
            actor=actor,
            target=appointment,
            url=appointment.get_absolute_url(),
            family=appointment.family,
        )
        if accept:
            from ..tasks import casework_email_send

            appointment_id, mentor_ids = appointment.pk, [actor.pk]
            transaction.on_commit(
                lambda: casework_email_send.enqueue(
                    "appointment", appointment_id, mentor_ids, "mentor_coming"
                )
            )
    return appointment


def appointment_record(
    *,
    appointment: Appointment,
    actor: User,
    came: Iterable[FamilyMember],
    mentor_came: bool = False,
) -> Appointment:
    """The key worker records who came. If the mentor came, it goes on the mentor's
    contact log, linked to this appointment."""
    found = _manage(actor, appointment.family)
    chosen = _coming(appointment.family, came)
    with transaction.atomic():
        appointment = Appointment.objects.select_for_update().get(pk=appointment.pk)
        if appointment.status == Appointment.Status.CANCELLED:
            raise ValidationError(_("This appointment was cancelled"))
        if appointment.starts_at > timezone.now():
            raise ValidationError(_("You can record who came once the appointment has started"))
        if mentor_came and appointment.mentor_status != Appointment.MentorStatus.ACCEPTED:
            raise ValidationError(
                {"mentor_came": _("The family's mentor had not said they would come")}
            )
        appointment.status = Appointment.Status.HELD
        appointment.mentor_came = mentor_came if appointment.mentor_user_id else None
        appointment.recorded_by = actor
        appointment.recorded_at = timezone.now()
        appointment.save()
        appointment.came.set(chosen)
        _audit(actor, found, AuditEvent.Action.UPDATE, appointment, "attendance recorded")
        if mentor_came and appointment.mentor_match_id:
            mentor_services.contact_log_for_appointment(
                match_id=appointment.mentor_match_id,
                actor=actor,
                happened_on=timezone.localdate(appointment.starts_at),
                appointment_id=appointment.pk,
                summary=appointment.purpose[:280],
            )
    return appointment


# Team meetings --------------------------------------------------------------------------


def _check_where(where: str, place: str) -> str:
    if where not in Where.values:
        raise ValidationError({"where": _("Choose whether you meet in person or by a call")})
    return _text(
        place,
        field="place",
        max_length=300,
        required=(
            _("Enter where the meeting is")
            if where == Where.PLACE
            else _("Enter how to join the call")
        ),
    )


def _meeting_people(meeting: Meeting) -> list[User | None]:
    return [
        invite.member.user
        if invite.member is not None
        else invite.practitioner.user
        if invite.practitioner is not None
        else invite.mentor_user
        for invite in meeting.invites.select_related(
            "member__user", "practitioner__user", "mentor_user"
        )
    ]


def meeting_arrange(
    *,
    family: Family,
    actor: User,
    starts_at: datetime,
    ends_at: datetime,
    where: str,
    place: str,
    members: Iterable[FamilyMember],
    practitioners: Iterable[FamilyPractitioner] = (),
    invite_mentor: bool = False,
    staff_notes: str = "",
) -> Meeting:
    """The key worker arranges a team-around-the-family meeting. The family is invited
    first; the team members and the family's mentor as chosen."""
    found = _manage(actor, family)
    place = _check_where(where, place)
    _check_times(starts_at, ends_at)
    adults = {m.pk: m for m in _adults(family)}
    chosen_members = list(members)
    if not chosen_members:
        raise ValidationError({"members": _("Invite at least one adult of the family")})
    if any(m.pk not in adults for m in chosen_members):
        raise ValidationError({"members": _("Choose adults of this family")})
    team = {p.pk for p in FamilyPractitioner.objects.filter(family=family)}
    chosen_team = list(practitioners)
    if any(p.pk not in team for p in chosen_team):
        raise ValidationError({"practitioners": _("Choose people on the family's team")})
    mentor = _current_mentor(family) if invite_mentor else None
    if invite_mentor and mentor is None:
        raise ValidationError({"invite_mentor": _("The family does not have a peer mentor")})
    with transaction.atomic():
        meeting = Meeting.objects.create(
            family=family,
            starts_at=starts_at,
            ends_at=ends_at,
            where=where,
            place=place,
            arranged_by=actor,
            staff_notes=staff_notes.strip()[:5000],
        )
        invites = [
            *(MeetingInvite(meeting=meeting, kind="family", member=m) for m in chosen_members),
            *(MeetingInvite(meeting=meeting, kind="team", practitioner=p) for p in chosen_team),
        ]
        if mentor is not None:
            invites.append(
                MeetingInvite(
                    meeting=meeting, kind="mentor", mentor_user=mentor[1], mentor_name=mentor[2]
                )
            )
        MeetingInvite.objects.bulk_create(invites)
        _audit(actor, found, AuditEvent.Action.CREATE, meeting)
        _tell(
            kind="arranged",
            record=meeting,
            people=_meeting_people(meeting),
            actor=actor,
            verb=_("You are invited to a team meeting"),
        )
    return meeting


def meeting_change(
    *,
    meeting: Meeting,
    actor: User,
    starts_at: datetime,
    ends_at: datetime,
    where: str,
    place: str,
) -> Meeting:
    """Move a meeting or change where it is; everyone invited gets the new calendar file
    (the same UID, the next SEQUENCE)."""
    found = _manage(actor, meeting.family)
    place = _check_where(where, place)
    _check_times(starts_at, ends_at)
    with transaction.atomic():
        meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
        if not meeting.is_open:
            raise ValidationError(_("This meeting has been cancelled or has happened"))
        meeting.starts_at, meeting.ends_at = starts_at, ends_at
        meeting.where, meeting.place = where, place
        meeting.status = Meeting.Status.CHANGED
        meeting.sequence += 1
        meeting.save()
        _audit(actor, found, AuditEvent.Action.UPDATE, meeting, "changed")
        _tell(
            kind="changed",
            record=meeting,
            people=_meeting_people(meeting),
            actor=actor,
            verb=_("A team meeting you are invited to has changed"),
        )
    return meeting


def meeting_cancel(*, meeting: Meeting, actor: User, reason: str = "") -> Meeting:
    """Call a meeting off; everyone invited is told and calendars remove it."""
    return _cancel(
        meeting,
        actor=actor,
        reason=reason,
        people=_meeting_people,
        verb=_("A team meeting you were invited to has been cancelled"),
        done=_("This meeting has already been cancelled or happened"),
    )


@dataclass(frozen=True)
class ActionInput:
    """One action the meeting agreed. ``who`` is a plan's "who" (member, mentor,
    key_worker, partner, other) with the adult or team member it names."""

    text: str
    who: str
    goal_id: int
    member: FamilyMember | None = None
    practitioner: FamilyPractitioner | None = None
    due_date: date | None = None


def _who_label(action: ActionInput) -> str:
    if action.member is not None:
        return action.member.name
    if action.practitioner is not None:
        return action.practitioner.name_with_agency
    return dict(plan_selectors.step_who_choices()).get(action.who, action.who)


def meeting_record(
    *,
    meeting: Meeting,
    actor: User,
    attended: Iterable[int],
    actions: Sequence[ActionInput] = (),
    staff_notes: str = "",
    family_notes: str = "",
    notes_agreed: bool = False,
) -> Meeting:
    """After the meeting: who came (invite ids), what was agreed (each action becomes a
    step on the family's plan, with who and by when) and the notes. Notes for the family
    are shown to them only once they agreed to them."""
    found = _manage(actor, meeting.family)
    family_notes = family_notes.strip()
    if notes_agreed and not family_notes:
        raise ValidationError({"family_notes": _("Write the notes the family agreed to")})
    came = set(attended)
    with transaction.atomic():
        meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
        if not meeting.is_open:
            raise ValidationError(_("This meeting has been cancelled or already recorded"))
        if meeting.starts_at > timezone.now():
            raise ValidationError(_("You can record the meeting once it has started"))
        for invite in meeting.invites.all():
            invite.attended = invite.pk in came
            invite.save(update_fields=["attended"])
        for number, action in enumerate(actions, start=1):
            try:
                step = plan_services.step_add_from_meeting(
                    goal_id=action.goal_id,
                    actor=actor,
                    text=action.text,
                    owner=plan_services.StepOwner(
                        who=action.who, member=action.member, practitioner=action.practitioner
                    ),
                    due_date=action.due_date,
                )
            except ValidationError as exc:
                raise ValidationError(
                    _("Action %(n)s: %(problem)s")
                    % {"n": number, "problem": " ".join(exc.messages)}
                ) from exc
            MeetingAction.objects.create(
                meeting=meeting,
                text=step.text,
                who=action.who,
                member=action.member,
                practitioner=action.practitioner,
                who_label=_who_label(action),
                due_date=action.due_date,
                goal_id=action.goal_id,
                step_id=step.pk,
                order=number,
            )
        meeting.status = Meeting.Status.HELD
        meeting.staff_notes = staff_notes.strip()[:5000]
        meeting.family_notes = family_notes[:5000]
        meeting.notes_agreed = notes_agreed
        meeting.held_recorded_by = actor
        meeting.save()
        _audit(actor, found, AuditEvent.Action.UPDATE, meeting, "recorded")
        notify_users(
            recipients=[m.user for m in _adults(meeting.family)],
            verb=_("What your team meeting agreed is on your plan"),
            actor=actor,
            target=meeting,
            url=meeting.get_absolute_url(),
            family=meeting.family,
        )
    return meeting


# Emails ---------------------------------------------------------------------------------

_SUBJECTS = {
    ("appointment", "booked"): _noop("An appointment has been booked"),
    ("appointment", "changed"): _noop("An appointment has changed"),
    ("appointment", "cancelled"): _noop("An appointment has been cancelled"),
    ("appointment", "mentor_coming"): _noop("You are going to an appointment with a family"),
    ("meeting", "arranged"): _noop("You are invited to a team meeting"),
    ("meeting", "changed"): _noop("A team meeting has changed"),
    ("meeting", "cancelled"): _noop("A team meeting has been cancelled"),
}


def record_email(*, record_kind: str, record_id: int, user_ids: list[int], kind: str) -> int:
    """Send the email about a meeting or appointment to each person it is safe to email:
    the time, the place and a link (nothing from the notes), with a calendar file that
    adds, moves or removes the event. Returns how many were sent."""
    from django.conf import settings
    from django.template.loader import render_to_string

    from portal.notify import email_send

    from .. import calendar

    record: Appointment | Meeting | None
    if record_kind == "meeting":
        record = Meeting.objects.select_related("family").filter(pk=record_id).first()
    else:
        record = Appointment.objects.select_related("family").filter(pk=record_id).first()
    if record is None or (record_kind, kind) not in _SUBJECTS:
        return 0
    event = (
        calendar.meeting_event(record)
        if isinstance(record, Meeting)
        else calendar.appointment_event(record)
    )
    method = "CANCEL" if kind == "cancelled" else "REQUEST"
    ics = calendar.calendar_file([event], method=method)
    body = render_to_string(
        "casework/email/record.txt",
        {
            "record": record,
            "record_kind": record_kind,
            "kind": kind,
            "link": settings.SITE_URL.rstrip("/") + record.get_absolute_url(),
            "service_name": settings.SERVICE_NAME,
        },
    )
    sent = 0
    for person in User.objects.filter(pk__in=user_ids, is_active=True).exclude(email=""):
        sent += email_send(
            subject=_(_SUBJECTS[(record_kind, kind)]),
            message=body,
            users=[person],
            attachments=[("invite.ics", ics, f"text/calendar; method={method}")],
        )
    return sent


# The family's journey, one module for each stage ------------------------------------------
# (re-exported so callers write ``services.need_add``, as for everything above)

from .journey import (  # noqa: E402, F401 - re-exported; after the stages above
    REREFERRAL_WINDOW,
    episode_open,
    is_rereferral,
    need_add,
    open_episode,
)

# Referrals
from .referrals import (  # noqa: E402, F401 - re-exported
    ContactInput,
    PersonInput,
    referral_ask_for_help,
    referral_decide,
    referral_email,
    referral_make,
    referral_outcome,
)

# Assessment and needs
# isort: split
from .needs import (  # noqa: E402, F401 - re-exported
    assessment_save,
    need_family_view_set,
    need_goals_set,
    need_remove,
)

# Closure, step-down and the six months after
# isort: split
from .closure import (  # noqa: E402, F401 - re-exported; after the stages above
    casework_settings_update,
    episode_close,
    follow_up_answer,
    follow_up_emails,
    follow_ups_ask,
    need_not_sustained_mark,
    needs_sustain_check,
    plan_readable_until,
    sustain_job_run,
)

# Chronology
# isort: split
from .chronology import chronology_entry_add as chronology_entry_add  # noqa: E402 - re-exported
