from plans.models import Goal, InterventionTemplate, JargonTerm, Plan, Step
from portal import demo


def test_demo_seeds_the_khan_plan_library_and_jargon_once(db):
    people = demo.seed()
    demo.seed()
    plan = Plan.objects.get(family=people["family:parent"])
    goals = list(plan.goals.filter(private_to__isnull=True).order_by("order"))
    assert len(goals) == 2
    assert goals[0].title == "I need to get the kids to school on time"
    assert "walk with the other parents on our route" in goals[0].details
    family_steps = Step.objects.filter(goal__plan=plan, goal__private_to__isnull=True)
    # The key worker's two are actions agreed at the team meeting (casework's demo).
    assert family_steps.exclude(created_by=people["key_worker"]).count() == 5
    assert plan.strengths and plan.worries
    titles = set(InterventionTemplate.objects.values_list("title", flat=True))
    assert {"Walking bus with other parents", "Dads' group", "Debt advice"} <= titles
    assert JargonTerm.objects.filter(term="safeguarding").exists()
    assert Goal.objects.count() == 3
    # Aisha keeps a goal and a worry to herself and her key worker.
    private = Goal.objects.get(private_to__isnull=False)
    assert private.private_to.user == people["parent"]
    assert plan.private_worries.get().member.user == people["parent"]


def test_demo_school_attendance_officer_acts_on_the_goal_shared_with_school(db):
    from plans.models import Comment, Suggestion

    people = demo.seed()
    demo.seed()
    pat = people["partner"]
    plan = Plan.objects.get(family=people["family:parent"])
    suggestion = Suggestion.objects.get(plan=plan, author=pat)
    assert suggestion.author_label == "Pat Doyle, Foleshill Primary School"
    assert suggestion.goal.shares.filter(practitioner__user=pat).exists()
    ticked = Step.objects.get(goal=suggestion.goal, done_by=pat)
    assert ticked.done_by_label == "Pat Doyle, Foleshill Primary School"
    update = Comment.objects.get(plan=plan, author=pat, kind=Comment.Kind.UPDATE)
    assert update.goal == suggestion.goal


def test_demo_library_has_ideas_from_different_agencies_linked_to_directory_services(db):
    from content.models import LocalService

    demo.seed()
    demo.seed()
    school = InterventionTemplate.objects.get(title="School attendance clinic")
    assert school.status == InterventionTemplate.Status.PROPOSED
    assert school.agency.name == "Foleshill Primary School"
    retired = InterventionTemplate.objects.get(title="Baby weigh-in at the library")
    assert retired.status == InterventionTemplate.Status.RETIRED and retired.review_reason
    assert retired.agency.name == "Coventry Health Visiting"
    debt = InterventionTemplate.objects.get(title="Debt advice")
    assert debt.is_approved
    assert LocalService.objects.filter(pk__in=debt.service_ids).exists()
