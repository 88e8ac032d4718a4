"""The demo: the Khans' assessment and needs, each met by a goal; the Browns' need no goal
meets yet, which their plan page flags."""

from casework.models import Assessment, Need, NeedGoal
from portal import demo, registry


def test_demo_needs_are_seeded_once_with_baselines_and_goals(db):
    demo.seed()
    people = demo.seed()
    khans = people["family:parent"]
    assessment = Assessment.objects.get(family=khans)
    assert assessment.members.count() == 4
    needs = {
        (n.descriptor.code, n.member.name if n.member else None): n
        for n in Need.objects.filter(family=khans)
    }
    assert set(needs) == {
        ("persistent-absence", "Zara"),
        ("persistent-absence", "Yusuf"),
        ("worklessness", "Imran"),
        ("parental-conflict", None),
    }
    zara = needs[("persistent-absence", "Zara")]
    assert zara.baseline_record.kind.code == "school-attendance"
    assert zara.baseline_record.number < 90
    assert needs[("worklessness", "Imran")].baseline_rating == 3
    assert all(NeedGoal.objects.filter(need=need).exists() for need in needs.values())
    browns = people["family:brown"]
    (tyler,) = Need.objects.filter(family=browns)
    assert not tyler.goals.exists()


def test_the_browns_plan_flags_the_need_no_goal_meets(db):
    people = demo.seed()
    found = registry.plan_needs(people["family:brown"], None)
    assert found.any_uncovered
    assert found.uncovered == ("Tyler: A child's attendance is below 90% (persistently absent)",)
    assert not registry.plan_needs(people["family:parent"], None).any_uncovered
