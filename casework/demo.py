"""Demo data: the Khans' team records what outcomes are measured from.

Foleshill Primary School: four terms of Zara's and Yusuf's attendance (this term's from a
CSV import, one earlier figure corrected). West Midlands Police: a year of call-outs,
anti-social behaviour reports and domestic abuse incidents, and one sensitive flag.
Whitefriars Housing: rent arrears coming down and the tenancy settled. Coventry Health
Visiting: Yusuf's visits. Safe to run more than once.

Demo meetings and appointments for the Khans: a team meeting held ten days ago whose
actions went on the plan and whose notes the family agreed, one to come, an appointment
to come and one where the key worker wrote down who came.

The Khans have no peer mentor in the demo (finding Jo is the peer mentors' demo journey),
so no appointment asks for one yet: once Aisha is matched, she can ask from the
appointment's page.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.utils import timezone

from plans import selectors as plan_selectors
from portal import access as core
from portal import services as portal_services
from portal.demo import DEMO_PASSWORD, acting_signed_in
from portal.models import Agency, Family, FamilyMember, FamilyPractitioner, User

from . import access, selectors, services
from .models import (
    AgencyRecord,
    Appointment,
    Assessment,
    Descriptor,
    Episode,
    Meeting,
    Outcome,
    RecordKind,
    Referral,
)
from .services import closure, journey, referrals
from .services.journey import episode_open, need_add, open_episode
from .services.needs import assessment_save, need_goals_set

TERMS = [
    ("autumn 2025", date(2025, 9, 3), date(2025, 12, 19)),
    ("spring 2026", date(2026, 1, 5), date(2026, 3, 27)),
    ("summer 2026", date(2026, 4, 13), date(2026, 7, 22)),
]
THIS_TERM = ("autumn 2026", date(2026, 9, 3), date(2026, 12, 18))
ATTENDANCE = {"Zara": ["82.1", "86.4", "89", "93.5"], "Yusuf": ["78", "48.2", "88.7", "91"]}


def _access(user: User, family) -> access.RecordsAccess:
    # The demo writes as each practitioner would from the family's page, without a session.
    found = core.FamilyAccess(family=family, relation=core.Relation.PARTNER)
    return access.records_access(user, family, family_access=found)


def seed_records_demo(people: dict) -> None:
    family = people["family:parent"]
    if AgencyRecord.objects.filter(family=family).exists():
        return
    if not RecordKind.objects.filter(code="school-attendance").exists():
        return  # the standard kinds come with the migration
    kinds = {kind.code: kind for kind in RecordKind.objects.all()}
    members = {m.name: m for m in FamilyMember.objects.filter(family=family)}
    today = timezone.localdate()
    school, police = people["partner"], people["police_officer"]
    housing, health = people["housing_officer"], people["health_visitor"]

    def add(user, code, value, starts, *, ends=None, member=None, note=""):
        if starts > today:
            return None
        return services.agency_record_add(
            records_access=_access(user, family),
            kind=kinds[code],
            member=members.get(member) if member else None,
            value=value,
            starts=starts,
            ends=ends,
            note=note,
            recorder=user,
        )

    # School: the last three terms one by one, this term from the register's export.
    for index, (_name, starts, ends) in enumerate(TERMS):
        for child, figures in ATTENDANCE.items():
            entry = add(
                school, "school-attendance", figures[index], starts, ends=ends, member=child
            )
            if entry is not None and figures[index] == "48.2":
                services.agency_record_correct(
                    records_access=_access(school, family),
                    record=entry,
                    member=entry.member,
                    value="84.2",
                    starts=starts,
                    ends=ends,
                    reason="Typed the figure's digits the wrong way round.",
                    recorder=school,
                )
    add(school, "suspensions", "1", TERMS[1][1], ends=TERMS[1][2], member="Zara")
    _, starts, ends = THIS_TERM
    if starts <= today:
        agency = Agency.objects.filter(
            team_members__user=school, team_members__family=family
        ).first()
        rows = "".join(
            f"{family.reference},{child},,{figures[3]},,,\n"
            for child, figures in ATTENDANCE.items()
        )
        content = ("family_reference,name,date_of_birth,value,from,to,note\n" + rows).encode()
        check = services.record_import_check(
            importer=school,
            agency=agency,  # type: ignore[arg-type]  # on the team above
            kind=kinds["school-attendance"],
            starts=starts,
            ends=ends,
            file_name="foleshill-attendance-autumn-2026.csv",
            content=content,
        )
        if check.is_valid:
            services.record_import_confirm(
                record_import=check.record_import, importer=school, content=content
            )

    # Police: a year of incidents, fewer as the months go on.
    for months_ago, day in (
        (12, 3),
        (11, 3),
        (10, 14),
        (10, 27),
        (9, 9),
        (8, 21),
        (7, 5),
        (5, 18),
        (2, 11),
    ):
        add(police, "police-call-out", "1", today - timedelta(days=30 * months_ago + day % 7))
    for months_ago in (11, 9, 6):
        add(
            police,
            "asb-report",
            "1",
            today - timedelta(days=30 * months_ago + 2),
            member="Imran",
            note="Noise and shouting in the street, reported by a neighbour.",
        )
    for months_ago in (10, 8):
        add(
            police,
            "domestic-abuse-incident",
            "1",
            today - timedelta(days=30 * months_ago + 4),
            note="Argument at home; officers attended.",
        )
    add(
        police,
        "police-intelligence-flag",
        "yes",
        today - timedelta(days=200),
        member="Imran",
        note="Intelligence shared with the key worker only.",
    )

    # Housing: arrears coming down month by month, the tenancy safe again.
    for months_ago, pounds in (
        (6, "1240"),
        (5, "980"),
        (4, "760"),
        (3, "520"),
        (2, "310"),
        (1, "150"),
    ):
        add(housing, "rent-arrears", pounds, today - timedelta(days=30 * months_ago))
    add(
        housing,
        "housing-status",
        "At risk of losing the home",
        today - timedelta(days=330),
        note="Notice seeking possession served.",
    )
    add(
        housing,
        "housing-status",
        "Settled tenancy",
        today - timedelta(days=60),
        note="Repayment plan agreed; notice withdrawn.",
    )

    # Health visiting: Yusuf's visits, quarter by quarter.
    for months_ago, status in ((9, "Missed some appointments"), (6, "Attending"), (3, "Attending")):
        starts = today - timedelta(days=30 * months_ago)
        add(
            health,
            "health-engagement",
            status,
            starts,
            ends=starts + timedelta(days=89),
            member="Yusuf",
        )


def _weekday(day: date, step: int) -> date:
    """The day itself, or the nearest weekday going ``step`` days at a time: the service
    does not meet families at weekends."""
    while day.weekday() >= 5:
        day += timedelta(days=step)
    return day


def _at(days: int, hour: int) -> datetime:
    day = _weekday(timezone.localdate() + timedelta(days=days), 1)
    return timezone.make_aware(datetime.combine(day, time(hour)))


def _happened(record: Meeting | Appointment, days_ago: int) -> None:
    """Time passes: it took place ``days_ago`` days ago at the same hour."""
    starts = record.starts_at - timedelta(days=days_ago + 30)
    local = timezone.localtime(starts)
    starts = timezone.make_aware(datetime.combine(_weekday(local.date(), -1), local.time()))
    type(record).objects.filter(pk=record.pk).update(
        starts_at=starts, ends_at=starts + (record.ends_at - record.starts_at)
    )
    record.refresh_from_db()


def seed_meetings_demo(people: dict) -> None:
    family = people["family:parent"]
    if Meeting.objects.filter(family=family).exists():
        return
    kim = acting_signed_in(people["key_worker"])
    adults = list(
        FamilyMember.objects.filter(family=family).exclude(
            relationship=FamilyMember.Relationship.CHILD
        )
    )
    aisha = next(m for m in adults if m.user_id == people["parent"].pk)
    team = {p.user_id: p for p in FamilyPractitioner.objects.filter(family=family)}
    school = team.get(people["partner"].pk)
    health = team.get(people["health_visitor"].pk)
    invited = [p for p in (school, health) if p is not None]

    held = services.meeting_arrange(
        family=family,
        actor=kim,
        starts_at=_at(20, 10),
        ends_at=_at(20, 11),
        where="place",
        place="Foleshill Family Hub, 1 Broad Street, Room 2",
        members=adults,
        practitioners=invited,
        staff_notes="School attendance is at 82% this term.",
    )
    _happened(held, 10)
    goals = plan_selectors.goals_for_meeting_actions(family=family)
    actions = []
    if goals:
        goal_id = goals[0][0]
        actions.append(
            services.ActionInput(
                text="Walk Zara and Yusuf to school with the mums on our route",
                who="member",
                goal_id=goal_id,
                member=aisha,
                due_date=timezone.localdate() + timedelta(days=14),
            )
        )
        if school is not None:
            actions.append(
                services.ActionInput(
                    text="Ring Aisha by 9.30 if the children are not in school",
                    who="partner",
                    goal_id=goal_id,
                    practitioner=school,
                    due_date=timezone.localdate() + timedelta(days=7),
                )
            )
    services.meeting_record(
        meeting=held,
        actor=kim,
        attended=[invite.pk for invite in held.invites.all()],
        actions=actions,
        staff_notes="School attendance is at 82% this term. Mornings are the hard part.",
        family_notes=(
            "Mornings are the hardest time. Aisha and Imran will walk with the other mums. "
            "The school will ring the same morning if the children are not in, not at the end "
            "of the week."
        ),
        notes_agreed=True,
    )
    services.meeting_arrange(
        family=family,
        actor=kim,
        starts_at=_at(12, 10),
        ends_at=_at(12, 11),
        where="call",
        place="Video call: the link is in your email. Or phone 024 7683 1000, code 4412.",
        members=adults,
        practitioners=invited,
    )

    services.appointment_book(
        family=family,
        actor=kim,
        starts_at=_at(4, 14),
        ends_at=_at(4, 15),
        where="Foleshill Family Hub, 1 Broad Street",
        purpose="Talk about how the school mornings are going",
        coming=[aisha],
    )
    past = services.appointment_book(
        family=family,
        actor=kim,
        starts_at=_at(2, 11),
        ends_at=_at(2, 12),
        where="At home",
        purpose="Get to know each other and talk about what you want to change",
        coming=adults,
    )
    _happened(past, 7)
    services.appointment_record(appointment=past, actor=kim, came=adults)


# Referrals ---------------------------------------------------------------------------
#
# The Nowaks came from the health visitor, accepted for Sam. Waiting: the school's
# referral of the Khans (a likely duplicate: same surname and postcode) and a mum who
# asked for help herself. Decided earlier: the housing officer's referral of the Walshes,
# signposted to the money advice drop-in.


def _backdate(referral: Referral, *, days: int, decided: bool = False) -> None:
    """Time passes: it was made (and decided, a day later) ``days`` days ago."""
    made = timezone.now() - timedelta(days=days)
    Referral.objects.filter(pk=referral.pk).update(
        created_at=made, **({"decided_at": made + timedelta(days=1)} if decided else {})
    )


def _team_agency(user: User, family) -> Agency | None:
    link = FamilyPractitioner.objects.filter(family=family, user=user).select_related("agency")
    found = link.first()
    return found.agency if found else None


def seed_referrals_demo(people: dict) -> None:
    if Referral.objects.exists():
        return
    mina = acting_signed_in(people["manager"])
    khans, nowaks = people["family:parent"], people["family:nowak"]
    Person = referrals.PersonInput
    Rel = FamilyMember.Relationship

    helen = acting_signed_in(people["health_visitor"])
    nowak = referrals.referral_make(
        actor=helen,
        agency=_team_agency(helen, khans),
        surname="Nowak",
        postcode=nowaks.postcode or "CV4 9LJ",
        people=[
            Person(name="Marta", relationship=Rel.MUM),
            Person(name="Piotr", relationship=Rel.DAD),
            Person(name="Ola", relationship=Rel.CHILD, date_of_birth=date(2025, 4, 12)),
        ],
        worries=(
            "Marta has been very low since Ola was born and Piotr works nights. Ola is "
            "behind with her weight. They would like help with routines and someone to talk to."
        ),
        outcomes=[Outcome.EARLY_YEARS, Outcome.HEALTH],
        consent=True,
    )
    if nowaks.postcode:
        referrals.referral_decide(
            referral=nowak,
            actor=mina,
            decision=Referral.Status.ACCEPTED,
            family=nowaks,
            lead=people["key_worker_2"],
            note="Thank you. Sam Okafor will be in touch with the family this week.",
        )
    _backdate(nowak, days=21, decided=True)

    omar = acting_signed_in(people["housing_officer"])
    walsh = referrals.referral_make(
        actor=omar,
        agency=_team_agency(omar, khans),
        surname="Walsh",
        postcode="CV2 4FT",
        people=[
            Person(name="Kerry", relationship=Rel.MUM),
            Person(name="Mason", relationship=Rel.CHILD, date_of_birth=date(2014, 9, 30)),
        ],
        worries="Rent arrears of about £900 after a benefits change. Kerry is worried about eviction.",
        outcomes=[Outcome.FINANCIAL_STABILITY, Outcome.HOUSING],
        consent=True,
    )
    directory = dict((name, pk) for pk, name in selectors.directory_services())
    money = directory.get("Money Advice Drop-in") or next(iter(directory.values()), None)
    referrals.referral_decide(
        referral=walsh,
        actor=mina,
        decision=Referral.Status.SIGNPOSTED if money else Referral.Status.SOCIAL_CARE,
        service_id=money,
        note="The drop-in can help with the arrears and the benefits change straight away.",
    )
    _backdate(walsh, days=12, decided=True)

    pat = acting_signed_in(people["partner"])
    khan = referrals.referral_make(
        actor=pat,
        agency=_team_agency(pat, khans),
        surname="Khan",
        postcode=khans.postcode or "CV6 5AB",
        people=[
            Person(name="Aisha", relationship=Rel.MUM),
            Person(name="Zara", relationship=Rel.CHILD),
            Person(name="Yusuf", relationship=Rel.CHILD),
        ],
        worries=(
            "Yusuf has missed most Mondays this half term and arrives upset. Mum says "
            "mornings are a struggle and she would welcome help."
        ),
        outcomes=[Outcome.EDUCATION, Outcome.FAMILY_RELATIONSHIPS],
        consent=True,
    )
    _backdate(khan, days=2)

    ellis = referrals.referral_ask_for_help(
        contact=referrals.ContactInput(
            name="Sarah Ellis",
            phone="07700 900456",
            by_text=True,
            when_safe="Weekday afternoons. Please do not leave a voicemail.",
        ),
        surname="Ellis",
        postcode="CV2 1BD",
        people=[
            Person(name="Sarah", relationship=Rel.MUM),
            Person(name="Liam", relationship=Rel.CHILD, date_of_birth=date(2015, 6, 2)),
        ],
        worries=(
            "My son has stopped going to school and I am struggling with money since my "
            "partner left. I do not know where to start."
        ),
        outcomes=[Outcome.EDUCATION, Outcome.FINANCIAL_STABILITY],
    )
    _backdate(ellis, days=1)


# Assessment and needs --------------------------------------------------------------------
#
# The Khans' whole-family assessment covered all four of them: Zara's and Yusuf's
# attendance (last term's figures from school as the starting points), Imran out of work
# and the arguments at home (ratings), each met by a goal of their plan. The Browns'
# assessment found Tyler's Mondays off school, which no goal meets yet, so their plan
# shows the flag.


def _assessed(people: dict, key: str, kim: User, summary: str):
    """The family's open episode (opened if none) and its new assessment, or None if it
    has one already."""
    family = people[f"family:{key}"]
    episode = open_episode(family) or episode_open(
        family=family, actor=kim, opened_on=timezone.localdate() - timedelta(days=60)
    )
    if Assessment.objects.filter(episode=episode).exists():
        return None
    today = timezone.localdate()
    assessment_save(
        episode=episode,
        actor=kim,
        assessed_on=max(episode.opened_on, today - timedelta(days=45)),
        members=FamilyMember.objects.filter(family=family),
        summary=summary,
    )
    return episode


def _attendance_below_90(family, name: str) -> AgencyRecord | None:
    return (
        AgencyRecord.objects.filter(
            family=family,
            member__name=name,
            kind__code="school-attendance",
            corrected_by__isnull=True,
            number__lt=90,
        )
        .order_by("-starts", "-id")
        .first()
    )


def seed_needs_demo(people: dict) -> None:
    if not Descriptor.objects.filter(framework__in_use=True).exists():
        return  # the framework comes with the migration
    kim = acting_signed_in(people["key_worker"])
    descriptors = {d.code: d for d in Descriptor.objects.filter(framework__in_use=True)}
    episode = _assessed(
        people,
        "parent",
        kim,
        "Aisha and Imran want the mornings to be calmer and the kids at school on time. "
        "Imran would like to find work again. They argue about money and it upsets Zara.",
    )
    if episode is not None:
        family = episode.family
        members = {m.name: m for m in FamilyMember.objects.filter(family=family)}
        school = Agency.objects.filter(team_members__user=people["partner"]).first()
        goals = {goal.title: goal.id for goal in plan_selectors.goals_for_needs(family=family)}
        on_time = goals.get("I need to get the kids to school on time")
        calmer = goals.get("We want fewer arguments at home, especially about money")
        assessed_on = episode.assessment.assessed_on
        for code, name, baseline, rating, goal_id in (
            ("persistent-absence", "Zara", "Zara", None, on_time),
            ("persistent-absence", "Yusuf", "Yusuf", None, on_time),
            ("worklessness", "Imran", None, 3, calmer),
            ("parental-conflict", None, None, 4, calmer),
        ):
            record = _attendance_below_90(family, baseline) if baseline else None
            need = need_add(
                episode=episode,
                descriptor=descriptors[code],
                actor=kim,
                member=members.get(name) if name else None,
                identified_on=assessed_on,
                raised_by=school if record is not None else None,
                baseline_record=record,
                baseline_rating=rating if record is None else None,
            )
            if goal_id is not None:
                need_goals_set(need=need, actor=kim, goal_ids=[goal_id])
    episode = _assessed(
        people,
        "brown",
        kim,
        "Lisa says Tyler finds Mondays hard and often stays at home. The rent arrears are "
        "coming down with Whitefriars' help.",
    )
    if episode is not None:
        tyler = FamilyMember.objects.filter(family=episode.family, name="Tyler").first()
        need_add(
            episode=episode,
            descriptor=descriptors["persistent-absence"],
            actor=kim,
            member=tyler,
            identified_on=episode.assessment.assessed_on,
            baseline_rating=5,
            note="School to send this term's attendance figure.",
        )


# Closure, step-down and the six months after -------------------------------------------
#
# The Greens (Jo's family: she became a peer mentor) closed about eight months ago with
# their needs met and sustained. The Adeyemis stepped down about seven months ago; an
# anti-social behaviour report a month and a half later broke one of Femi's needs. The
# Osei family closed about three and a half months ago and has been asked how things are.


def _closed_journey(
    *,
    family,
    actor: User,
    opened_days: int,
    closed_days: int,
    reason: str,
    needs: list[tuple[str, FamilyMember | None, int]],
    summary: str,
) -> Episode:
    """An episode of work opened, assessed and closed in the past, all through the
    services: ``needs`` are (descriptor code, member or None, baseline rating)."""
    today = timezone.localdate()
    episode = journey.open_episode(family) or journey.episode_open(
        family=family, actor=actor, opened_on=today - timedelta(days=opened_days)
    )
    descriptors = {d.code: d for d in Descriptor.objects.filter(framework__in_use=True)}
    added = [
        journey.need_add(
            episode=episode,
            descriptor=descriptors[code],
            actor=actor,
            member=member,
            identified_on=episode.opened_on + timedelta(days=7),
            baseline_rating=rating,
        )
        for code, member, rating in needs
    ]
    return closure.episode_close(
        episode=episode,
        actor=actor,
        closed_on=today - timedelta(days=closed_days),
        reason=reason,
        summary=summary,
        met={need.pk: True for need in added},
    )


def seed_closure_demo(people: dict) -> None:
    if Family.objects.filter(display_name="The Osei family").exists():
        return
    if not Descriptor.objects.filter(framework__in_use=True).exists():
        return  # the framework comes with its migration
    today = timezone.localdate()
    kim = acting_signed_in(people["key_worker"])
    sam = acting_signed_in(people["key_worker_2"])

    greens = people["family:mentor_family"]
    ellie = FamilyMember.objects.filter(family=greens, name="Ellie").first()
    _closed_journey(
        family=greens,
        actor=sam,
        opened_days=420,
        closed_days=240,
        reason=Episode.Reason.ACHIEVED,
        needs=[("persistent-absence", ellie, 3), ("debt", None, 2), ("parenting", None, 4)],
        summary=(
            "Jo, you have done so much this year. Ellie is at school nearly every day now, "
            "and you have paid off the rent you owed. You said mornings feel calm again. "
            "If things get hard, you can ask for help at any time."
        ),
    )

    adeyemis = people["family:mentor_family_2"]
    femi = FamilyMember.objects.filter(family=adeyemis, name="Femi").first()
    closed = _closed_journey(
        family=adeyemis,
        actor=kim,
        opened_days=400,
        closed_days=215,
        reason=Episode.Reason.STEPPED_DOWN,
        needs=[("suspension-exclusion", femi, 3), ("offending-asb", femi, 2)],
        summary=(
            "Tunde, Femi has not been sent home from school since the spring, and the youth "
            "club is going well. The school's family support worker will keep in touch. "
            "You can ask us for help again at any time."
        ),
    )
    police = people["police_officer"]
    # The officer's own force, as on the Khans' team.
    khans_officer = (
        FamilyPractitioner.everyone.select_related("agency")
        .filter(user=police, agency__kind=Agency.Kind.POLICE)
        .first()
    )
    police_agency = khans_officer.agency if khans_officer is not None else None
    asb = RecordKind.objects.filter(code="asb-report").first()
    if police_agency is not None and asb is not None and femi is not None:
        assert closed.closed_on is not None  # noqa: S101 - just closed
        portal_services.family_practitioner_add(
            family=adeyemis,
            practitioner=police,
            agency=police_agency,
            role="Neighbourhood officer",
            starts=closed.closed_on - timedelta(days=200),
            actor=kim,
        )
        services.agency_record_add(
            records_access=_access(police, adeyemis),
            kind=asb,
            member=femi,
            value="1",
            starts=closed.closed_on + timedelta(days=45),
            note="Report of Femi and friends throwing stones at the bus shelter.",
            recorder=police,
        )

    osei = portal_services.family_create(
        display_name="The Osei family",
        lead_key_worker=people["key_worker"],
        status=Family.Status.REFERRED,
        ward="Radford",
        surname="Osei",
        postcode="CV6 1AA",
    )
    ama_user = User.objects.filter(email="osei@example.org").first() or (
        portal_services.user_create(
            email="osei@example.org", password=DEMO_PASSWORD, preferred_name="Ama"
        )
    )
    portal_services.family_member_add(
        family=osei, name="Ama", relationship=FamilyMember.Relationship.MUM, user=ama_user
    )
    kofi = portal_services.family_member_add(
        family=osei, name="Kofi", relationship=FamilyMember.Relationship.CHILD
    )
    _closed_journey(
        family=osei,
        actor=kim,
        opened_days=300,
        closed_days=105,
        reason=Episode.Reason.ACHIEVED,
        needs=[("risk-of-losing-home", None, 2), ("development", kofi, 4)],
        summary=(
            "Ama, you kept your home and Kofi is talking more every week. The children's "
            "centre stay-and-play is there on Tuesdays. Ask us again if you need to."
        ),
    )
    people["family:osei"] = osei
    people["osei"] = ama_user
    closure.needs_sustain_check(today=today)
    closure.follow_ups_ask(today=today)


# Chronology --------------------------------------------------------------------------------


def seed_chronology_demo(people: dict) -> None:
    """A few entries added by hand to the Khans' chronology (a home visit and a call with
    the school by Kim, a note by Pat Doyle for the school); the rest of the chronology
    comes from the other demo records."""
    from .models import ChronologyEntry

    family = people["family:parent"]
    if ChronologyEntry.objects.filter(family=family).exists():
        return
    members = {m.name: m for m in FamilyMember.objects.filter(family=family)}
    today = timezone.localdate()
    kim, pat = acting_signed_in(people["key_worker"]), acting_signed_in(people["partner"])
    entries = [
        (
            kim,
            35,
            "Home visit with Aisha and Imran",
            "We talked about mornings before school and what gets in the way. Aisha would "
            "like help with the walk to school; Imran can do Fridays.",
            None,
        ),
        (
            kim,
            21,
            "Phone call with Foleshill Primary School about Yusuf",
            "Pat Doyle says Yusuf is settling well in Year 2 and was late twice this month.",
            members.get("Yusuf"),
        ),
        (
            pat,
            12,
            "Zara's class teacher met Aisha after school",
            "Zara has joined the lunchtime reading club. Her teacher will send home a "
            "reading log each Friday.",
            members.get("Zara"),
        ),
    ]
    for author, days_ago, title, detail, member in entries:
        services.chronology_entry_add(
            family=family,
            actor=author,
            happened_on=today - timedelta(days=days_ago),
            title=title,
            detail=detail,
            member=member,
        )
