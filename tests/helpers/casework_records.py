"""Agency records test data, built through casework's services."""

from __future__ import annotations

from datetime import date

from casework import access, services
from casework.models import AgencyRecord, RecordKind
from portal import access as core

TERM = (date(2026, 9, 3), date(2026, 10, 23))


def kind(code: str) -> RecordKind:
    return RecordKind.objects.get(code=code)


def records_access_for(user, family):
    """What ``user`` may do with ``family``'s records (their read audited, as a page's)."""
    return access.records_access(user, family, family_access=core.family_access(user, family))


def record(
    recorder,
    family,
    code: str,
    value: str,
    *,
    member=None,
    starts=None,
    ends=None,
    note: str = "",
) -> AgencyRecord:
    chosen = kind(code)
    if chosen.is_span:
        starts, ends = starts or TERM[0], ends or TERM[1]
    return services.agency_record_add(
        records_access=records_access_for(recorder, family),
        kind=chosen,
        member=member,
        value=value,
        starts=starts or date(2026, 10, 1),
        ends=ends,
        note=note,
        recorder=recorder,
    )


def attendance_csv(rows: list[tuple[str, ...]]) -> bytes:
    header = "family_reference,name,date_of_birth,value,from,to,note\n"
    return (header + "".join(",".join(row) + "\n" for row in rows)).encode()
