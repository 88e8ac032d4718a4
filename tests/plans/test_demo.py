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
