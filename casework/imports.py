"""Reading a CSV file of agency records: its rows, and which family member each names.

Pure reading: ``casework.services.record_import_check`` decides and saves.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from datetime import date, datetime
from typing import TYPE_CHECKING

from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext as _

from portal.models import Family, FamilyMember

from .models import RecordKind

if TYPE_CHECKING:
    from .services import ImportRow

MAX_BYTES = 200_000
MAX_ROWS = 500
COLUMNS = ("family_reference", "name", "date_of_birth", "value", "from", "to", "note")
REQUIRED = ("family_reference", "value")
# Where a field's error shows in the file.
COLUMN_OF = {
    "member": "name",
    "value": "value",
    "starts": "from",
    "ends": "to",
    "note": "note",
}
DATE_FORMATS = ("%d/%m/%Y", "%Y-%m-%d")


def _header(name: str) -> str:
    return "_".join(name.strip().lower().replace("-", " ").split())


def rows_read(content: bytes) -> tuple[list[str], list[ImportRow]]:
    """(errors about the whole file, its rows). Rows are numbered as a spreadsheet
    shows them: the header is row 1."""
    from .services import ImportRow

    if len(content) > MAX_BYTES:
        return [_("The file must be smaller than %(size)s KB.") % {"size": MAX_BYTES // 1000}], []
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        return [_("The file must be a CSV file saved as UTF-8.")], []
    reader = csv.reader(io.StringIO(text))
    try:
        header = next(reader)
    except (StopIteration, csv.Error):
        return [_("The file is empty.")], []
    names = [_header(cell) for cell in header]
    missing = [column for column in REQUIRED if column not in names]
    if missing:
        return [
            _("The first row must name the columns; it has no %(columns)s column.")
            % {"columns": ", ".join(missing)}
        ], []
    rows: list[ImportRow] = []
    try:
        for number, cells in enumerate(reader, start=2):
            if not any(cell.strip() for cell in cells):
                continue
            if len(rows) >= MAX_ROWS:
                return [
                    _("The file has more than %(max)s rows: split it into smaller files.")
                    % {"max": MAX_ROWS}
                ], []
            found = {
                name: cell.strip()
                for name, cell in zip(names, cells, strict=False)
                if name in COLUMNS
            }
            rows.append(ImportRow(number=number, cells=found))
    except csv.Error:
        return [_("The file could not be read as CSV.")], []
    return [], rows


def families_by_reference(
    families: QuerySet[Family], references: Iterable[str]
) -> dict[str, Family]:
    """The families named, by their reference in lower case, with who lives in each."""
    wanted = {ref.strip().upper() for ref in references if ref.strip()}
    found = families.filter(reference__in=wanted).prefetch_related(
        Prefetch("members", queryset=FamilyMember.objects.order_by("id"), to_attr="current_members")
    )
    return {family.reference.lower(): family for family in found}


def date_read(text: str) -> date | None:
    for pattern in DATE_FORMATS:
        try:
            return datetime.strptime(text.strip(), pattern).date()  # noqa: DTZ007 - a date
        except ValueError:
            continue
    return None


def row_match(
    row: ImportRow,
    *,
    kind: RecordKind,
    families: dict[str, Family],
    period: tuple[date, date],
) -> None:
    """Find the row's family, member and dates, adding an error for each column at fault."""
    cells = row.cells
    reference = cells.get("family_reference", "")
    family = families.get(reference.lower()) if reference else None
    if not reference:
        row.errors.append(("family_reference", _("Enter the family's reference.")))
    elif family is None:
        row.errors.append(
            (
                "family_reference",
                _("No family with the reference %(ref)s is on your team.") % {"ref": reference},
            )
        )
    row.family = family
    name = cells.get("name", "")
    born_text = cells.get("date_of_birth", "")
    born = date_read(born_text) if born_text else None
    if born_text and born is None:
        row.errors.append(("date_of_birth", _("Enter the date of birth like 27/03/2015.")))
    if kind.for_member:
        if not name:
            row.errors.append(("name", _("Enter the name of the person it is about.")))
        elif family is not None:
            same_name = [
                m
                for m in family.current_members  # type: ignore[attr-defined]  # prefetched
                if m.name.strip().lower() == name.lower()
            ]
            matched = [
                m
                for m in same_name
                if born is None or m.date_of_birth is None or m.date_of_birth == born
            ]
            if not same_name:
                row.errors.append(
                    ("name", _("No one called %(name)s lives in this family.") % {"name": name})
                )
            elif not matched:
                row.errors.append(
                    (
                        "date_of_birth",
                        _("The date of birth does not match %(name)s's.") % {"name": name},
                    )
                )
            elif len(matched) > 1:
                row.errors.append(
                    ("date_of_birth", _("Two people have this name: give the date of birth."))
                )
            else:
                row.member = matched[0]
    elif name:
        row.errors.append(("name", _("This is about the whole household: leave the name empty.")))
    for column, attr in (("from", "starts"), ("to", "ends")):
        text = cells.get(column, "")
        if not text:
            continue
        day = date_read(text)
        if day is None:
            row.errors.append((column, _("Enter the date like 27/03/2026.")))
        setattr(row, attr, day)
    if kind.is_span:
        if not cells.get("from"):
            row.starts = period[0]
        if not cells.get("to"):
            row.ends = period[1]
    elif not cells.get("from"):
        row.errors.append(("from", _("Enter the date it happened.")))
