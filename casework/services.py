"""Every write to agency records: kinds, entries, corrections and imports.

Entries are append-only: there is no service that changes or deletes one. A correction
is a new entry pointing at the one it corrects, with a reason; the current value is the
latest entry nobody has corrected.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from portal import access as core
from portal.models import Agency, AuditEvent, Family, FamilyMember, User

from . import access
from .access import RecordsAccess
from .models import AgencyRecord, Outcome, RecordImport, RecordKind

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
        if not text.isdigit() or not text.isascii():
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
    from . import imports

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
