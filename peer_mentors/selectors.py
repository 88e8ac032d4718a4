"""Reads of peer mentor records, with the joins each page needs."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.db.models import Count, Max, Prefetch, Q, QuerySet
from django.utils import timezone

from portal.access import AnyUser
from portal.models import Family, FamilyMember
from portal.prepared import prepared
from portal.registry import family_needs

from .matching import FamilyFacts, MentorFacts, Suggestion, rank_mentors, score_mentor
from .models import (
    ContactLog,
    Mentor,
    MentorMatch,
    ProfilePart,
    SupervisionNote,
    dbs_valid_days,
)


def supervision_due_days() -> int:
    return int(settings.PEER_MENTOR_SUPERVISION_DAYS)


def _dbs_cutoff() -> date:
    """A DBS check on or before this date has lapsed."""
    return timezone.localdate() - timedelta(days=dbs_valid_days())


def _with_load(mentors: QuerySet[Mentor]) -> QuerySet[Mentor]:
    return mentors.annotate(
        # distinct: other annotations join more rows per mentor.
        current_count=Count(
            "matches", filter=Q(matches__status=MentorMatch.Status.ACCEPTED), distinct=True
        ),
        waiting_count=Count(
            "matches", filter=Q(matches__status=MentorMatch.Status.REQUESTED), distinct=True
        ),
    )


def findable_mentors() -> QuerySet[Mentor]:
    """Active mentors with a current DBS check: the only ones families can find."""
    return _with_load(
        Mentor.objects.filter(status=Mentor.Status.ACTIVE, dbs_checked_on__gt=_dbs_cutoff())
    ).order_by("display_name", "id")


def mentor_facts(mentor: Mentor) -> MentorFacts:
    """What matching may use: only the parts of the profile the mentor chose to show."""
    shows = set(mentor.shown or [])
    current = getattr(mentor, "current_count", None)
    if current is None:
        current = mentor.matches.filter(status=MentorMatch.Status.ACCEPTED).count()
    return MentorFacts(
        mentor_id=mentor.pk,
        name=mentor.display_name,
        experiences=frozenset(mentor.experiences if ProfilePart.EXPERIENCES in shows else ()),
        languages=frozenset(mentor.languages if ProfilePart.LANGUAGES in shows else ()),
        ward=mentor.ward if ProfilePart.WARD in shows else "",
        is_dad=mentor.is_dad,
        prefers_dads=mentor.prefers_dads,
        availability=frozenset(mentor.availability if ProfilePart.AVAILABILITY in shows else ()),
        can_accompany=mentor.can_accompany and ProfilePart.ACCOMPANY in shows,
        capacity_left=mentor.capacity - current,
    )


def family_facts(
    family: Family,
    *,
    parent_is_dad: bool,
    free_when: frozenset[str] = frozenset(),
    wants_accompany: bool = False,
) -> FamilyFacts:
    return FamilyFacts(
        needs=frozenset(family_needs(family)),
        language=family.preferred_language,
        ward=family.ward,
        parent_is_dad=parent_is_dad,
        free_when=frozenset(free_when),
        wants_accompany=wants_accompany,
    )


def suggestions_for_family(
    *,
    family: Family,
    parent_is_dad: bool,
    free_when: frozenset[str] = frozenset(),
    wants_accompany: bool = False,
    to_family: bool = True,
) -> list[tuple[Mentor, Suggestion]]:
    """Findable mentors with room, best suited first, each with why."""
    mentors = {m.pk: m for m in findable_mentors().exclude(user__family_membership__family=family)}
    facts = family_facts(
        family, parent_is_dad=parent_is_dad, free_when=free_when, wants_accompany=wants_accompany
    )
    ranked = rank_mentors(facts, [mentor_facts(m) for m in mentors.values()], to_family=to_family)
    return [(mentors[s.mentor_id], s) for s in ranked]


def suggestion_for(
    *, family: Family, mentor: Mentor, parent_is_dad: bool, to_family: bool = True
) -> Suggestion:
    """Why one mentor suits a family, for their profile page and the request record."""
    facts = family_facts(family, parent_is_dad=parent_is_dad)
    return score_mentor(facts, mentor_facts(mentor), to_family=to_family)


def _match_base() -> QuerySet[MentorMatch]:
    return MentorMatch.objects.select_related("family", "mentor", "mentor__user", "requested_by")


@prepared(family_id=int)
def _family_matches(*, family_id: int) -> QuerySet[MentorMatch]:
    return _match_base().filter(family_id=family_id).order_by("-created_at", "-id")[:20]


def family_mentor_state(*, family: Family) -> dict[str, Any]:
    """The family's current mentor, any request waiting, and earlier ones (on every
    parent's dashboard, so compiled once: ``portal.prepared``)."""
    matches = _family_matches.rows(family_id=family.pk)
    current = next((m for m in matches if m.status == MentorMatch.Status.ACCEPTED), None)
    # A request the mentor did not answer in time no longer holds the family back.
    waiting = next((m for m in matches if m.is_open and not m.is_overdue), None)
    past = [m for m in matches if m is not current and m is not waiting]
    return {"current": current, "waiting": waiting, "past": past}


def has_mentor_record(user: AnyUser) -> bool:
    """Whether the person applied to be, or is, a peer mentor (loaded with the signed-in
    person, so no query)."""
    from .access import mentor_of

    return mentor_of(user) is not None


def mentor_home(*, mentor: Mentor) -> dict[str, Any]:
    """A mentor's requests, the families they support now, and earlier matches."""
    matches = list(
        MentorMatch.objects.filter(mentor=mentor, sent_at__isnull=False)
        .select_related("family", "requested_by")
        .annotate(contact_count=Count("contacts"))
        .order_by("-created_at", "-id")
    )
    notes = list(
        SupervisionNote.objects.filter(mentor=mentor, shared_with_mentor=True)
        .select_related("author")
        .order_by("-created_at")[:10]
    )
    return {
        "waiting": [m for m in matches if m.status == MentorMatch.Status.REQUESTED],
        "current": [m for m in matches if m.status == MentorMatch.Status.ACCEPTED],
        "past": [m for m in matches if m.status not in MentorMatch.OPEN and not m.is_current],
        "notes": notes,
    }


def match_contacts(*, match: MentorMatch) -> list[ContactLog]:
    return list(match.contacts.select_related("logged_by").order_by("-happened_on", "-id"))


def parent_names(*, family: Family) -> list[str]:
    """First names of the adults in a family, for the mentor who supports it."""
    return list(
        FamilyMember.objects.filter(family=family)
        .exclude(relationship=FamilyMember.Relationship.CHILD)
        .values_list("name", flat=True)
    )


def mentors_for_manager() -> QuerySet[Mentor]:
    """Every mentor with their load and last supervision."""
    return (
        _with_load(Mentor.objects.select_related("user"))
        .annotate(last_supervision=Max("supervision_notes__created_at"))
        .order_by("status", "display_name", "id")
    )


def mentor_for_manager(*, mentor: Mentor) -> dict[str, Any]:
    matches = list(
        MentorMatch.objects.filter(mentor=mentor)
        .select_related("family", "family__lead_key_worker", "requested_by", "ended_by")
        .prefetch_related(
            Prefetch("contacts", queryset=ContactLog.objects.order_by("-happened_on", "-id")),
        )
        .order_by("-created_at", "-id")
    )
    notes = list(
        SupervisionNote.objects.filter(mentor=mentor)
        .select_related("author")
        .order_by("-created_at", "-id")
    )
    return {"matches": matches, "notes": notes}


def mentors_needing_attention() -> dict[str, Any]:
    """Active mentors whose DBS has lapsed or who are due supervision."""
    due_since = timezone.now() - timedelta(days=supervision_due_days())
    mentors = list(
        Mentor.objects.filter(status__in=[Mentor.Status.ACTIVE, Mentor.Status.PAUSED])
        .annotate(last_supervision=Max("supervision_notes__created_at"))
        .filter(
            Q(dbs_checked_on__isnull=True)
            | Q(dbs_checked_on__lte=_dbs_cutoff())
            | Q(last_supervision__isnull=True)
            | Q(last_supervision__lt=due_since)
        )
        .order_by("display_name", "id")
    )
    lapsed = [m for m in mentors if not m.dbs_is_current]
    supervision = [
        m for m in mentors if m.last_supervision is None or m.last_supervision < due_since
    ]
    return {"lapsed": lapsed, "supervision": supervision}
