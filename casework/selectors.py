"""Reads of agency records, each with the joins it needs so query counts stay flat.

Reads of team meetings and appointments, with the joins each page needs.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import Count, Max, Min, Prefetch, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from peer_mentors import selectors as mentor_selectors
from plans import selectors as plan_selectors
from portal import access as core
from portal import registry
from portal.models import (
    Agency,
    Family,
    FamilyMember,
    FamilyPractitioner,
    FamilyStatusChange,
    LeadKeyWorker,
    StaffProfile,
    User,
    on_team_today,
)
from portal.prepared import prepared
from portal.registry import (
    NO_PLAN_NEEDS,
    ChronologyEvent,
    ChronologyKind,
    ChronologyViewer,
    PlanNeeds,
)
from portal.services import postcode_normalise

from .access import ChronologyAccess, RecordsAccess, goals_may_meet, member_needs_filter
from .models import (
    AgencyRecord,
    Appointment,
    Assessment,
    ChronologyEntry,
    Descriptor,
    Episode,
    FollowUp,
    Framework,
    Meeting,
    MeetingAction,
    MeetingInvite,
    Need,
    Outcome,
    RecordImport,
    RecordKind,
    Referral,
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


def _referral_dates_of_birth(referral: Referral) -> set[date]:
    found = set()
    for person in referral.people:
        try:
            found.add(date.fromisoformat(person.get("date_of_birth") or ""))
        except ValueError:
            continue
    return found


def possible_duplicates(referral: Referral) -> list[Family]:
    """Families the referral may be about: the same postcode, and either the same surname
    (in any case) or a child born on the day of someone in the referral. Each comes with
    its lead key worker, the first names of its household (``household``), when its work
    last closed (``last_closed_on``) and whether work is open now (``open_since``)."""
    postcode = postcode_normalise(referral.postcode)
    if not postcode:
        return []
    same = Q(surname__iexact=referral.surname.strip()) if referral.surname.strip() else Q(pk=None)
    dates = _referral_dates_of_birth(referral)
    if dates:
        same |= Q(
            pk__in=FamilyMember.objects.filter(
                relationship=FamilyMember.Relationship.CHILD, date_of_birth__in=dates
            ).values("family_id")
        )
    matching = Family.objects.filter(same, postcode=postcode).values("pk")
    return list(
        Family.objects.filter(pk__in=matching)
        .select_related("lead_key_worker")
        .annotate(
            last_closed_on=Max("episodes__closed_on"),
            open_since=Min("episodes__opened_on", filter=Q(episodes__closed_on__isnull=True)),
        )
        .prefetch_related(
            Prefetch(
                "members",
                queryset=FamilyMember.objects.order_by("id"),
                to_attr="household",
            )
        )
        .order_by("display_name", "id")
    )


def rereferral_closed_on(family: Family) -> date | None:
    """For a family from ``possible_duplicates``: the day its work last closed, if
    accepting a referral for it today counts as a re-referral (inside 12 months of that
    closure, with no work open now); None otherwise."""
    from .services.journey import REREFERRAL_WINDOW

    last: date | None = getattr(family, "last_closed_on", None)
    if last is None or getattr(family, "open_since", None) is not None:
        return None
    return last if timezone.localdate() - last <= REREFERRAL_WINDOW else None


def referral_queue(*, decided_limit: int = 50) -> dict[str, list[Referral]]:
    """Waiting referrals, oldest first (the longest wait at the top), then the latest
    decided ones."""
    base = Referral.objects.select_related("referred_by", "referrer_agency", "decided_by")
    return {
        "waiting": list(base.filter(status=Referral.Status.NEW).order_by("created_at", "id")),
        "decided": list(
            base.exclude(status=Referral.Status.NEW).order_by("-decided_at", "-id")[:decided_limit]
        ),
    }


def referrals_waiting_count() -> int:
    return Referral.objects.filter(status=Referral.Status.NEW).count()


def referrals_made(*, user: User) -> list[Referral]:
    """What one practitioner referred, newest first (only what they wrote and the outcome)."""
    return list(
        Referral.objects.filter(referred_by=user)
        .select_related("referrer_agency")
        .order_by("-created_at", "-id")
    )


def referrals_for_family(*, family: Family) -> list[Referral]:
    """The referrals joined to a family, newest first, for the staff who manage it."""
    return list(
        Referral.objects.filter(family=family)
        .select_related("referred_by", "referrer_agency")
        .order_by("-created_at", "-id")
    )


def key_workers_to_allocate() -> list[User]:
    """Active key workers, to lead a family accepted from a referral."""
    return list(
        User.objects.filter(staff_profile__role=StaffProfile.Role.KEY_WORKER, is_active=True)
        .select_related("staff_profile")
        .order_by("first_name", "last_name", "id")
    )


def directory_services() -> list[tuple[int, str]]:
    """(id, name) of each published service in the directory, to signpost to."""
    from content import selectors as directory

    return [(service.pk, service.name) for service in directory.service_list()]


# Assessment and needs --------------------------------------------------------------------


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


# The kinds of event casework gives (plans and safeguarding register theirs).
CHRONOLOGY_KINDS = (
    ChronologyKind("referral", gettext_lazy("Referrals"), 10, shared_with_partners=True),
    ChronologyKind("episode", gettext_lazy("Work opened and closed"), 20),
    ChronologyKind("status", gettext_lazy("Status changes"), 30),
    ChronologyKind("lead", gettext_lazy("Lead key worker"), 40),
    ChronologyKind("assessment", gettext_lazy("Assessment"), 50),
    ChronologyKind("need", gettext_lazy("Needs"), 60),
    ChronologyKind("record", gettext_lazy("Agency records"), 80, shared_with_partners=True),
    ChronologyKind("meeting", gettext_lazy("Team meetings"), 90, shared_with_partners=True),
    ChronologyKind("appointment", gettext_lazy("Appointments"), 95),
    ChronologyKind("entry", gettext_lazy("Added by hand"), 110, shared_with_partners=True),
)


def _local(moment: datetime) -> date:
    return timezone.localdate(moment)


def _done_by(user: User | None, agency: Any = None) -> str:
    name = user.display_name if user is not None else ""
    agency_name = getattr(agency, "name", "") or ""
    return ", ".join(part for part in (name, agency_name) if part)


def _member_fields(members: Iterable[FamilyMember | None]) -> dict[str, Any]:
    found = [m for m in members if m is not None]
    return {"member_ids": tuple(m.pk for m in found), "members": tuple(m.name for m in found)}


def _referral_events(family: Family, viewer: ChronologyViewer) -> Iterable[ChronologyEvent]:
    referrals = Referral.objects.select_related("referred_by", "referrer_agency", "decided_by")
    referrals = referrals.filter(family=family)
    if not viewer.sees_all:
        referrals = referrals.filter(referred_by=viewer.user)
    # The referral's page is the managers' and the lead key worker's (access.referral_for_user).
    linked = viewer.sees_all and (
        core.is_manager(viewer.user) or family.lead_key_worker_id == viewer.user.pk
    )
    for referral in referrals:
        url = referral.get_absolute_url() if linked else ""
        if referral.source == Referral.Source.FAMILY:
            by = _("The family asked for help")
        else:
            by = _done_by(referral.referred_by, referral.referrer_agency)
        yield ChronologyEvent(
            on=_local(referral.created_at),
            at=referral.created_at,
            kind="referral",
            title=_("Referral received (a re-referral)")
            if referral.is_rereferral
            else _("Referral received"),
            detail=referral.worries if viewer.sees_all else "",
            by=by,
            url=url,
        )
        if referral.decided_at is not None:
            outcome = referral.get_status_display()
            if referral.status == Referral.Status.SIGNPOSTED and referral.signposted_service_name:
                outcome = _("Signposted to %(service)s") % {
                    "service": referral.signposted_service_name
                }
            yield ChronologyEvent(
                on=_local(referral.decided_at),
                at=referral.decided_at,
                kind="referral",
                title=_("Referral decided: %(outcome)s") % {"outcome": outcome},
                detail=referral.decision_note,
                by=_done_by(referral.decided_by),
                url=url,
            )


def _episode_events(family: Family) -> Iterable[ChronologyEvent]:
    for episode in Episode.objects.select_related("closed_by").filter(family=family):
        yield ChronologyEvent(
            on=episode.opened_on,
            kind="episode",
            title=_("Work with the family began again: a re-referral within 12 months")
            if episode.is_rereferral
            else _("Work with the family began"),
        )
        if episode.closed_on is not None:
            detail = episode.closing_summary
            if episode.social_care_referral:
                detail = "\n".join(p for p in (episode.social_care_referral, detail) if p)
            yield ChronologyEvent(
                on=episode.closed_on,
                kind="episode",
                title=_("Case closed: %(reason)s")
                % {"reason": episode.get_closure_reason_display() or _("no reason given")},
                detail=detail,
                by=_done_by(episode.closed_by),
            )


def _status_events(family: Family) -> Iterable[ChronologyEvent]:
    labels = {value: str(label) for value, label in Family.Status.choices}
    for change in FamilyStatusChange.objects.select_related("changed_by").filter(family=family):
        after = labels.get(change.after, change.after)
        if change.before:
            title = _("Status changed from %(before)s to %(after)s") % {
                "before": labels.get(change.before, change.before),
                "after": after,
            }
        else:
            title = _("Status set to %(after)s") % {"after": after}
        yield ChronologyEvent(
            on=_local(change.changed_at),
            at=change.changed_at,
            kind="status",
            title=title,
            detail=change.reason,
            by=_done_by(change.changed_by),
        )


def _lead_events(family: Family) -> Iterable[ChronologyEvent]:
    spells = LeadKeyWorker.objects.select_related("key_worker", "handed_over_by")
    for spell in spells.filter(family=family):
        yield ChronologyEvent(
            on=_local(spell.started_at),
            at=spell.started_at,
            kind="lead",
            title=_("%(name)s became the lead key worker")
            % {"name": spell.key_worker.display_name},
            by=_done_by(spell.handed_over_by),
        )


def _assessment_events(family: Family) -> Iterable[ChronologyEvent]:
    assessments = Assessment.objects.select_related("recorded_by").prefetch_related("members")
    for assessment in assessments.filter(family=family):
        yield ChronologyEvent(
            on=assessment.assessed_on,
            kind="assessment",
            title=_("Whole-family assessment"),
            detail=assessment.summary,
            by=_done_by(assessment.recorded_by),
            **_member_fields(assessment.members.all()),
        )


def _need_events(family: Family) -> Iterable[ChronologyEvent]:
    needs = Need.objects.select_related(
        "descriptor", "member", "raised_by", "recorded_by", "episode", "broken_by__kind"
    ).filter(family=family)
    for need in needs:
        about = _member_fields([need.member])
        what = need.descriptor.text
        yield ChronologyEvent(
            on=need.identified_on,
            kind="need",
            title=_("Need identified: %(need)s") % {"need": what},
            detail=need.get_outcome_display(),
            by=_done_by(need.recorded_by, need.raised_by),
            **about,
        )
        if need.removed_at is not None:
            yield ChronologyEvent(
                on=_local(need.removed_at),
                at=need.removed_at,
                kind="need",
                title=_("Need removed: %(need)s") % {"need": what},
                detail=need.removed_reason,
                **about,
            )
        if need.met_at_closure is not None and need.episode.closed_on is not None:
            yield ChronologyEvent(
                on=need.episode.closed_on,
                kind="need",
                title=(
                    _("Need met at closure: %(need)s")
                    if need.met_at_closure
                    else _("Need not met at closure: %(need)s")
                )
                % {"need": what},
                **about,
            )
        if need.sustained == Need.Sustained.SUSTAINED and need.sustained_on is not None:
            yield ChronologyEvent(
                on=need.sustained_on,
                kind="need",
                title=_("Need sustained for six months: %(need)s") % {"need": what},
                **about,
            )
        if need.sustained == Need.Sustained.BROKEN:
            broken = need.broken_by
            detail = ""
            if broken is not None:
                detail = _("Not sustained: %(kind)s %(value)s on %(day)s") % {
                    "kind": broken.kind.name,
                    "value": broken.value_display,
                    "day": f"{broken.starts:%d/%m/%Y}",
                }
            yield ChronologyEvent(
                on=need.sustained_on or (broken.starts if broken else need.identified_on),
                kind="need",
                title=_("Need came back: %(need)s") % {"need": what},
                detail=detail,
                **about,
            )


def _record_events(chronology: ChronologyAccess) -> Iterable[ChronologyEvent]:
    records = chronology.records_access.visible(
        AgencyRecord.objects.select_related("kind", "agency", "member", "recorded_by", "corrects")
    )
    url = reverse("casework:family_records", kwargs={"family_id": chronology.family.pk})
    for record in records:
        value = record.value_display
        if record.corrects is not None:
            title = _("%(kind)s corrected: %(value)s (was %(old)s)") % {
                "kind": record.kind.name,
                "value": value,
                "old": record.corrects.value_display,
            }
            detail = record.correction_reason
        else:
            title = f"{record.kind.name}: {value}"
            detail = record.note
        if record.ends:
            detail = " ".join(
                p for p in (_("To %(day)s.") % {"day": f"{record.ends:%d/%m/%Y}"}, detail) if p
            )
        yield ChronologyEvent(
            on=record.starts,
            at=record.recorded_at,
            kind="record",
            title=title,
            detail=detail,
            by=_done_by(record.recorded_by, record.agency),
            url=f"{url}#record-{record.pk}",
            **_member_fields([record.member]),
        )


def _meeting_events(family: Family, viewer: ChronologyViewer) -> Iterable[ChronologyEvent]:
    meetings = Meeting.objects.select_related("arranged_by").filter(family=family)
    if not viewer.sees_all:
        meetings = meetings.filter(invites__practitioner_id__in=viewer.team_ids).distinct()
    invites = MeetingInvite.objects.select_related("member").filter(kind=MeetingInvite.Kind.FAMILY)
    meetings = meetings.prefetch_related(Prefetch("invites", queryset=invites))
    titles: dict[str, str] = {
        Meeting.Status.HELD: _("Team meeting held"),
        Meeting.Status.CANCELLED: _("Team meeting cancelled"),
    }
    for meeting in meetings:
        detail = meeting.cancel_reason if meeting.status == Meeting.Status.CANCELLED else ""
        if meeting.status == Meeting.Status.HELD and meeting.notes_agreed:
            detail = meeting.family_notes
        yield ChronologyEvent(
            on=_local(meeting.starts_at),
            at=meeting.starts_at,
            kind="meeting",
            title=titles.get(meeting.status, _("Team meeting arranged")),
            detail=detail,
            by=_done_by(meeting.arranged_by),
            url=meeting.get_absolute_url(),
            **_member_fields(invite.member for invite in meeting.invites.all()),
        )


def _appointment_events(family: Family) -> Iterable[ChronologyEvent]:
    appointments = (
        Appointment.objects.select_related("booked_by")
        .prefetch_related("coming")
        .filter(family=family)
    )
    for appointment in appointments:
        if appointment.status == Appointment.Status.HELD:
            title = _("Appointment held: %(purpose)s")
        elif appointment.status == Appointment.Status.CANCELLED:
            title = _("Appointment cancelled: %(purpose)s")
        else:
            title = _("Appointment booked: %(purpose)s")
        yield ChronologyEvent(
            on=_local(appointment.starts_at),
            at=appointment.starts_at,
            kind="appointment",
            title=title % {"purpose": appointment.purpose},
            detail=appointment.cancel_reason or appointment.where,
            by=_done_by(appointment.booked_by),
            url=appointment.get_absolute_url(),
            **_member_fields(appointment.coming.all()),
        )


def _entry_events(family: Family, viewer: ChronologyViewer) -> Iterable[ChronologyEvent]:
    entries = ChronologyEntry.objects.select_related("member", "written_by", "agency")
    entries = entries.filter(family=family)
    if not viewer.sees_all:
        entries = entries.filter(agency_id=viewer.agency_id) if viewer.agency_id else entries.none()
    for entry in entries:
        yield ChronologyEvent(
            on=entry.happened_on,
            at=entry.created_at,
            kind="entry",
            title=entry.title,
            detail=entry.detail,
            by=_done_by(entry.written_by, entry.agency),
            **_member_fields([entry.member]),
        )


def chronology_events(family: Family, viewer: ChronologyViewer) -> list[ChronologyEvent]:
    """Casework's events for the chronology (its registered provider): everything for the
    lead key worker and staff with a reason; for a partner, the referral they made, the
    agency records they may see, the meetings they were invited to and their agency's own
    entries. The same number of queries however many events there are."""
    from .access import records_access

    found = core.FamilyAccess(
        family=family,
        relation=core.Relation.LEAD_KEY_WORKER if viewer.sees_all else core.Relation.PARTNER,
    )
    chronology = ChronologyAccess(
        family=family,
        family_access=found,
        records_access=records_access(viewer.user, family, family_access=found),
        viewer=viewer,
    )
    events: list[ChronologyEvent] = [
        *_referral_events(family, viewer),
        *_record_events(chronology),
        *_meeting_events(family, viewer),
        *_entry_events(family, viewer),
    ]
    if viewer.sees_all:
        events += [
            *_episode_events(family),
            *_status_events(family),
            *_lead_events(family),
            *_assessment_events(family),
            *_need_events(family),
            *_appointment_events(family),
        ]
    return events


def chronology_members(*, family: Family) -> list[FamilyMember]:
    """Everyone who is or was in the household, for the filter."""
    return list(FamilyMember.everyone.filter(family=family).order_by("id"))


def chronology_kinds(*, viewer: ChronologyViewer) -> list[ChronologyKind]:
    """The kinds of event this person may see, for the filter."""
    return [
        kind for kind in registry.chronology_kinds() if viewer.sees_all or kind.shared_with_partners
    ]


def chronology(
    *,
    chronology_access: ChronologyAccess,
    member_ids: Iterable[int] = (),
    kinds: Iterable[str] = (),
) -> list[ChronologyEvent]:
    """The family's chronology as this person may see it, newest first, about any of
    ``member_ids`` and of any of ``kinds`` when given."""
    wanted_members, wanted_kinds = set(member_ids), set(kinds)
    allowed = {kind.slug for kind in chronology_kinds(viewer=chronology_access.viewer)}
    return [
        event
        for event in registry.chronology_events(chronology_access.family, chronology_access.viewer)
        if event.kind in allowed
        and (not wanted_kinds or event.kind in wanted_kinds)
        and (not wanted_members or wanted_members & set(event.member_ids))
    ]
