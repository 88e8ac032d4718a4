"""What one adult keeps private (a goal, a step, their worries) against the second adult of
the household, through every view, count, print view, version, notification and email;
and who may see it, share it and change who sees it."""

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from notifications.models import Notification

from plans import selectors, services
from plans.models import GoalShare, Plan, Who
from portal.models import StaffProfile
from portal.registry import family_needs
from tests import factories
from tests.helpers.plans import with_reason

# Words only Aisha and the staff who manage the family may read.
SECRETS = (
    "Stop using before the kids wake up",
    "Talk to the drug and alcohol team",
    "Ring the recovery service",
    "Leave the flat by eight",
    "Proud of you",
    "Try the recovery cafe",
    "I owe money to a dealer",
    "Only you and your key worker can see this",
    "and the key worker can see this",
)


def _agree(plan, *people):
    for person in people:
        plan.refresh_from_db()
        services.plan_confirm(plan=plan, actor=person, revision=plan.revision)
    plan.refresh_from_db()


def _leaks(body: str) -> list[str]:
    return [secret for secret in SECRETS if secret in body]


def _family_pages(family, kept):
    family_id = family.pk
    return [
        reverse("plans:plan"),
        reverse("plans:family_plan", kwargs={"family_id": family_id}),
        reverse("plans:print"),
        reverse("plans:family_print", kwargs={"family_id": family_id}),
        reverse("plans:agree", kwargs={"family_id": family_id}),
        reverse("plans:versions", kwargs={"family_id": family_id}),
        reverse("plans:version_detail", kwargs={"family_id": family_id, "number": 1}),
        reverse("plans:version_detail", kwargs={"family_id": family_id, "number": 2}),
        reverse("plans:version_diff", kwargs={"family_id": family_id}) + "?from=1&to=2",
        reverse("plans:sharing"),
        reverse("plans:review", kwargs={"review_id": kept["review"].pk}),
        reverse("plans:goal", kwargs={"goal_id": kept["shared"].pk}),
        reverse("plans:step_new", kwargs={"goal_id": kept["shared"].pk}),
        reverse("portal:dashboard"),
        reverse("notifications:list"),
    ]


@pytest.fixture
def agreed_twice(kept, plan, parent, dad, key_worker):
    """Two agreed versions, each with Aisha's private goal already on the live plan."""
    plan.signatories.add(dad.family_membership)
    _agree(plan, parent, dad, key_worker)
    services.goal_update(
        goal=kept["shared"],
        actor=parent,
        expected_version=kept["shared"].version,
        title="Get the kids to school on time, every day",
    )
    _agree(plan, parent, dad, key_worker)
    return plan


def test_the_second_adult_sees_nothing_of_what_the_first_keeps_private(
    client, kept, agreed_twice, family, dad
):
    client.force_login(dad)
    for url in _family_pages(family, kept):
        response = client.get(url)
        assert response.status_code == 200, url
        assert _leaks(response.content.decode()) == [], url


def test_the_adult_and_the_staff_who_manage_the_family_see_it(
    client, kept, family, parent, key_worker
):
    client.force_login(parent)
    body = client.get(reverse("plans:plan")).content.decode()
    for secret in SECRETS[:4] + ("I owe money to a dealer",):
        assert secret in body
    assert "Only you and your key worker can see this" in body
    client.force_login(key_worker)
    body = client.get(reverse("plans:family_plan", kwargs={"family_id": family.pk})).content
    body = body.decode()
    for secret in SECRETS[:4] + ("I owe money to a dealer",):
        assert secret in body
    assert "Only Aisha and the key worker can see this" in body
    manager = with_reason(factories.staff(StaffProfile.Role.MANAGER), family)
    client.force_login(manager)
    body = client.get(reverse("plans:family_plan", kwargs={"family_id": family.pk})).content
    assert "Stop using before the kids wake up" in body.decode()


def test_every_private_record_is_the_strangers_404_to_the_second_adult(client, kept, family, dad):
    client.force_login(dad)
    goal, step, own_step = kept["goal"], kept["step"], kept["own_step"]
    gets = [
        reverse("plans:goal", kwargs={"goal_id": goal.pk}),
        reverse("plans:goal_edit", kwargs={"goal_id": goal.pk}),
        reverse("plans:step_new", kwargs={"goal_id": goal.pk}),
        reverse("plans:step_edit", kwargs={"step_id": step.pk}),
        reverse("plans:step_edit", kwargs={"step_id": own_step.pk}),
        reverse("plans:goal_new", kwargs={"family_id": family.pk})
        + f"?suggestion={kept['suggestion'].pk}",
    ]
    missing = client.get(reverse("plans:goal", kwargs={"goal_id": 999999}))
    for url in gets:
        response = client.get(url)
        assert response.status_code == 404, url
        assert len(response.content) == len(missing.content), url
    posts = [
        (reverse("plans:goal_remove", kwargs={"goal_id": goal.pk}), {}),
        (reverse("plans:step_done", kwargs={"step_id": step.pk}), {"done": "1"}),
        (reverse("plans:step_done", kwargs={"step_id": own_step.pk}), {"done": "1"}),
        (reverse("plans:step_save", kwargs={"goal_id": goal.pk}), {"text": "x", "who": "mentor"}),
        (
            reverse("plans:goal_save", kwargs={"family_id": family.pk}),
            {"goal_id": goal.pk, "title": "Mine now", "private": "family"},
        ),
        (
            reverse("plans:comment_add", kwargs={"family_id": family.pk}),
            {"goal": goal.pk, "text": "Hello"},
        ),
        (reverse("plans:suggestion_accept", kwargs={"suggestion_id": kept["suggestion"].pk}), {}),
        (reverse("plans:suggestion_decline", kwargs={"suggestion_id": kept["suggestion"].pk}), {}),
    ]
    for url, data in posts:
        assert client.post(url, data).status_code == 404, url
    goal.refresh_from_db()
    step.refresh_from_db()
    assert goal.archived_at is None and goal.title == "Stop using before the kids wake up"
    assert step.done_at is None and not goal.comments.exclude(text="Proud of you").exists()


def test_keeping_and_changing_private_things_never_changes_the_familys_agreed_plan(
    kept, plan, parent, dad, key_worker
):
    plan.signatories.add(dad.family_membership)
    _agree(plan, parent, dad, key_worker)
    assert plan.status == Plan.Status.AGREED
    revision = plan.revision
    goal = services.goal_create(plan=plan, actor=parent, title="Another of mine", private=True)
    services.goal_update(
        goal=goal, actor=parent, expected_version=goal.version, title="Still mine", private=True
    )
    services.step_create(
        goal=goal, actor=parent, text="A step", owner=services.StepOwner(who=Who.KEY_WORKER)
    )
    services.step_create(
        goal=kept["shared"],
        actor=parent,
        text="Only mine",
        owner=services.StepOwner(who=Who.KEY_WORKER),
        private=True,
    )
    services.private_worry_save(
        plan=plan, actor=parent, text="Changed words", expected_version=kept["worry"].version
    )
    services.goal_remove(goal=goal, actor=parent)
    plan.refresh_from_db()
    assert plan.revision == revision and plan.status == Plan.Status.AGREED
    version = plan.versions.get()
    assert [g["title"] for g in version.snapshot["goals"]] == [
        "Get the kids to school on time",
        "Sort out our money worries",
    ]
    steps = [s["text"] for g in version.snapshot["goals"] for s in g["steps"]]
    assert "Leave the flat by eight without telling anyone why" not in steps
    # Showing a private goal to the family changes the family's plan.
    services.goal_update(
        goal=kept["goal"],
        actor=parent,
        expected_version=kept["goal"].version,
        title=kept["goal"].title,
        details=kept["goal"].details,
        private=False,
    )
    plan.refresh_from_db()
    assert plan.revision == revision + 1 and plan.status == Plan.Status.CHANGED


def test_the_dashboards_counts_leave_out_what_another_adult_keeps(kept, family, parent, dad):
    mine = selectors.parent_next_steps(family=family, user=parent)
    theirs = selectors.parent_next_steps(family=family, user=dad)
    assert [s.text for s in mine["steps_due"]] == [
        "Ring the recovery service",
        "Leave the flat by eight without telling anyone why",
    ]
    assert list(theirs["steps_due"]) == []
    assert (mine["open_suggestions"], theirs["open_suggestions"]) == (1, 0)


def test_a_second_adult_with_only_the_others_private_goals_has_no_goals(plan, parent, dad):
    services.goal_create(plan=plan, actor=parent, title="Mine alone", private=True)
    assert selectors.parent_next_steps(family=plan.family, user=parent)["has_goals"] is True
    assert selectors.parent_next_steps(family=plan.family, user=dad)["has_goals"] is False
    # And agreeing says the same as for a plan with no goals at all.
    plan.signatories.add(dad.family_membership)
    with pytest.raises(ValidationError, match="Add at least one goal"):
        services.plan_confirm(plan=plan, actor=dad, revision=plan.revision)


def test_notifications_and_emails_about_private_things_reach_only_the_adult_and_staff(
    django_capture_on_commit_callbacks, plan, parent, dad, key_worker
):
    with django_capture_on_commit_callbacks(execute=True):
        goal = services.goal_create(plan=plan, actor=parent, title="Mine alone", private=True)
        services.comment_add(plan=plan, actor=key_worker, text="Well done", goal=goal)
        services.suggestion_create(
            plan=plan, actor=key_worker, kind="step", goal=goal, text="Try this"
        )
    assert Notification.objects.filter(recipient=parent).count() == 2
    assert not Notification.objects.filter(recipient=dad).exists()
    with django_capture_on_commit_callbacks(execute=True):
        services.comment_add(plan=plan, actor=parent, text="Thanks", goal=goal)
    assert Notification.objects.filter(recipient=key_worker).exists()
    assert not Notification.objects.filter(recipient=dad).exists()
    for message in mail.outbox:
        assert dad.email not in message.to
        assert "Mine alone" not in message.body


def test_a_mentor_sees_a_private_goal_only_once_its_adult_shares_it(
    client, kept, plan, parent, dad, mentor, family
):
    url = reverse("plans:family_plan", kwargs={"family_id": family.pk})
    client.force_login(mentor)
    assert "Stop using" not in client.get(url).content.decode()
    goal = kept["goal"]
    # Imran decides nothing about Aisha's goals.
    with pytest.raises(ValidationError):
        services.plan_sharing_set(plan=plan, actor=dad, wanted={(goal.pk, "mentor", None)})
    services.plan_sharing_set(
        plan=plan,
        actor=parent,
        wanted={(goal.pk, "mentor", None), (kept["shared"].pk, "mentor", None)},
    )
    body = client.get(url).content.decode()
    assert "Stop using" in body and "Ring the recovery service" in body
    # A private step on a family goal is never shown outside the adult and staff.
    assert "Leave the flat by eight" not in body


def test_each_adult_decides_sharing_only_for_their_own_goals(client, kept, plan, parent, dad):
    imrans = services.goal_create(plan=plan, actor=dad, title="Go to the dads' group")
    client.force_login(dad)
    response = client.get(reverse("plans:sharing"))
    form = response.context["form"]
    assert set(form.fields) == {f"goal_{imrans.pk}"}
    # Imran saving his choices leaves what Aisha shared as it was.
    response = client.post(reverse("plans:sharing"), {f"goal_{imrans.pk}": ["mentor"]})
    assert response.status_code == 302
    assert GoalShare.objects.filter(goal=kept["shared"], withdrawn_at__isnull=True).count() == 2
    assert GoalShare.objects.filter(goal=imrans, withdrawn_at__isnull=True).count() == 1
    client.force_login(parent)
    fields = set(client.get(reverse("plans:sharing")).context["form"].fields)
    assert f"goal_{imrans.pk}" not in fields and f"goal_{kept['goal'].pk}" in fields


def test_a_goal_whose_writer_left_is_any_adults_to_share(plan, parent, dad, key_worker):
    from portal import services as core_services

    goal = services.goal_create(plan=plan, actor=dad, title="His goal")
    core_services.family_member_remove(
        member=dad.family_membership, actor=key_worker, reason="Moved out after a court order"
    )
    services.plan_sharing_set(plan=plan, actor=parent, wanted={(goal.pk, "mentor", None)})
    assert goal.shares.filter(withdrawn_at__isnull=True).exists()


def test_only_the_writer_makes_a_family_goal_private_and_not_over_anyone_elses_words(
    plan, parent, dad
):
    goal = services.goal_create(plan=plan, actor=parent, title="Mine to start with")
    with pytest.raises(PermissionDenied):
        services.goal_update(
            goal=goal, actor=dad, expected_version=goal.version, title=goal.title, private=True
        )
    services.step_create(
        goal=goal, actor=dad, text="I'll help", owner=services.StepOwner(who=Who.KEY_WORKER)
    )
    with pytest.raises(ValidationError):
        services.goal_update(
            goal=goal, actor=parent, expected_version=goal.version, title=goal.title, private=True
        )
    own = services.goal_create(plan=plan, actor=parent, title="Just words of mine")
    own = services.goal_update(
        goal=own, actor=parent, expected_version=own.version, title=own.title, private=True
    )
    assert own.private_to == parent.family_membership


def test_a_private_worry_is_saved_by_autosave_and_read_by_the_adult_and_key_worker_only(
    client, plan, family, parent, dad, key_worker
):
    url = reverse("plans:private_worry_save", kwargs={"family_id": family.pk})
    client.force_login(parent)
    assert client.get(url).status_code == 405
    response = client.post(
        url, {"my_worries": "Only for Kim", "version": 1}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200 and "Saved" in response.content.decode()
    # A save from an older page is a conflict, not a silent overwrite.
    response = client.post(url, {"my_worries": "Something else", "version": 1})
    assert response.status_code == 409
    assert "Only for Kim" in client.get(reverse("plans:plan")).content.decode()
    client.force_login(dad)
    assert "Only for Kim" not in client.get(reverse("plans:plan")).content.decode()
    response = client.post(url, {"my_worries": "Mine", "version": 1})
    assert response.status_code == 302
    assert plan.private_worries.count() == 2  # his own, beside hers
    client.force_login(key_worker)
    body = client.get(reverse("plans:family_plan", kwargs={"family_id": family.pk})).content
    assert "Only for Kim" in body.decode() and "Mine" in body.decode()
    assert client.post(url, {"my_worries": "Staff words", "version": 1}).status_code == 404


def test_a_private_goals_outcome_areas_are_not_the_familys_needs(plan, parent):
    from plans.models import OutcomeArea

    area = OutcomeArea.objects.get(slug="substance_use")
    services.goal_create(
        plan=plan, actor=parent, title="Mine alone", private=True, outcome_areas=[area]
    )
    assert "substance_use" not in family_needs(plan.family)


def test_the_goal_form_asks_who_sees_a_goal_first(client, plan, family, parent):
    client.force_login(parent)
    body = client.get(reverse("plans:goal_new", kwargs={"family_id": family.pk})).content.decode()
    assert body.index("Who can see this goal?") < body.index("What we want to change")
    assert "Only me and my key worker" in body
    response = client.post(
        reverse("plans:goal_save", kwargs={"family_id": family.pk}),
        {"title": "Just me", "private": "me", "version": 1, "draft_key": "k1"},
    )
    assert response.status_code == 302
    assert plan.goals.get(title="Just me").private_to == parent.family_membership


def test_a_step_is_kept_private_from_its_form_and_only_its_writer_may_change_that(
    client, kept, plan, parent, dad
):
    shared = kept["shared"]
    client.force_login(dad)
    new = client.get(reverse("plans:step_new", kwargs={"goal_id": shared.pk})).content.decode()
    assert "Who can see this step?" in new
    response = client.post(
        reverse("plans:step_save", kwargs={"goal_id": shared.pk}),
        {"text": "Call my brother", "who": "key_worker", "private": "me", "version": 1},
    )
    assert response.status_code == 302
    his = shared.steps.get(text="Call my brother")
    assert his.private_to == dad.family_membership
    # Aisha's family step: Imran may change its words but is not asked who sees it.
    hers = shared.steps.get(text="Walk with the other parents")
    edit = client.get(reverse("plans:step_edit", kwargs={"step_id": hers.pk})).content.decode()
    assert "Who can see this step?" not in edit
    with pytest.raises(PermissionDenied):
        services.step_update(
            step=hers,
            actor=dad,
            expected_version=hers.version,
            text=hers.text,
            owner=services.StepOwner(who=hers.who, other_people=hers.other_people),
            private=True,
        )
    client.force_login(parent)
    assert "Call my brother" not in client.get(reverse("plans:plan")).content.decode()
    # A step on a private goal is private with it, so its form does not ask.
    goal_steps = reverse("plans:step_new", kwargs={"goal_id": kept["goal"].pk})
    body = client.get(goal_steps).content.decode()
    assert "Who can see this step?" not in body and "its steps are just for you" in body


def test_sharing_another_adults_goal_through_the_form_is_refused(client, kept, plan, dad):
    client.force_login(dad)
    response = client.post(reverse("plans:sharing"), {f"goal_{kept['shared'].pk}": ["mentor"]})
    # Not a field of his form, so nothing is shared and nothing of Aisha's withdrawn.
    assert response.status_code == 302
    assert GoalShare.objects.filter(goal=kept["shared"], withdrawn_at__isnull=True).count() == 2
    with pytest.raises(ValidationError):
        services.plan_sharing_set(
            plan=plan, actor=dad, wanted={(kept["shared"].pk, "mentor", None)}
        )


def test_a_key_worker_suggests_a_goal_to_one_adult_alone(
    client, django_capture_on_commit_callbacks, plan, family, parent, dad, key_worker
):
    client.force_login(key_worker)
    url = reverse("plans:suggest", kwargs={"family_id": family.pk})
    assert "Only Aisha: no one else in the family sees it" in client.get(url).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url,
            {
                "kind": "goal",
                "for_whom": str(parent.family_membership.pk),
                "text": "Talk to someone about how you feel at home",
            },
        )
    assert response.status_code == 302
    suggestion = plan.suggestions.get()
    assert Notification.objects.filter(recipient=parent).exists()
    assert not Notification.objects.filter(recipient=dad).exists()
    client.force_login(dad)
    assert "how you feel at home" not in client.get(reverse("plans:plan")).content.decode()
    assert selectors.parent_next_steps(family=family, user=dad)["open_suggestions"] == 0
    accept = reverse("plans:suggestion_accept", kwargs={"suggestion_id": suggestion.pk})
    assert client.post(accept).status_code == 404
    client.force_login(parent)
    assert selectors.parent_next_steps(family=family, user=parent)["open_suggestions"] == 1
    assert "how you feel at home" in client.get(reverse("plans:plan")).content.decode()
    assert client.post(accept).status_code == 302
    # Added as hers alone, as it was suggested.
    goal = plan.goals.get(title="Talk to someone about how you feel at home")
    assert goal.private_to == parent.family_membership


def test_the_agree_page_shows_only_what_the_family_agrees(client, kept, family, parent, dad):
    client.force_login(parent)
    url = reverse("plans:agree", kwargs={"family_id": family.pk})
    body = client.get(url).content.decode()
    assert "Stop using before the kids wake up" not in body
    assert "Leave the flat by eight" not in body
    assert "not part of the plan your family agrees" in body
    client.force_login(dad)
    body = client.get(url).content.decode()
    assert "not part of the plan" not in body and _leaks(body) == []
