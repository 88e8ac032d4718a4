"""The core of the family's journey that every stage builds on: opening an episode of
early help (a re-referral when inside 12 months of the last closure) and recording the
needs the whole-family assessment found."""

from __future__ import annotations

from datetime import date, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal import access as core
from portal import services as core_services
from portal.models import Agency, AuditEvent, Family, FamilyMember, FamilyPractitioner, User

from ..models import AgencyRecord, Descriptor, Episode, Need, Referral

# A family referred again within this long of its last closure is re-referred.
REREFERRAL_WINDOW = timedelta(days=365)


def _manage(actor: User, family: Family) -> core.FamilyAccess:
    found = core.family_access(actor, family)
    if not found.can_manage:
        raise PermissionDenied
    return found


def is_rereferral(*, family: Family, on: date) -> bool:
    """Whether work starting on ``on`` comes within 12 months of the family's last closure."""
    last = (
        Episode.objects.filter(family=family, closed_on__isnull=False)
        .order_by("-closed_on")
        .values_list("closed_on", flat=True)
        .first()
    )
    return last is not None and on - last <= REREFERRAL_WINDOW


def episode_open(
    *, family: Family, actor: User, referral: Referral | None = None, opened_on: date | None = None
) -> Episode:
    """Start working with the family (it must have no open episode): its status becomes
    active. The family's lead key worker or staff with a reason may; a service manager
    deciding a referral does so after naming the lead."""
    found = _manage(actor, family)
    opened_on = opened_on or timezone.localdate()
    with transaction.atomic():
        if (
            Episode.objects.select_for_update()
            .filter(family=family, closed_on__isnull=True)
            .exists()
        ):
            raise ValidationError(_("The service is already working with this family."))
        rereferral = is_rereferral(family=family, on=opened_on)
        episode = Episode.objects.create(
            family=family, referral=referral, opened_on=opened_on, is_rereferral=rereferral
        )
        if referral is not None and rereferral != referral.is_rereferral:
            referral.is_rereferral = rereferral
            referral.save(update_fields=["is_rereferral"])
        core_services.family_status_set(
            family=family,
            status=Family.Status.ACTIVE,
            actor=actor,
            reason="Re-referred within 12 months" if rereferral else "Work with the family began",
        )
        core.audit_record(
            actor=actor,
            action=AuditEvent.Action.CREATE,
            family=family,
            record=episode,
            reason=found.reason,
        )
    return episode


def open_episode(family: Family) -> Episode | None:
    return Episode.objects.filter(family=family, closed_on__isnull=True).first()


def need_add(
    *,
    episode: Episode,
    descriptor: Descriptor,
    actor: User,
    member: FamilyMember | None = None,
    identified_on: date | None = None,
    raised_by: Agency | None = None,
    baseline_record: AgencyRecord | None = None,
    baseline_rating: int | None = None,
    note: str = "",
) -> Need:
    """Record a need the whole-family assessment found, for a member of the household (or
    the household itself), with a baseline: an agency record about them, or a rating from
    1 to 10. Only while the episode is open, by the family's key worker or staff with a
    reason."""
    family = episode.family
    found = _manage(actor, family)
    errors: dict[str, str] = {}
    if not episode.is_open:
        raise ValidationError(_("This work with the family has closed."))
    if (
        not descriptor.framework.in_use
        and not Need.objects.filter(
            episode=episode, descriptor__framework=descriptor.framework
        ).exists()
    ):
        errors["descriptor"] = _("Choose a need from the framework in use.")
    if member is not None and member.family_id != family.pk:
        errors["member"] = _("Choose someone in this family.")
    if baseline_record is None and baseline_rating is None:
        errors["baseline_rating"] = _(
            "Give a starting point: choose an agency record, or a rating from 1 to 10."
        )
    if baseline_rating is not None and not 1 <= baseline_rating <= 10:
        errors["baseline_rating"] = _("The rating must be a number from 1 to 10.")
    if baseline_record is not None and (
        baseline_record.family_id != family.pk
        or AgencyRecord.objects.filter(corrects=baseline_record).exists()
    ):
        errors["baseline_record"] = _("Choose one of this family's current agency records.")
    if baseline_record is not None and baseline_rating is not None:
        errors["baseline_rating"] = _("Give an agency record or a rating, not both.")
    if (
        raised_by is not None
        and not FamilyPractitioner.objects.filter(family=family, agency=raised_by).exists()
    ):
        errors["raised_by"] = _("Choose an agency on the family's team, or the service's own.")
    identified_on = identified_on or timezone.localdate()
    if identified_on > timezone.localdate():
        errors["identified_on"] = _("The date a need was found must be today or in the past.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        need = Need.objects.create(
            episode=episode,
            family=family,
            member=member,
            descriptor=descriptor,
            outcome=descriptor.outcome,
            identified_on=identified_on,
            raised_by=raised_by,
            recorded_by=actor,
            baseline_record=baseline_record,
            baseline_rating=baseline_rating,
            note=note.strip(),
        )
        core.audit_record(
            actor=actor,
            action=AuditEvent.Action.CREATE,
            family=family,
            record=need,
            reason=" ".join(part for part in (f"Need: {descriptor.text}", found.reason) if part),
        )
    return need
