"""Demo data for plans: the library, a jargon list, the Khan family's started plan and
what the school's attendance officer did on the goal the Khans shared with school."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from portal.access import has_mfa
from portal.demo import acting_signed_in

from . import services
from .models import (
    Comment,
    GoalShare,
    InterventionTemplate,
    JargonTerm,
    OutcomeArea,
    Plan,
    Step,
    Suggestion,
    Who,
)

JARGON = [
    ("safeguarding", "keeping children safe"),
    ("multi-agency", "different services working together"),
    ("intervention", "help or support"),
    ("facilitate", "help"),
    ("engagement", "taking part"),
    ("universal services", "services everyone can use, like schools and GPs"),
    ("assessment", "a talk about how things are going"),
    ("outcomes", "what changes for you"),
    ("step down", "less support from us"),
    ("escalate", "pass on to someone who can do more"),
    ("signpost", "tell you about"),
    ("compliance", "sticking to the plan"),
]

# (title, summary, step, who, provider, outcome slugs)
TEMPLATES = [
    (
        "Walking bus with other parents",
        "Parents on the same route take turns to walk a group of children to school.",
        "Walk the children to school with the other parents on our route",
        Who.OTHER,
        "Parents at your school",
        ["education", "family_relationships"],
    ),
    (
        "School attendance support",
        "The school's attendance worker helps you find out what gets in the way of school.",
        "Meet the school attendance worker to talk about mornings",
        Who.PARTNER,
        "Your child's school",
        ["education"],
    ),
    (
        "Parenting group",
        "A friendly group for mums, dads and carers. Share ideas and try new things at home.",
        "Go to the parenting group for six weeks",
        Who.MEMBER,
        "Family hubs",
        ["family_relationships", "early_years"],
    ),
    (
        "Dads' group",
        "Dads and male carers meet each week for a brew, a chat and activities with the kids.",
        "Go to the dads' group on Thursday evening",
        Who.MEMBER,
        "Family hubs",
        ["family_relationships", "health"],
    ),
    (
        "Drug and alcohol service",
        "Free, private help to cut down or stop. You can refer yourself.",
        "Call the drug and alcohol service to book a first chat",
        Who.MEMBER,
        "Local recovery service",
        ["substance_use", "health"],
    ),
    (
        "Debt advice",
        "Free help to sort out bills and debts, and to check you get all the money you should.",
        "Book a debt advice appointment",
        Who.MEMBER,
        "Citizens Advice",
        ["financial_stability", "housing"],
    ),
    (
        "Stay and play",
        "Play sessions for under-fives and their grown-ups. Meet other families.",
        "Take the little one to stay and play each week",
        Who.MEMBER,
        "Family hubs",
        ["early_years"],
    ),
    (
        "Housing options",
        "Help if you are worried about losing your home or your home is not safe.",
        "Ask the housing team about our options",
        Who.PARTNER,
        "Council housing team",
        ["housing"],
    ),
    (
        "Domestic abuse support",
        "Private support from people who understand. They can help you plan to stay safe.",
        "Talk to the domestic abuse support worker",
        Who.KEY_WORKER,
        "Local domestic abuse service",
        ["domestic_abuse", "safe_from_exploitation"],
    ),
    (
        "Talking therapy",
        "Free talking therapy for worry, low mood and stress. You can refer yourself.",
        "Fill in the form to refer myself for talking therapy",
        Who.MEMBER,
        "NHS talking therapies",
        ["health"],
    ),
    (
        "Youth club and activities",
        "Things for young people to do after school and in the holidays.",
        "Find a club for our teenager to try",
        Who.MEMBER,
        "Youth service",
        ["crime", "safe_from_exploitation"],
    ),
]


def _seed_library(people) -> None:
    for term, alternative in JARGON:
        if not JargonTerm.objects.filter(term__iexact=term).exists():
            services.jargon_term_save(actor=people["manager"], term=term, alternative=alternative)
    areas = {area.slug: area for area in OutcomeArea.objects.all()}
    for title, summary, step, who, provider, slugs in TEMPLATES:
        if InterventionTemplate.objects.filter(title=title).exists():
            continue
        services.template_save(
            actor=people["manager"],
            title=title,
            summary=summary,
            step_text=step,
            who=who,
            provider=provider,
            outcome_areas=[areas[slug] for slug in slugs if slug in areas],
        )


def _seed_khan_plan(people) -> None:
    family = people["family:parent"]
    aisha, imran, kim = people["parent"], people["dad"], people["key_worker"]
    plan = Plan.objects.filter(family=family).first() or services.plan_start(
        family=family, actor=aisha
    )
    if plan.goals.exists():
        return
    plan = services.plan_about_update(
        plan=plan,
        actor=aisha,
        strengths=(
            "We love our kids and we are a close family.\n"
            "Imran's mum helps with the kids at weekends.\n"
            "Zara is doing well at reading."
        ),
        worries=(
            "The kids are often late for school and Yusuf has missed a lot of days.\n"
            "We argue about money and it upsets the kids."
        ),
        expected_version=plan.about_version,
    )
    areas = {area.slug: area for area in OutcomeArea.objects.all()}
    members = {member.name: member for member in family.members.all()}
    school = family.practitioners.select_related("user").first()
    walking = InterventionTemplate.objects.filter(title__startswith="Walking bus").first()
    school_goal = services.goal_create(
        plan=plan,
        actor=aisha,
        title="I need to get the kids to school on time",
        details=(
            "I'll walk with the other parents on our route. "
            "Sometimes the mums will take turns walking all the kids."
        ),
        how_we_know="Zara and Yusuf get to school on time every day for a month.",
        outcome_areas=[areas["education"]],
    )
    today = timezone.localdate()
    services.step_create(
        goal=school_goal,
        actor=aisha,
        text="Ask the other parents on our street about walking together",
        owner=services.StepOwner(who=Who.MEMBER, member=members.get("Aisha")),
        due_date=today + dt.timedelta(days=5),
    )
    services.step_create(
        goal=school_goal,
        actor=aisha,
        text="Take turns walking all the kids to school",
        owner=services.StepOwner(who=Who.OTHER, other_people="the mums on our route"),
        due_date=today + dt.timedelta(days=14),
        template=walking,
    )
    if school is not None:
        services.step_create(
            goal=school_goal,
            actor=aisha,
            text="Let us know if the kids are late so we can sort it the same day",
            owner=services.StepOwner(who=Who.PARTNER, practitioner=school),
        )
    home_goal = services.goal_create(
        plan=plan,
        actor=imran,
        title="We want fewer arguments at home, especially about money",
        details="I'll go to the dads' group. We'll sit down once a week and look at the bills together.",
        how_we_know="The kids say home feels calmer. We know what is coming out each week.",
        outcome_areas=[areas["family_relationships"], areas["financial_stability"]],
    )
    services.step_create(
        goal=home_goal,
        actor=imran,
        text="Go to the dads' group on Thursday",
        owner=services.StepOwner(who=Who.MEMBER, member=members.get("Imran")),
        due_date=today + dt.timedelta(days=3),
    )
    services.step_create(
        goal=home_goal,
        actor=imran,
        text="Tell our peer mentor how money night went",
        owner=services.StepOwner(who=Who.MENTOR),
    )
    # Each adult decides who else sees the goals they wrote.
    if school is not None:
        services.plan_sharing_set(
            plan=plan, actor=aisha, wanted={(school_goal.pk, "partner", school.pk)}
        )
    services.plan_sharing_set(plan=plan, actor=imran, wanted={(home_goal.pk, "mentor", None)})
    services.review_schedule(plan=plan, actor=aisha, date=today + dt.timedelta(days=21))
    # Staff act only after two-step sign-in; a fresh demo key worker has not set it up yet.
    debt = InterventionTemplate.objects.filter(title="Debt advice").first()
    if has_mfa(kim) and not plan.suggestions.filter(status=Suggestion.Status.OPEN).exists():
        services.suggestion_create(
            plan=plan,
            actor=kim,
            kind=Suggestion.Kind.STEP,
            goal=home_goal,
            text=debt.step_text if debt else "Book a debt advice appointment",
            template=debt,
        )


def _seed_aisha_private(people) -> None:
    """A goal and a worry Aisha keeps to herself and her key worker: Imran never sees them."""
    family, aisha = people["family:parent"], people["parent"]
    plan = Plan.objects.filter(family=family).first()
    if plan is None or plan.goals.filter(private_to__isnull=False).exists():
        return
    goal = services.goal_create(
        plan=plan,
        actor=aisha,
        title="I want to feel less anxious and sleep better",
        details="I'll talk to my GP about how I have been feeling.",
        how_we_know="I sleep through most nights and feel able to cope.",
        private=True,
    )
    services.step_create(
        goal=goal,
        actor=aisha,
        text="Book an appointment with my GP",
        owner=services.StepOwner(who=Who.MEMBER, member=family.members.filter(user=aisha).first()),
        due_date=timezone.localdate() + dt.timedelta(days=7),
    )
    services.private_worry_save(
        plan=plan,
        actor=aisha,
        text=(
            "I have not told Imran how much we owe on the credit card. "
            "I am scared of how he will take it."
        ),
        expected_version=1,
    )


def _seed_school_on_the_khan_plan(people) -> None:
    """Pat Doyle, the attendance officer at Foleshill Primary School, on the goal Aisha
    shared with school: one step suggested, their own step ticked off, one update."""
    family = people["family:parent"]
    plan = Plan.objects.filter(family=family).first()
    share = (
        GoalShare.objects.filter(
            goal__plan=plan,
            audience=GoalShare.Audience.PARTNER,
            practitioner__user=people["partner"],
            withdrawn_at__isnull=True,
        )
        .select_related("goal__plan__family")
        .first()
    )
    if plan is None or share is None:
        return
    goal, pat = share.goal, acting_signed_in(people["partner"])
    if Comment.objects.filter(goal=goal, author=pat, kind=Comment.Kind.UPDATE).exists():
        return
    own = Step.objects.filter(goal=goal, who=Who.PARTNER, practitioner=share.practitioner).first()
    if own is not None and own.done_at is None:
        services.step_done_set(step=own, actor=pat, done=True)
    services.suggestion_create(
        plan=plan,
        actor=pat,
        kind=Suggestion.Kind.STEP,
        goal=goal,
        text="Bring Yusuf to the breakfast club at 8:15 so he starts the day calm",
    )
    services.comment_add(
        plan=plan,
        actor=pat,
        goal=goal,
        kind=Comment.Kind.UPDATE,
        text="Zara was on time four days out of five this week. Well done!",
    )


# Ideas from the agencies on the Khans' team: (whose, title, summary, step, who, areas,
# directory services by name, and what a manager decided: None to leave it proposed).
AGENCY_IDEAS = [
    (
        "partner",
        "School attendance clinic",
        "A short meeting at school with the attendance officer to plan how the children "
        "get in on time.",
        "Go to the attendance clinic with the school",
        Who.PARTNER,
        ["education"],
        [],
        None,
    ),
    (
        "health_visitor",
        "Baby weigh-in at the library",
        "A drop-in to weigh your baby and ask the health visitor anything.",
        "Take the baby to the weigh-in on Tuesday",
        Who.MEMBER,
        ["health"],
        ["Little Movers Baby Massage"],
        "The library clinic has moved to the family hub: use the baby massage group instead.",
    ),
]
# The service's own ideas and the directory services that deliver them.
IDEA_SERVICES = {
    "Debt advice": ["Money Advice Drop-in"],
    "Dads' group": ["Foleshill Dads Matter"],
}


def seed_library_links(people: dict) -> None:
    """After the directory is seeded: the agencies' ideas and the services that deliver
    ideas. Safe to run twice."""
    from content import selectors as directory

    by_name = {service.name: service.pk for service in directory.service_list()}
    areas = {area.slug: area for area in OutcomeArea.objects.all()}
    manager = people["manager"]
    for whose, title, summary, step, who, slugs, names, retired in AGENCY_IDEAS:
        if InterventionTemplate.objects.filter(title=title).exists():
            continue
        idea = services.template_save(
            actor=people[whose],
            title=title,
            summary=summary,
            step_text=step,
            who=who,
            outcome_areas=[areas[slug] for slug in slugs if slug in areas],
            service_ids=[by_name[name] for name in names if name in by_name],
        )
        if retired:
            services.template_review(
                template=idea, actor=manager, decision="retire", reason=retired
            )
    for title, names in IDEA_SERVICES.items():
        own = InterventionTemplate.objects.filter(title=title, service_ids=[]).first()
        wanted = [by_name[name] for name in names if name in by_name]
        if own is not None and wanted:
            services.template_save(
                actor=manager,
                template=own,
                title=own.title,
                summary=own.summary,
                step_text=own.step_text,
                who=own.who,
                provider=own.provider,
                outcome_areas=list(own.outcome_areas.all()),
                service_ids=wanted,
            )


def seed(people: dict) -> None:
    """Safe to run twice: everything is looked up before it is made."""
    _seed_library(people)
    _seed_khan_plan(people)
    _seed_aisha_private(people)
    _seed_school_on_the_khan_plan(people)
