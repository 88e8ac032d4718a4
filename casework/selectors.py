"""Reads of agency records, each with the joins it needs so query counts stay flat."""

from __future__ import annotations

from django.db.models import Count, QuerySet

from portal.models import FamilyMember, User

from .access import RecordsAccess
from .models import AgencyRecord, RecordImport, RecordKind

_JOINS = ("kind", "agency", "member", "recorded_by", "corrects__kind", "source_import")


def family_records(
    *,
    records_access: RecordsAccess,
    member_id: int | None = None,
    kind_id: int | None = None,
) -> list[AgencyRecord]:
    """The family's entries this person may see, newest first; each correction comes
    with the entry it corrects (``corrects``) and each corrected entry knows it was
    (``corrected_by_id`` on its correction's side: ``is_corrected``)."""
    records = records_access.visible(AgencyRecord.objects.select_related(*_JOINS))
    if member_id is not None:
        records = records.filter(member_id=member_id)
    if kind_id is not None:
        records = records.filter(kind_id=kind_id)
    found = list(records.order_by("-starts", "-recorded_at", "-id"))
    corrected = {record.corrects_id for record in found if record.corrects_id}
    for record in found:
        record.is_corrected = record.pk in corrected  # type: ignore[attr-defined]  # for the page
    return found


def current_records(*, records_access: RecordsAccess) -> list[AgencyRecord]:
    """The latest value of each fact: entries no other entry corrects, newest first."""
    return list(
        records_access.visible(AgencyRecord.objects.select_related(*_JOINS))
        .filter(corrected_by__isnull=True)
        .order_by("-starts", "-recorded_at", "-id")
    )


def record_filters(*, records_access: RecordsAccess) -> tuple[list[FamilyMember], list[RecordKind]]:
    """Who and which kinds the list may be filtered by."""
    members = list(FamilyMember.everyone.filter(family=records_access.family).order_by("id"))
    if records_access.member is not None:
        members = [m for m in members if m.pk == records_access.member.pk or not m.is_adult]
    if records_access.sees_all:
        kinds = list(RecordKind.objects.all())
    else:
        kinds = list(RecordKind.objects.filter(pk__in=records_access.partner_kind_ids))
    return members, kinds


def kinds_for_managers() -> QuerySet[RecordKind]:
    return RecordKind.objects.annotate(entries=Count("records")).order_by("-is_active", "name")


def imports_for(*, user: User) -> QuerySet[RecordImport]:
    """The imports a partner made, newest first."""
    return RecordImport.objects.select_related("kind", "agency").filter(imported_by=user)


def import_records(*, record_import: RecordImport) -> list[AgencyRecord]:
    """The entries one import saved, by family and row."""
    return list(
        AgencyRecord.objects.select_related("family", "member", "kind")
        .filter(source_import=record_import)
        .order_by("family__reference", "id")
    )
