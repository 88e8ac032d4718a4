"""Referral test data, built through the services as the portal builds it."""

from __future__ import annotations

from datetime import date

from casework import services
from casework.models import Episode, Outcome, Referral
from portal.models import FamilyMember


def people(*rows: tuple[str, str, date | None]) -> list[services.PersonInput]:
    return [
        services.PersonInput(name=name, relationship=relationship, date_of_birth=born)
        for name, relationship, born in rows
    ]


KHANS = (
    ("Aisha", FamilyMember.Relationship.MUM, None),
    ("Zara", FamilyMember.Relationship.CHILD, date(2016, 5, 4)),
)


def refer(
    referrer,
    *,
    agency=None,
    surname="Khan",
    postcode="cv6 5ab",
    who=KHANS,
    consent=True,
    no_consent_reason="",
    outcomes=(Outcome.EDUCATION,),
) -> Referral:
    return services.referral_make(
        actor=referrer,
        agency=agency,
        surname=surname,
        postcode=postcode,
        people=people(*who),
        worries="Zara is missing Mondays and arrives upset.",
        outcomes=list(outcomes),
        consent=consent,
        no_consent_reason=no_consent_reason,
    )


def ask(*, email="", by_email=False, by_text=True, surname="Ellis", postcode="CV2 1BD") -> Referral:
    return services.referral_ask_for_help(
        contact=services.ContactInput(
            name="Sarah",
            email=email,
            phone="07700 900456",
            by_email=by_email,
            by_text=by_text,
            when_safe="Afternoons",
        ),
        surname=surname,
        postcode=postcode,
        people=people(("Sarah", FamilyMember.Relationship.MUM, None)),
        worries="Money since my partner left.",
        outcomes=[],
    )


def closed_episode(family, *, closed_on: date, by) -> Episode:
    """Work with the family (``by`` its key worker) that ended on ``closed_on``."""
    from casework.services import closure, journey

    episode = journey.episode_open(
        family=family, actor=by, opened_on=closed_on.replace(year=closed_on.year - 1)
    )
    return closure.episode_close(
        episode=episode,
        actor=by,
        closed_on=closed_on,
        reason=Episode.Reason.ACHIEVED,
        summary="You got the children to school on time.",
        met={},
    )
