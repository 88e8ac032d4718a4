"""Closing the work with a family (or stepping it down or up), how long it may still read
its plan, and the six months after: whether each need met at closure stayed met, and the
"how are things now" questions at three and six months.

The daily check (``needs_sustain_check``) is written for every family at once: a few
queries for each batch of needs, whatever their number. It runs as the system, with no
one to audit: what it changed is on the need itself (``checked_at``)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop as _noop

from portal import access as core
from portal import services as core_services
from portal.models import AuditEvent, Family, FamilyMember, User
from portal.notify import notify_users

from ..models import (
    AgencyRecord,
    CaseworkSettings,
    Descriptor,
    Episode,
    FollowUp,
    Need,
    RecordKind,
)
from ..selectors import months_after

SUMMARY_MAX = 5000
REFERRAL_MAX = 1000
FOLLOW_UP_WORDS_MAX = 2000
# The "how are things now" questions, by months after closure.
FOLLOW_UP_MONTHS = (3, 6)
# Needs read and written at once by the daily check.
CHECK_BATCH = 2000


# Closing the work --------------------------------------------------------------------


def episode_close(
    *,
    episode: Episode,
    actor: User,
    closed_on: date,
    reason: str,
    summary: str,
    met: Mapping[int, bool],
    social_care_referral: str = "",
) -> Episode:
    """Close the work with the family: when, why, a summary written for the family and,
    for every need of the episode, whether it was met (``met``: need id to yes or no).
    Stepping up to social care records the referral made. The family's lead key worker or
    staff with a reason may; the family's adults are told."""
    family = episode.family
    found = core.family_access(actor, family)
    if not found.can_manage:
        raise PermissionDenied
    today = timezone.localdate()
    summary = (summary or "").strip()
    social_care_referral = (social_care_referral or "").strip()
    errors: dict[str, str] = {}
    if reason not in Episode.Reason.values:
        errors["reason"] = _("Choose why the work with the family ended.")
    if closed_on > today:
        errors["closed_on"] = _("The date the work ended must be today or in the past.")
    elif closed_on < episode.opened_on:
        errors["closed_on"] = _("The date the work ended must be on or after %(opened)s.") % {
            "opened": f"{episode.opened_on:%d/%m/%Y}"
        }
    if not summary:
        errors["summary"] = _("Write a closing summary for the family.")
    elif len(summary) > SUMMARY_MAX:
        errors["summary"] = _("The closing summary must be %(max)d characters or fewer.") % {
            "max": SUMMARY_MAX
        }
    if reason == Episode.Reason.STEPPED_UP:
        if not social_care_referral:
            errors["social_care_referral"] = _(
                "Say the social care referral's reference, the date and who it went to."
            )
        elif len(social_care_referral) > REFERRAL_MAX:
            errors["social_care_referral"] = _(
                "The social care referral must be %(max)d characters or fewer."
            ) % {"max": REFERRAL_MAX}
    else:
        social_care_referral = ""
    with transaction.atomic():
        locked = Episode.objects.select_for_update().get(pk=episode.pk)
        if not locked.is_open:
            raise ValidationError(_("This work with the family has already closed."))
        needs = list(Need.objects.filter(episode=locked, removed_at__isnull=True))
        for need in needs:
            if met.get(need.pk) is None:
                errors[f"need_{need.pk}"] = _("Say whether this need was met.")
        if errors:
            raise ValidationError(errors)
        settings = CaseworkSettings.load()
        locked.closed_on = closed_on
        locked.closure_reason = reason
        locked.closing_summary = summary
        locked.closed_by = actor
        locked.social_care_referral = social_care_referral
        locked.read_access_until = closed_on + timedelta(days=settings.read_access_days)
        locked.save(
            update_fields=[
                "closed_on",
                "closure_reason",
                "closing_summary",
                "closed_by",
                "social_care_referral",
                "read_access_until",
            ]
        )
        for need in needs:
            need.met_at_closure = met[need.pk]
            need.sustained = Need.Sustained.WAITING if need.met_at_closure else ""
        Need.objects.bulk_update(needs, ["met_at_closure", "sustained"])
        status = (
            Family.Status.STEPPED_DOWN
            if reason == Episode.Reason.STEPPED_DOWN
            else Family.Status.CLOSED
        )
        core_services.family_status_set(
            family=family, status=status, actor=actor, reason=str(Episode.Reason(reason).label)
        )
        core.audit_record(
            actor=actor,
            action=AuditEvent.Action.UPDATE,
            family=family,
            record=locked,
            reason=" ".join(
                part for part in (f"Closed: {Episode.Reason(reason).label}", found.reason) if part
            ),
        )
        notify_users(
            recipients=_adult_users(family),
            verb=_noop("Your key worker has written about the end of your time with us"),
            actor=actor,
            target=family,
            url=reverse("casework:yours_closed"),
            family=family,
        )
    episode.refresh_from_db()
    return episode


def _adult_users(family: Family) -> list[User]:
    return [
        member.user
        for member in FamilyMember.objects.select_related("user")
        .filter(family=family, user__isnull=False, user__is_active=True)
        .exclude(relationship=FamilyMember.Relationship.CHILD)
        if member.user is not None
    ]


def casework_settings_update(*, actor: User, read_access_days: int) -> CaseworkSettings:
    """Set how long a closed family may still read its plan. Service managers, after
    two-step sign-in; audited."""
    if not (core.is_manager(actor) and core.mfa_passed(actor)):
        raise PermissionDenied
    if not 0 <= read_access_days <= 730:
        raise ValidationError(
            {"read_access_days": _("Give a number of days from 0 to 730 (two years).")}
        )
    with transaction.atomic():
        settings = CaseworkSettings.load()
        before = settings.read_access_days
        settings.read_access_days = read_access_days
        settings.updated_by = actor
        settings.save()
        core.audit_record(
            actor=actor,
            action=AuditEvent.Action.UPDATE,
            family=None,
            record=settings,
            reason=f"Days a closed family can read its plan: {before} to {read_access_days}",
        )
    return settings


# Reading a closed family's plan ----------------------------------------------------------


def plan_readable_until(family: Family) -> date | None:
    """The last day a family whose work has ended may still read its plan; None while the
    service works with it, or if its work ended before such dates were kept. Families
    still being worked with cost no query (their status says so)."""
    if family.status not in {Family.Status.CLOSED, Family.Status.STEPPED_DOWN}:
        return None
    latest = (
        Episode.objects.filter(family=family)
        .order_by("-opened_on", "-id")
        .values_list("closed_on", "read_access_until")
        .first()
    )
    if latest is None or latest[0] is None:
        return None
    return latest[1]


# The six months after -----------------------------------------------------------------


def _breaks(descriptor: Descriptor, record: AgencyRecord) -> bool:
    """Whether ``record`` shows the need ``descriptor`` names has come back."""
    rule = descriptor.breaks_when
    if rule == Descriptor.Breaks.ANY:
        return True
    if rule == Descriptor.Breaks.YES:
        return record.flag is True
    if rule == Descriptor.Breaks.STATUS:
        return record.status in (descriptor.breaking_statuses or [])
    if record.number is None or descriptor.threshold is None:
        return False
    threshold = descriptor.threshold
    if descriptor.test_kind is not None and (
        descriptor.test_kind.value_type == RecordKind.ValueType.MONEY
    ):
        threshold = threshold * Decimal(100)  # typed in pounds, kept in pence
    if rule == Descriptor.Breaks.BELOW:
        return record.number < threshold
    if rule == Descriptor.Breaks.ABOVE:
        return record.number > threshold
    return False


def _about(need: Need, record: AgencyRecord) -> bool:
    """Whether ``record`` is about the person (or household) ``need`` is about."""
    if need.descriptor.test_kind is None or record.family_id != need.family_id:
        return False
    if need.descriptor.test_kind.about == RecordKind.About.HOUSEHOLD or need.member_id is None:
        return True
    return record.member_id == need.member_id


@dataclass(frozen=True)
class SustainResult:
    sustained: int = 0
    broken: int = 0
    unbroken: int = 0


def needs_sustain_check(*, today: date | None = None) -> SustainResult:
    """The daily check of every need met at closure that is still being checked (and of
    any marked broken by an entry since corrected): a current entry of the descriptor's
    test, about the need's person (or the household), from after the closure to six
    months on, that breaks the test marks it broken; six calendar months unbroken mark it
    sustained. A need with no test is sustained after six months unless its key worker
    said it was not. Corrections count by their current value."""
    today = today or timezone.localdate()
    totals = SustainResult()
    last_id = 0
    while True:
        batch = list(
            Need.objects.select_related(
                "descriptor__test_kind", "episode", "family__lead_key_worker"
            )
            .filter(
                Q(sustained=Need.Sustained.WAITING)
                | Q(sustained=Need.Sustained.BROKEN, broken_by__corrected_by__isnull=False),
                met_at_closure=True,
                episode__closed_on__isnull=False,
                pk__gt=last_id,
            )
            .order_by("pk")[:CHECK_BATCH]
        )
        if not batch:
            return totals
        last_id = batch[-1].pk
        found = _check_batch(batch, today=today)
        totals = SustainResult(
            sustained=totals.sustained + found.sustained,
            broken=totals.broken + found.broken,
            unbroken=totals.unbroken + found.unbroken,
        )


def _check_batch(needs: list[Need], *, today: date) -> SustainResult:
    tested = [need for need in needs if need.descriptor.test_kind_id is not None]
    records: dict[tuple[int, int], list[AgencyRecord]] = {}
    if tested:
        earliest = min(need.episode.closed_on for need in tested if need.episode.closed_on)
        for record in (
            AgencyRecord.objects.select_related("kind")
            .filter(
                family_id__in={need.family_id for need in tested},
                kind_id__in={need.descriptor.test_kind_id for need in tested},
                starts__gt=earliest,
                starts__lte=today,
                corrected_by__isnull=True,
            )
            .order_by("starts", "id")
        ):
            records.setdefault((record.family_id, record.kind_id), []).append(record)
    now = timezone.now()
    changed: list[Need] = []
    broken: list[Need] = []
    sustained = unbroken = 0
    for need in needs:
        closed_on = need.episode.closed_on
        assert closed_on is not None  # noqa: S101 - the query asked for closed episodes
        six_months = months_after(closed_on, 6)
        was_broken = need.sustained == Need.Sustained.BROKEN
        breaking = next(
            (
                record
                for record in records.get((need.family_id, need.descriptor.test_kind_id or 0), [])
                if closed_on < record.starts <= six_months
                and _about(need, record)
                and _breaks(need.descriptor, record)
            ),
            None,
        )
        need.checked_at = now
        if breaking is not None:
            if need.broken_by_id != breaking.pk or not was_broken:
                broken.append(need)
            need.sustained = Need.Sustained.BROKEN
            need.broken_by = breaking
            need.sustained_on = None
        elif today >= six_months:
            need.sustained = Need.Sustained.SUSTAINED
            need.sustained_on = six_months
            need.broken_by = None
            sustained += 1
        else:
            if was_broken:
                unbroken += 1
            need.sustained = Need.Sustained.WAITING
            need.broken_by = None
        changed.append(need)
    with transaction.atomic():
        Need.objects.bulk_update(
            changed, ["sustained", "sustained_on", "broken_by", "checked_at"], batch_size=500
        )
        _tell_lead_key_workers(broken)
    return SustainResult(sustained=sustained, broken=len(broken), unbroken=unbroken)


def _tell_lead_key_workers(needs: Iterable[Need]) -> None:
    """The lead key worker hears of each family with a need that has come back (no words
    about the need itself in the notification)."""
    by_family: dict[int, Family] = {}
    for need in needs:
        by_family.setdefault(need.family_id, need.family)
    for family in by_family.values():
        if family.lead_key_worker_id is None:
            continue
        notify_users(
            recipients=[family.lead_key_worker],
            verb=_noop("A need met at closure has come back"),
            target=family,
            url=reverse("casework:six_months"),
            family=family,
        )


def need_not_sustained_mark(*, need: Need, actor: User) -> Need:
    """The key worker says a need with no agency test did not stay met (while it is still
    being checked). The family's lead key worker or staff with a reason; audited."""
    found = core.family_access(actor, need.family)
    if not found.can_manage:
        raise PermissionDenied
    with transaction.atomic():
        locked = Need.objects.select_for_update().get(pk=need.pk)
        if locked.sustained != Need.Sustained.WAITING or not locked.met_at_closure:
            raise ValidationError(_("This need is no longer being checked."))
        if locked.descriptor.test_kind_id is not None:
            raise ValidationError(_("Agency records decide this need: it cannot be marked."))
        locked.sustained = Need.Sustained.BROKEN
        locked.checked_at = timezone.now()
        locked.save(update_fields=["sustained", "checked_at"])
        core.audit_record(
            actor=actor,
            action=AuditEvent.Action.UPDATE,
            family=need.family,
            record=locked,
            reason=" ".join(part for part in ("Marked not sustained", found.reason) if part),
        )
    return locked


# "How are things now" ------------------------------------------------------------------


def follow_ups_ask(*, today: date | None = None) -> list[FollowUp]:
    """Ask each family whose work closed three (or six) months ago how things are now, once
    for each: an in-app notification and an email to each adult, where email is safe.
    Only work closed through the portal (with a reason) and not re-opened since."""
    today = today or timezone.localdate()
    asked = set(
        FollowUp.objects.filter(episode__closed_on__gte=months_after(today, -7)).values_list(
            "episode_id", "months"
        )
    )
    candidates = (
        Episode.objects.select_related("family")
        .filter(
            closed_on__isnull=False,
            closed_on__gte=months_after(today, -7),
            closed_on__lte=months_after(today, -3),
        )
        .exclude(closure_reason="")
        .exclude(family__episodes__closed_on__isnull=True)
    )
    now = timezone.now()
    created: list[FollowUp] = []
    for episode in candidates:
        assert episode.closed_on is not None  # noqa: S101 - filtered above
        due = [
            months
            for months in FOLLOW_UP_MONTHS
            if months_after(episode.closed_on, months) <= today
            and (episode.pk, months) not in asked
        ]
        # The three-month question is not asked once the six-month one is due.
        if 6 in due and 3 in due:
            due.remove(3)
        if 3 in due and (episode.pk, 6) in asked:
            due.remove(3)
        created += [FollowUp(episode=episode, months=months, asked_at=now) for months in due]
    if not created:
        return []
    with transaction.atomic():
        FollowUp.objects.bulk_create(created, ignore_conflicts=True)
        saved = list(
            FollowUp.objects.select_related("episode__family").filter(
                asked_at=now, answer="", episode_id__in={f.episode_id for f in created}
            )
        )
        for follow_up in saved:
            family = follow_up.episode.family
            notify_users(
                recipients=_adult_users(family),
                verb=_noop("How are things now? We would like to know"),
                target=family,
                url=reverse("casework:how_are_things", kwargs={"follow_up_id": follow_up.pk}),
                family=family,
            )
        ids = [follow_up.pk for follow_up in saved]
        transaction.on_commit(lambda: _enqueue_follow_up_emails(ids))
    return saved


def _enqueue_follow_up_emails(ids: list[int]) -> None:
    from ..tasks import casework_follow_up_email

    casework_follow_up_email.enqueue(ids)


def follow_up_emails(*, follow_up_ids: list[int]) -> int:
    """Email each adult of each family asked (one email each), where email is safe for
    them (``portal.notify.email_send`` decides)."""
    from django.conf import settings

    from portal.notify import email_send

    sent = 0
    for follow_up in FollowUp.objects.select_related("episode__family").filter(
        pk__in=follow_up_ids, answer=""
    ):
        url = settings.SITE_URL.rstrip("/") + reverse(
            "casework:how_are_things", kwargs={"follow_up_id": follow_up.pk}
        )
        for person in _adult_users(follow_up.episode.family):
            sent += email_send(
                subject=_("How are things now?"),
                message=_(
                    "Hello,\n\nIt is %(months)d months since your time with the early help "
                    "service ended. We would like to know how things are now. It takes a "
                    "minute:\n\n%(url)s\n\nYou do not have to answer."
                )
                % {"months": follow_up.months, "url": url},
                users=[person],
            )
    return sent


def follow_up_answer(
    *, follow_up: FollowUp, member: FamilyMember, answer: str, words: str
) -> FollowUp:
    """An adult of the family answers "how are things now" (once for the family)."""
    if (
        member.family_id != follow_up.episode.family_id
        or member.relationship == FamilyMember.Relationship.CHILD
    ):
        raise PermissionDenied
    words = (words or "").strip()
    errors: dict[str, str] = {}
    if answer not in FollowUp.Answer.values:
        errors["answer"] = _("Choose how things are now.")
    if len(words) > FOLLOW_UP_WORDS_MAX:
        errors["words"] = _("Write %(max)d characters or fewer.") % {"max": FOLLOW_UP_WORDS_MAX}
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        locked = FollowUp.objects.select_for_update().get(pk=follow_up.pk)
        if locked.answer:
            raise ValidationError(_("Someone in your family has already answered. Thank you."))
        locked.answer = answer
        locked.words = words
        locked.answered_by = member
        locked.answered_at = timezone.now()
        locked.save(update_fields=["answer", "words", "answered_by", "answered_at"])
    return locked


def sustain_job_run(*, today: date | None = None) -> dict[str, int]:
    """The daily job: the six-month check, then the questions due."""
    today = today or timezone.localdate()
    result = needs_sustain_check(today=today)
    asked = follow_ups_ask(today=today)
    return {
        "sustained": result.sustained,
        "broken": result.broken,
        "unbroken": result.unbroken,
        "asked": len(asked),
    }
