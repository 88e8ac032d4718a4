"""A family's chronology test data: one or more of every kind of event, built through the
services where they exist."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from casework import services
from casework.models import Assessment, Descriptor, Episode, Need, Referral
from plans import services as plan_services
from portal.models import FamilyPractitioner
from safeguarding import services as safeguarding_services
from tests.helpers import casework as meeting_helpers
from tests.helpers import casework_records as record_helpers


def descriptor() -> Descriptor:
    return Descriptor.objects.filter(framework__in_use=True).order_by("id").first()


def referral_by(partner, family, *, days_ago: int = 120, decided_by=None) -> Referral:
    # Made as ``referral_decide`` leaves it, but dated in the past and without opening
    # an episode, so one world can hold a referral beside the journey's own episodes.
    now = timezone.now()
    practitioner = FamilyPractitioner.objects.select_related("agency").get(
        family=family, user=partner
    )
    return Referral.objects.create(
        source=Referral.Source.PARTNER,
        referred_by=partner,
        referrer_agency=practitioner.agency,
        surname="Khan",
        postcode="CV6 5AB",
        worries="Zara and Yusuf are often late and mornings are hard.",
        outcomes=["education"],
        consent=True,
        created_at=now - timedelta(days=days_ago),
        status=Referral.Status.ACCEPTED,
        family=family,
        decided_by=decided_by,
        decided_at=now - timedelta(days=days_ago - 2) if decided_by else None,
        decision_note="Kim Key will work with the family.",
    )


def agreed_plan(family, adults, key_worker, *, shared_with=None):
    """A plan with two goals, the first shared with ``shared_with`` (a team row), agreed
    by everyone, and a review the family rated."""
    parent = adults[0]
    plan = plan_services.plan_start(family=family, actor=parent)
    school_goal = plan_services.goal_create(
        plan=plan, actor=parent, title="Zara gets to school on time"
    )
    home_goal = plan_services.goal_create(plan=plan, actor=parent, title="Calmer evenings at home")
    if shared_with is not None:
        plan_services.plan_sharing_set(
            plan=plan, actor=parent, wanted={(school_goal.pk, "partner", shared_with.pk)}
        )
    for person in [*adults, key_worker]:
        plan.refresh_from_db()
        plan_services.plan_confirm(plan=plan, actor=person, revision=plan.revision)
    plan.refresh_from_db()
    review = plan_services.review_start_today(plan=plan, actor=parent)
    plan_services.review_record(
        review=review,
        actor=parent,
        ratings=[
            plan_services.RatingInput(goal=school_goal, score=6),
            plan_services.RatingInput(goal=home_goal, score=4),
        ],
    )
    return plan, school_goal, home_goal


def journey(family, key_worker, *, members, police) -> dict:
    """An episode opened, an assessment, needs (one removed, one met at closure and then
    broken by a police call-out), the case closed and re-opened within 12 months."""
    today = timezone.localdate()
    episode = services.episode_open(
        family=family, actor=key_worker, opened_on=today - timedelta(days=100)
    )
    # The assessment's and a need's removal services are written in parallel (part 2):
    # made with the models here, as they will, until the lead switches them over.
    assessment = Assessment.objects.create(
        episode=episode,
        family=family,
        assessed_on=today - timedelta(days=95),
        recorded_by=key_worker,
        summary="Mornings are the hardest time.",
    )
    assessment.members.set([members["aisha"], members["zara"]])
    call_outs = services.need_add(
        episode=episode,
        descriptor=Descriptor.objects.get(framework__in_use=True, code="police-call-outs"),
        actor=key_worker,
        identified_on=today - timedelta(days=95),
        baseline_rating=3,
    )
    removed = services.need_add(
        episode=episode,
        descriptor=descriptor(),
        actor=key_worker,
        member=members["yusuf"],
        identified_on=today - timedelta(days=95),
        baseline_rating=5,
    )
    Need.objects.filter(pk=removed.pk).update(
        removed_at=timezone.now() - timedelta(days=60), removed_reason="Recorded by mistake"
    )
    services.episode_close(
        episode=episode,
        actor=key_worker,
        closed_on=today - timedelta(days=30),
        reason=Episode.Reason.ACHIEVED,
        summary="The police have not been called to your home since the summer.",
        met={call_outs.pk: True},
    )
    call_out = record_helpers.record(
        police, family, "police-call-out", "1", starts=today - timedelta(days=5)
    )
    services.needs_sustain_check(today=today)
    reopened = services.episode_open(family=family, actor=key_worker)
    return {"episode": episode, "reopened": reopened, "need": call_outs, "call_out": call_out}


def meetings_and_appointments(family, key_worker, *, team_member) -> dict:
    invited = meeting_helpers.arrange(key_worker, family, practitioners=[team_member])
    not_invited = meeting_helpers.arrange(key_worker, family, days=8)
    appointment = meeting_helpers.book(key_worker, family, purpose="Talk about the mornings")
    return {"invited": invited, "not_invited": not_invited, "appointment": appointment}


def concern(family, key_worker, *, details="I am worried about the children at night."):
    return safeguarding_services.concern_raise(family=family, raised_by=key_worker, details=details)


def entry(family, author, title, *, days_ago=3, member=None, detail=""):
    return services.chronology_entry_add(
        family=family,
        actor=author,
        happened_on=timezone.localdate() - timedelta(days=days_ago),
        title=title,
        detail=detail,
        member=member,
    )
