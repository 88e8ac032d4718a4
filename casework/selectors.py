"""Reads of agency records, each with the joins it needs so query counts stay flat.

Reads of team meetings and appointments, with the joins each page needs.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from peer_mentors import selectors as mentor_selectors
from plans import selectors as plan_selectors
from portal.models import Family, FamilyMember, FamilyPractitioner, User
from portal.prepared import prepared

from .access import RecordsAccess
from .models import (
    AgencyRecord,
    Appointment,
    Episode,
    FollowUp,
    Meeting,
    MeetingAction,
    Need,
    Outcome,
    RecordImport,
    RecordKind,
)

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


OPEN_APPOINTMENTS = (Appointment.Status.BOOKED, Appointment.Status.CHANGED)
OPEN_MEETINGS = (Meeting.Status.ARRANGED, Meeting.Status.CHANGED)
UPCOMING = 20
MENTOR_ALONGSIDE = (Appointment.MentorStatus.ASKED, Appointment.MentorStatus.ACCEPTED)


def _appointments() -> QuerySet[Appointment]:
    return Appointment.objects.select_related("family").order_by("starts_at", "id")


def _meetings() -> QuerySet[Meeting]:
    return Meeting.objects.select_related("family").order_by("starts_at", "id")


def family_adults(*, family: Family) -> QuerySet[FamilyMember]:
    """The family's adults, for choosing who comes (a queryset, as a form's choices)."""
    return (
        FamilyMember.objects.filter(family=family)
        .exclude(relationship=FamilyMember.Relationship.CHILD)
        .order_by("id")
    )


def family_team(*, family: Family) -> QuerySet[FamilyPractitioner]:
    """Today's team, for inviting to a meeting."""
    return (
        FamilyPractitioner.objects.filter(family=family)
        .select_related("user", "agency")
        .order_by("id")
    )


@prepared(family_id=int, now=datetime)
def _family_appointments(*, family_id: int, now: datetime) -> QuerySet[Appointment]:
    return _appointments().filter(
        family_id=family_id, status__in=OPEN_APPOINTMENTS, ends_at__gte=now
    )[:UPCOMING]


@prepared(family_id=int, now=datetime)
def _family_meetings(*, family_id: int, now: datetime) -> QuerySet[Meeting]:
    return _meetings().filter(family_id=family_id, status__in=OPEN_MEETINGS, ends_at__gte=now)[
        :UPCOMING
    ]


def _with_events(found: dict[str, list[Any]]) -> dict[str, list[Any]]:
    """Adds ``events``: the appointments and meetings together, in the order they happen."""
    found["events"] = sorted(
        [*found["appointments"], *found["meetings"]], key=lambda event: event.starts_at
    )
    return found


def upcoming_for_family(*, family: Family) -> dict[str, list[Any]]:
    """The family's appointments and meetings still to come (on every parent's dashboard,
    so compiled once: ``portal.prepared``)."""
    now = timezone.now()
    return _with_events(
        {
            "appointments": list(_family_appointments.rows(family_id=family.pk, now=now)),
            "meetings": list(_family_meetings.rows(family_id=family.pk, now=now)),
        }
    )


def for_family_record(*, family: Family) -> dict[str, list[Any]]:
    """On the family's record for staff: what is to come and the last few held."""
    now = timezone.now()
    since = now - timedelta(days=180)
    return _with_events(
        {
            "appointments": list(_appointments().filter(family=family, ends_at__gte=since)[:20]),
            "meetings": list(_meetings().filter(family=family, ends_at__gte=since)[:20]),
        }
    )


def upcoming_for_key_worker(*, user: User, limit: int = 20) -> dict[str, list[Any]]:
    """The key worker's appointments and meetings to come, across their caseload."""
    now = timezone.now()
    return _with_events(
        {
            "appointments": list(
                _appointments().filter(
                    family__lead_key_worker=user, status__in=OPEN_APPOINTMENTS, ends_at__gte=now
                )[:limit]
            ),
            "meetings": list(
                _meetings().filter(
                    family__lead_key_worker=user, status__in=OPEN_MEETINGS, ends_at__gte=now
                )[:limit]
            ),
        }
    )


def mentor_appointments(*, user: User, limit: int = 20) -> list[Appointment]:
    """Appointments a mentor was asked to, or will, go to with a parent."""
    return list(
        _appointments().filter(
            mentor_user=user,
            mentor_status__in=MENTOR_ALONGSIDE,
            status__in=OPEN_APPOINTMENTS,
            ends_at__gte=timezone.now(),
        )[:limit]
    )


def calendar_for_user(*, user: User, family: Family | None) -> list[Appointment | Meeting]:
    """Everything to come for one person's calendar feed: their family's appointments and
    meetings, and appointments they go to as a mentor."""
    now = timezone.now()
    items: list[Appointment | Meeting] = []
    if family is not None:
        upcoming = upcoming_for_family(family=family)
        items += upcoming["appointments"] + upcoming["meetings"]
    items += list(
        _appointments().filter(
            mentor_user=user,
            mentor_status=Appointment.MentorStatus.ACCEPTED,
            status__in=OPEN_APPOINTMENTS,
            ends_at__gte=now,
        )
    )
    return sorted(items, key=lambda item: item.starts_at)


def meeting_page(*, meeting: Meeting) -> dict[str, Any]:
    """The meeting's invites (family first) and actions, each with the plan step it
    became (as many queries for 3 invites and actions as for 30)."""
    invites = list(meeting.invites.all())  # prefetched by the access check
    order = {"family": 0, "team": 1, "mentor": 2}
    invites.sort(key=lambda invite: (order.get(invite.kind, 9), invite.pk))
    actions = list(MeetingAction.objects.filter(meeting=meeting))
    steps = plan_selectors.steps_by_id(step_ids=[a.step_id for a in actions if a.step_id])
    return {
        "invites": invites,
        "actions": [(action, steps.get(action.step_id or 0)) for action in actions],
    }


def family_mentor_name(*, family: Family) -> str:
    """The name families see of the family's peer mentor now, or "" if it has none."""
    current = mentor_selectors.family_mentor_state(family=family)["current"]
    return str(current.mentor.display_name) if current is not None else ""


# Referrals ---------------------------------------------------------------------------


# Assessment and needs --------------------------------------------------------------------
# (imported here, beside what uses them, so each stage's reads stay in their own section)

from django.urls import reverse  # noqa: E402
from django.utils.translation import gettext as _  # noqa: E402

from portal.models import Agency, on_team_today  # noqa: E402
from portal.registry import NO_PLAN_NEEDS, PlanNeeds  # noqa: E402

from .access import goals_may_meet, member_needs_filter  # noqa: E402
from .models import Assessment, Descriptor, Framework  # noqa: E402


def _who(need: Need, *, household: str) -> str:
    return need.member.name if need.member is not None else household


def need_staff_words(need: Need) -> str:
    """ "Zara: A child's attendance is below 90% (persistently absent)"."""
    return f"{_who(need, household=str(_('The whole household')))}: {need.descriptor.text}"


def need_family_words(need: Need) -> str:
    """ "Zara: Going to school most days", "Your household: Getting on better at home"."""
    return f"{_who(need, household=str(_('Your household')))}: {need.descriptor.family_text}"


def baseline_words(need: Need) -> str:
    """The starting point the need is measured from, in the staff's words."""
    record = need.baseline_record
    if record is not None:
        about = f", {record.member.name}" if record.member is not None else ""
        return f"{record.kind.name}{about}: {record.value_display} ({record.starts:%d/%m/%Y})"
    if need.baseline_rating is not None:
        return str(_("Rated %(n)d out of 10")) % {"n": need.baseline_rating}
    return ""


def _needs() -> QuerySet[Need]:
    return Need.objects.select_related(
        "descriptor",
        "member",
        "raised_by",
        "family_view_by",
        "baseline_record__kind",
        "baseline_record__member",
    ).prefetch_related("goals")


@dataclass
class NeedRow:
    """A need on the staff's page, with the goals that meet it and those that may."""

    need: Need
    baseline: str
    meets: list[plan_selectors.GoalChoice]
    choices: list[plan_selectors.GoalChoice]

    @property
    def checked(self) -> set[int]:
        return {goal.id for goal in self.meets}


@dataclass
class AssessmentPage:
    episode: Episode | None
    assessment: Assessment | None
    needs: list[NeedRow]
    members: list[FamilyMember]


def current_episode(*, family: Family) -> Episode | None:
    return Episode.objects.filter(family=family, closed_on__isnull=True).first()


def assessment_page(*, family: Family) -> AssessmentPage:
    """The open episode's assessment and its needs (those taken off left out), each with
    the goals meeting it, in a fixed number of queries however many needs there are."""
    episode = current_episode(family=family)
    members = list(FamilyMember.objects.filter(family=family).order_by("id"))
    if episode is None:
        return AssessmentPage(episode=None, assessment=None, needs=[], members=members)
    assessment = Assessment.objects.filter(episode=episode).prefetch_related("members").first()
    goals = plan_selectors.goals_for_needs(family=family)
    by_id = {goal.id: goal for goal in goals}
    rows = []
    for need in _needs().filter(episode=episode, removed_at__isnull=True):
        linked = {link.goal_id for link in need.goals.all()}
        allowed = set(goals_may_meet(need, goals))
        rows.append(
            NeedRow(
                need=need,
                baseline=baseline_words(need),
                meets=[by_id[goal_id] for goal_id in by_id if goal_id in linked],
                choices=[goal for goal in goals if goal.id in allowed],
            )
        )
    return AssessmentPage(episode=episode, assessment=assessment, needs=rows, members=members)


def household(*, family: Family) -> QuerySet[FamilyMember]:
    """Everyone in the household, to tick who the assessment covered."""
    return FamilyMember.objects.filter(family=family).order_by("id")


def chosen_descriptor(descriptor_id: object) -> Descriptor | None:
    """A descriptor of the framework in use, from what a form sent (anything else: None)."""
    try:
        pk = int(str(descriptor_id))
    except ValueError:
        return None
    return Descriptor.objects.filter(pk=pk, framework__in_use=True).first()


def family_record(*, family: Family, record_id: int | None) -> AgencyRecord | None:
    """One of the family's agency records, chosen as a need's starting point."""
    if record_id is None:
        return None
    return AgencyRecord.objects.filter(family=family, pk=record_id).first()


def needs_summary(*, family: Family) -> dict[str, Any]:
    """For the family's record: whether an episode is open, and its needs with and
    without a goal (two queries)."""
    episode = current_episode(family=family)
    if episode is None:
        return {"episode": None, "count": 0, "uncovered": 0}
    needs = Need.objects.filter(episode=episode, removed_at__isnull=True)
    count = needs.count()
    live = [goal.id for goal in plan_selectors.goals_for_needs(family=family)]
    uncovered = needs.exclude(goals__goal_id__in=live).count() if count else 0
    return {"episode": episode, "count": count, "uncovered": uncovered}


@dataclass(frozen=True)
class NeedChoices:
    """What the form for a new need offers."""

    members: list[FamilyMember]
    descriptor_groups: list[tuple[str, list[tuple[int, str]]]]
    agencies: list[Agency]
    # (headline outcome, [(record id, words)]): the family's current records, those of
    # the chosen descriptor's kind (or outcome) first.
    record_groups: list[tuple[str, list[tuple[int, str]]]]


def _record_words(record: AgencyRecord) -> str:
    about = record.member.name if record.member is not None else _("the whole household")
    return f"{record.kind.name}, {about}: {record.value_display} ({record.starts:%d/%m/%Y})"


def need_choices(*, family: Family, descriptor: Descriptor | None = None) -> NeedChoices:
    """The household, the framework in use by headline outcome, the agencies on the
    family's team today, and the family's current agency records (four queries)."""
    labels = dict(Outcome.choices)
    groups: dict[str, list[tuple[int, str]]] = {}
    for found in Descriptor.objects.filter(framework__in_use=True).order_by(
        "outcome", "order", "id"
    ):
        groups.setdefault(found.outcome, []).append((found.pk, found.text))
    descriptor_groups = [
        (str(labels[outcome]), groups[outcome]) for outcome in labels if outcome in groups
    ]
    agencies = list(
        Agency.objects.filter(on_team_today("team_members__"), team_members__family=family)
        .distinct()
        .order_by("name")
    )
    records = list(
        AgencyRecord.objects.filter(family=family, corrected_by__isnull=True)
        .select_related("kind", "member")
        .order_by("kind__outcome", "kind__name", "-starts", "-id")
    )
    matching: list[tuple[int, str]] = []
    by_outcome: dict[str, list[tuple[int, str]]] = {}
    for record in records:
        if descriptor is not None and (
            record.kind_id == descriptor.test_kind_id or record.kind.outcome == descriptor.outcome
        ):
            matching.append((record.pk, _record_words(record)))
        else:
            by_outcome.setdefault(record.kind.outcome, []).append(
                (record.pk, _record_words(record))
            )
    record_groups = [(str(_("Records for this need")), matching)] if matching else []
    record_groups += [
        (str(labels[outcome]), by_outcome[outcome]) for outcome in labels if outcome in by_outcome
    ]
    return NeedChoices(
        members=list(FamilyMember.objects.filter(family=family).order_by("id")),
        descriptor_groups=descriptor_groups,
        agencies=agencies,
        record_groups=record_groups,
    )


def framework_in_use() -> tuple[Framework | None, list[tuple[str, list[Descriptor]]]]:
    """The framework new needs are recorded against, its descriptors by headline outcome."""
    framework = Framework.objects.filter(in_use=True).first()
    if framework is None:
        return None, []
    labels = dict(Outcome.choices)
    groups: dict[str, list[Descriptor]] = {}
    for descriptor in framework.descriptors.select_related("test_kind").order_by(
        "outcome", "order", "id"
    ):
        groups.setdefault(descriptor.outcome, []).append(descriptor)
    return framework, [(str(labels[o]), groups[o]) for o in labels if o in groups]


@dataclass
class FamilyNeed:
    """A need as an adult of the household reads it."""

    need: Need
    words: str
    goals: list[str]


def needs_for_member(*, member: FamilyMember) -> list[FamilyNeed]:
    """The needs of the family's latest episode this adult may read (``access``), in plain
    words, each with the titles of the goals meeting it that they can see."""
    episode = (
        Episode.objects.filter(family_id=member.family_id).order_by("-opened_on", "-id").first()
    )
    if episode is None:
        return []
    goals = {
        goal.id: goal.title
        for goal in plan_selectors.goals_for_needs(family=member.family)
        if goal.private_to_id in {None, member.pk}
    }
    found = []
    for need in _needs().filter(member_needs_filter(member), episode=episode):
        linked = {link.goal_id for link in need.goals.all()}
        found.append(
            FamilyNeed(
                need=need,
                words=need.descriptor.family_text,
                goals=[title for goal_id, title in goals.items() if goal_id in linked],
            )
        )
    return found


def plan_needs(family: Family, member: FamilyMember | None) -> PlanNeeds:
    """For the plan (``portal.registry.plan_needs``): the needs of the open episode each
    live goal meets and those none meets yet; for an adult of the household only what
    they may read, in plain words."""
    # One query when the family has none, as the plan page of most families.
    needs = list(
        _needs().filter(
            episode__family=family, episode__closed_on__isnull=True, removed_at__isnull=True
        )
    )
    if not needs:
        return NO_PLAN_NEEDS
    live = {goal.id for goal in plan_selectors.goals_for_needs(family=family)}
    seen = (
        set(
            Need.objects.filter(
                member_needs_filter(member), episode=needs[0].episode_id
            ).values_list("pk", flat=True)
        )
        if member is not None
        else {n.pk for n in needs}
    )
    words = need_staff_words if member is None else need_family_words
    meets: dict[int, list[str]] = {}
    uncovered: list[str] = []
    any_uncovered = False
    for need in needs:
        linked = [link.goal_id for link in need.goals.all() if link.goal_id in live]
        if not linked:
            any_uncovered = True
        if need.pk not in seen:
            continue
        if not linked:
            uncovered.append(words(need))
        for goal_id in linked:
            meets.setdefault(goal_id, []).append(words(need))
    url = (
        reverse("casework:assessment", kwargs={"family_id": family.pk})
        if member is None
        else reverse("casework:yours_needs")
    )
    return PlanNeeds(
        meets=tuple((goal_id, tuple(names)) for goal_id, names in meets.items()),
        uncovered=tuple(uncovered),
        any_uncovered=any_uncovered,
        url=url,
    )


# Closure, step-down and the six months after -------------------------------------------


def months_after(day: date, months: int) -> date:
    """The same day ``months`` calendar months later (the month's last day if shorter)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return day.replace(
        year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1])
    )


def episode_needs(*, episode: Episode) -> list[Need]:
    """The needs of an episode (not removed), each with its person and descriptor."""
    return list(
        Need.objects.select_related("member", "descriptor")
        .filter(episode=episode, removed_at__isnull=True)
        .order_by("identified_on", "id")
    )


def closed_for_family(*, episode: Episode, member: FamilyMember) -> dict[str, Any]:
    """What an adult reads about the end of their family's work: the summary, the needs
    about them, their children or the household (never another adult's, never domestic
    abuse, which may involve someone in the household), and the questions waiting."""
    needs = [
        need
        for need in Need.objects.select_related("member", "descriptor")
        .filter(episode=episode, removed_at__isnull=True, met_at_closure__isnull=False)
        .exclude(outcome=Outcome.DOMESTIC_ABUSE)
        .filter(
            Q(member__isnull=True)
            | Q(member=member)
            | Q(member__relationship=FamilyMember.Relationship.CHILD)
        )
        .order_by("identified_on", "id")
    ]
    return {
        "episode": episode,
        "met": [need for need in needs if need.met_at_closure],
        "not_met": [need for need in needs if not need.met_at_closure],
        "questions": list(FollowUp.objects.filter(episode=episode, answer="")),
    }


@dataclass(frozen=True)
class SixMonthRow:
    """One family on the six-month page: its closed work, the needs still being checked
    or broken, and what the family answered."""

    episode: Episode
    needs: list[Need]
    follow_ups: list[FollowUp]

    @property
    def family(self) -> Family:
        return self.episode.family

    @property
    def broken(self) -> list[Need]:
        return [need for need in self.needs if need.sustained == Need.Sustained.BROKEN]

    @property
    def due_on(self) -> date | None:
        """Six calendar months after closure: when the needs still checked are sustained."""
        closed = self.episode.closed_on
        return months_after(closed, 6) if closed is not None else None


def six_month_rows(*, key_worker: User | None, limit: int = 200) -> list[SixMonthRow]:
    """Families whose six-month check is under way or has found a need come back, with the
    entry that broke it, and the families' answers: a key worker's caseload, or every
    family (``key_worker`` None, for managers). Three queries, however many families."""
    needs = (
        Need.objects.select_related(
            "episode__family__lead_key_worker",
            "member",
            "descriptor__test_kind",
            "broken_by__kind",
            "broken_by__agency",
        )
        .filter(
            met_at_closure=True,
            sustained__in=[Need.Sustained.WAITING, Need.Sustained.BROKEN],
            episode__closed_on__isnull=False,
        )
        .order_by("episode__closed_on", "episode_id", "id")
    )
    if key_worker is not None:
        needs = needs.filter(family__lead_key_worker=key_worker)
    by_episode: dict[int, list[Need]] = {}
    episodes: dict[int, Episode] = {}
    for need in needs[: limit * 10]:
        if need.episode_id not in episodes and len(episodes) >= limit:
            break
        by_episode.setdefault(need.episode_id, []).append(need)
        episodes.setdefault(need.episode_id, need.episode)
    answers: dict[int, list[FollowUp]] = {}
    for follow_up in FollowUp.objects.select_related("answered_by").filter(
        episode_id__in=list(episodes)
    ):
        answers.setdefault(follow_up.episode_id, []).append(follow_up)
    return [
        SixMonthRow(episode=episodes[pk], needs=found, follow_ups=answers.get(pk, []))
        for pk, found in by_episode.items()
    ]


# Chronology --------------------------------------------------------------------------------
