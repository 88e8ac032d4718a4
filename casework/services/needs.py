"""The whole-family assessment and its needs: who the assessment covered, the goals that
meet each need, taking a need off, and the family saying where they disagree.

Needs themselves are recorded by ``journey.need_add``. A goal is kept by id and read
through ``plans.selectors``; an adult's private goal meets only a need about that adult,
so what meets a need the rest of the household reads is always something they can see.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from plans import selectors as plan_selectors
from portal import access as core
from portal.models import AuditEvent, FamilyMember, User
from portal.notify import notify_users

from .. import access
from ..models import Assessment, Episode, Need, NeedGoal

MAX_SUMMARY = 5000
MAX_VIEW = 2000
MAX_REASON = 300


def _manage(actor: User, episode: Episode) -> core.FamilyAccess:
    found = core.family_access(actor, episode.family)
    if not found.can_manage:
        raise PermissionDenied
    return found


def assessment_save(
    *,
    episode: Episode,
    actor: User,
    assessed_on: date,
    members: Iterable[FamilyMember],
    summary: str = "",
) -> Assessment:
    """Record (or change) the episode's whole-family assessment: when it was done, who in
    the household it covered and what the family said. The key worker or staff with a
    reason, while the episode is open."""
    found = _manage(actor, episode)
    family = episode.family
    covered = list(members)
    errors: dict[str, str] = {}
    if not episode.is_open:
        raise ValidationError(_("This work with the family has closed."))
    if not covered:
        errors["members"] = _("Choose who the assessment covered.")
    elif any(member.family_id != family.pk for member in covered):
        errors["members"] = _("Choose people in this family.")
    if assessed_on > timezone.localdate():
        errors["assessed_on"] = _("The date of the assessment must be today or in the past.")
    if assessed_on < episode.opened_on:
        errors["assessed_on"] = _("The assessment cannot be before the work began on %(day)s.") % {
            "day": episode.opened_on.strftime("%d/%m/%Y")
        }
    summary = summary.strip()
    if len(summary) > MAX_SUMMARY:
        errors["summary"] = _("Write %(n)d characters or fewer.") % {"n": MAX_SUMMARY}
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        assessment, created = Assessment.objects.update_or_create(
            episode=episode,
            defaults={
                "family": family,
                "assessed_on": assessed_on,
                "summary": summary,
                "recorded_by": actor,
            },
        )
        assessment.members.set(covered)
        core.audit_record(
            actor=actor,
            action=AuditEvent.Action.CREATE if created else AuditEvent.Action.UPDATE,
            family=family,
            record=assessment,
            reason=found.reason,
        )
    return assessment


def need_remove(*, need: Need, actor: User, reason: str) -> Need:
    """Take a need off (recorded in error, say), with why. It is kept, with the reason,
    and no longer counts. The key worker or staff with a reason, while the episode is open."""
    found = _manage(actor, need.episode)
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the need is being taken off.")})
    if len(reason) > MAX_REASON:
        raise ValidationError({"reason": _("Write %(n)d characters or fewer.") % {"n": MAX_REASON}})
    if not need.episode.is_open:
        raise ValidationError(_("This work with the family has closed."))
    with transaction.atomic():
        locked = Need.objects.select_for_update().get(pk=need.pk)
        if locked.removed_at is not None:
            raise ValidationError(_("This need has already been taken off."))
        locked.removed_at = timezone.now()
        locked.removed_reason = reason
        locked.save(update_fields=["removed_at", "removed_reason"])
        core.audit_record(
            actor=actor,
            action=AuditEvent.Action.REMOVE,
            family=need.family,
            record=locked,
            reason=" ".join(part for part in (f"Taken off: {reason}", found.reason) if part),
        )
    need.removed_at, need.removed_reason = locked.removed_at, locked.removed_reason
    return need


def need_goals_set(*, need: Need, actor: User, goal_ids: Iterable[int]) -> Need:
    """Say which of the family's plan goals meet ``need`` (the rest no longer do). The key
    worker or staff with a reason, while the episode is open and the need counts."""
    found = _manage(actor, need.episode)
    if not need.episode.is_open or need.removed_at is not None:
        raise ValidationError(_("This need can no longer be changed."))
    wanted = set(goal_ids)
    allowed = set(access.goals_may_meet(need, plan_selectors.goals_for_needs(family=need.family)))
    if wanted - allowed:
        raise ValidationError({"goals": _("Choose goals of this family's plan.")})
    with transaction.atomic():
        Need.objects.select_for_update().filter(pk=need.pk).first()
        NeedGoal.objects.filter(need=need).exclude(goal_id__in=wanted).delete()
        have = set(NeedGoal.objects.filter(need=need).values_list("goal_id", flat=True))
        NeedGoal.objects.bulk_create(
            NeedGoal(need=need, goal_id=goal_id) for goal_id in sorted(wanted - have)
        )
        core.audit_record(
            actor=actor,
            action=AuditEvent.Action.UPDATE,
            family=need.family,
            record=need,
            reason=" ".join(
                part for part in (f"Goals meeting it: {len(wanted)}", found.reason) if part
            ),
        )
    return need


def need_family_view_set(*, need: Need, actor: User, view: str) -> Need:
    """An adult of the household says, in their own words, where they disagree with a
    need they can see (empty: they no longer disagree). The lead key worker is told."""
    member = access.adult_of(actor, need.family)
    if member is None or not access.may_see_need(member, need):
        raise PermissionDenied
    view = view.strip()
    if len(view) > MAX_VIEW:
        raise ValidationError({"view": _("Write %(n)d characters or fewer.") % {"n": MAX_VIEW}})
    with transaction.atomic():
        locked = Need.objects.select_for_update().get(pk=need.pk)
        locked.family_view = view
        locked.family_view_by = member if view else None
        locked.family_view_at = timezone.now() if view else None
        locked.save(update_fields=["family_view", "family_view_by", "family_view_at"])
        key_worker = need.family.lead_key_worker
        if key_worker is not None and view:
            notify_users(
                recipients=[key_worker],
                verb=_("A family said where they disagree with a need from the assessment"),
                actor=actor,
                target=locked,
                url=reverse("casework:assessment", kwargs={"family_id": need.family_id})
                + f"#need-{need.pk}",
                family=need.family,
            )
    need.family_view = locked.family_view
    need.family_view_by = locked.family_view_by
    need.family_view_at = locked.family_view_at
    return need
