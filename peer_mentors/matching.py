"""Which mentors suit a family, and why, in plain words.

:func:`rank_mentors` is a pure function over plain values, so it can be checked by hand:
no database, no request. The selectors turn families and mentors into these values.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from .models import Availability, Experience

# Which of the national outcome areas each lived experience speaks to.
EXPERIENCE_OUTCOMES: dict[str, frozenset[str]] = {
    Experience.SCHOOL_ATTENDANCE: frozenset({"education"}),
    Experience.RECOVERY: frozenset({"substance_use"}),
    Experience.BEING_A_DAD: frozenset({"family_relationships"}),
    Experience.DOMESTIC_ABUSE: frozenset({"domestic_abuse"}),
    Experience.DEBT: frozenset({"financial_stability"}),
    Experience.HOUSING: frozenset({"housing"}),
    Experience.ADDITIONAL_NEEDS: frozenset({"health", "early_years"}),
    Experience.MENTAL_HEALTH: frozenset({"health"}),
    Experience.YOUNG_PARENT: frozenset({"early_years"}),
    Experience.SEPARATION: frozenset({"family_relationships"}),
    Experience.EXPLOITATION: frozenset({"safe_from_exploitation"}),
    Experience.POLICE: frozenset({"crime"}),
}


def _experience_phrase(experience: str) -> str:
    """How the experience reads in "Jo has been through ... too"."""
    phrases: dict[str, str] = {
        Experience.SCHOOL_ATTENDANCE: _("school attendance worries"),
        Experience.RECOVERY: _("recovery from drugs or alcohol"),
        Experience.BEING_A_DAD: _("the ups and downs of being a dad"),
        Experience.DOMESTIC_ABUSE: _("domestic abuse"),
        Experience.DEBT: _("money worries and debt"),
        Experience.HOUSING: _("housing problems"),
        Experience.ADDITIONAL_NEEDS: _("caring for a child with additional needs"),
        Experience.MENTAL_HEALTH: _("mental health struggles"),
        Experience.YOUNG_PARENT: _("being a young parent"),
        Experience.SEPARATION: _("separation and sharing the care of children"),
        Experience.EXPLOITATION: _("a child being exploited or groomed"),
        Experience.POLICE: _("a child in trouble with the police"),
    }
    return str(phrases.get(experience, experience))


# Points for each factor. Shared experience counts most: it is why peer mentoring works.
SHARED_EXPERIENCE = 30
SAME_LANGUAGE = 20
DAD_FOR_DAD = 20
SAME_WARD = 15
FREE_AT_THE_RIGHT_TIME = 10
CAN_ACCOMPANY = 10
PREFERS_DADS_BUT_NOT_A_DAD = -15
PER_FREE_PLACE = 2
MAX_FREE_PLACES_COUNTED = 3

# A family that speaks English needs nothing special, so it is not a reason to pick anyone.
_UNREMARKABLE_LANGUAGES = {"", "english"}


@dataclass(frozen=True)
class FamilyFacts:
    needs: frozenset[str] = frozenset()
    language: str = ""
    ward: str = ""
    parent_is_dad: bool = False
    free_when: frozenset[str] = frozenset()
    wants_accompany: bool = False


@dataclass(frozen=True)
class MentorFacts:
    mentor_id: int
    name: str
    experiences: frozenset[str] = frozenset()
    languages: frozenset[str] = frozenset()
    ward: str = ""
    is_dad: bool = False
    prefers_dads: bool = False
    availability: frozenset[str] = frozenset()
    can_accompany: bool = False
    capacity_left: int = 1


@dataclass(frozen=True)
class Suggestion:
    mentor_id: int
    name: str
    score: int
    reasons: tuple[str, ...] = field(default_factory=tuple)


def _same(a: str, b: str) -> bool:
    return bool(a.strip()) and a.strip().casefold() == b.strip().casefold()


def score_mentor(family: FamilyFacts, mentor: MentorFacts, *, to_family: bool = True) -> Suggestion:
    """Score one mentor for one family; ``to_family`` words the reasons for the parent."""
    score = 0
    reasons: list[str] = []
    name = mentor.name

    for experience in sorted(mentor.experiences):
        if EXPERIENCE_OUTCOMES.get(experience, frozenset()) & family.needs:
            score += SHARED_EXPERIENCE
            reasons.append(
                _("%(name)s has been through %(experience)s too")
                % {"name": name, "experience": _experience_phrase(experience)}
            )

    language = family.language.strip()
    if language.casefold() not in _UNREMARKABLE_LANGUAGES and any(
        _same(language, spoken) for spoken in mentor.languages
    ):
        score += SAME_LANGUAGE
        reasons.append(_("%(name)s speaks %(language)s") % {"name": name, "language": language})

    if family.parent_is_dad and mentor.is_dad:
        score += DAD_FOR_DAD
        reasons.append(
            _("%(name)s is a dad too") % {"name": name}
            if to_family
            else _("%(name)s is a dad, like the parent") % {"name": name}
        )
    elif mentor.prefers_dads and not family.parent_is_dad:
        score += PREFERS_DADS_BUT_NOT_A_DAD

    if _same(family.ward, mentor.ward):
        score += SAME_WARD
        reasons.append(
            _("Lives in %(ward)s, like you") % {"ward": mentor.ward}
            if to_family
            else _("Lives in %(ward)s, like the family") % {"ward": mentor.ward}
        )

    shared_times = [value for value in Availability.values if value in family.free_when]
    shared_times = [value for value in shared_times if value in mentor.availability]
    if shared_times:
        score += FREE_AT_THE_RIGHT_TIME
        labels = dict(Availability.choices)
        times = ", ".join(str(labels[value]).lower() for value in shared_times)
        reasons.append(
            _("Free at times that suit you: %(times)s") % {"times": times}
            if to_family
            else _("Free at times that suit the family: %(times)s") % {"times": times}
        )

    if family.wants_accompany and mentor.can_accompany:
        score += CAN_ACCOMPANY
        reasons.append(
            _("Can go with you to appointments")
            if to_family
            else _("Can go with the parent to appointments")
        )

    score += PER_FREE_PLACE * min(max(mentor.capacity_left, 0), MAX_FREE_PLACES_COUNTED)
    if not reasons:
        reasons.append(_("%(name)s has room to support a new family now") % {"name": name})
    return Suggestion(
        mentor_id=mentor.mentor_id, name=name, score=score, reasons=tuple(str(r) for r in reasons)
    )


def rank_mentors(
    family: FamilyFacts, mentors: Iterable[MentorFacts], *, to_family: bool = True
) -> list[Suggestion]:
    """Mentors with room for another family, best suited first, each with its reasons."""
    suggestions = [
        score_mentor(family, mentor, to_family=to_family)
        for mentor in mentors
        if mentor.capacity_left > 0
    ]
    return sorted(suggestions, key=lambda s: (-s.score, s.name.casefold(), s.mentor_id))
