"""Every role against every kind of plan record, through the real URLs."""

import pytest
from django.urls import reverse

from plans import services
from plans.models import Suggestion
from portal.models import AuditEvent, StaffProfile
from tests import factories
from tests.helpers.plans import matched_mentor_for, with_reason

ROLES = [
    "parent",
    "other_parent",
    "lead_key_worker",
    "key_worker_no_reason",
    "key_worker_with_reason",
    "partner_named",
    "partner_not_named",
    "manager_no_reason",
    "manager_with_reason",
    "mentor_matched",
    "mentor_unmatched",
    "editor",
    "anonymous",
]

# What each role gets from the plan pages: status, and which goals it sees.
ALL = (200, {"shared", "private"})
SHARED = (200, {"shared"})
HIDDEN = (404, set())
REASON = (302, set())
LOGIN = (302, set())

PLAN_PAGE = {
    "parent": ALL,
    "other_parent": HIDDEN,
    "lead_key_worker": ALL,
    "key_worker_no_reason": REASON,
    "key_worker_with_reason": ALL,
    "partner_named": SHARED,
    "partner_not_named": HIDDEN,
    "manager_no_reason": REASON,
    "manager_with_reason": ALL,
    "mentor_matched": SHARED,
    "mentor_unmatched": HIDDEN,
    "editor": HIDDEN,
    "anonymous": LOGIN,
}

# Only the family and staff who may manage the family open reviews and suggestions.
WHOLE_PLAN_ONLY = {
    role: (200 if expected == ALL else 404 if expected in (SHARED, HIDDEN) else 302)
    for role, expected in PLAN_PAGE.items()
}
# Only the family writes its plan, shares it and sees "our plan".
FAMILY_ONLY = {role: 404 for role in ROLES} | {"parent": 200, "anonymous": 302}
FAMILY_ONLY_STAFF_REDIRECT = FAMILY_ONLY | {"key_worker_no_reason": 302, "manager_no_reason": 302}


@pytest.fixture
def setup(family, parent, goals, plan, key_worker, partner, other_family, other_parent):
    shared, private = goals
    suggestion = services.suggestion_create(
        plan=plan, actor=key_worker, kind=Suggestion.Kind.GOAL, text="Try the parenting group"
    )
    review = services.review_start_today(plan=plan, actor=parent)
    return {
        "family": family,
        "plan": plan,
        "shared": shared,
        "private": private,
        "suggestion": suggestion,
        "review": review,
    }


def _user(role, request, family, other_family):
    if role == "anonymous":
        return None
    if role == "parent":
        return request.getfixturevalue("parent")
    if role == "other_parent":
        return request.getfixturevalue("other_parent")
    if role == "lead_key_worker":
        return family.lead_key_worker
    if role == "key_worker_no_reason":
        return factories.staff(StaffProfile.Role.KEY_WORKER)
    if role == "key_worker_with_reason":
        return with_reason(factories.staff(StaffProfile.Role.KEY_WORKER), family)
    if role == "partner_named":
        return request.getfixturevalue("partner")
    if role == "partner_not_named":
        return factories.partner(other_family)
    if role == "manager_no_reason":
        return factories.staff(StaffProfile.Role.MANAGER)
    if role == "manager_with_reason":
        return with_reason(factories.staff(StaffProfile.Role.MANAGER), family)
    if role == "mentor_matched":
        user, provider = matched_mentor_for(family)
        request.addfinalizer(lambda: _unregister(provider))
        return user
    if role == "mentor_unmatched":
        user, provider = matched_mentor_for(other_family)
        request.addfinalizer(lambda: _unregister(provider))
        return user
    if role == "editor":
        return factories.staff(StaffProfile.Role.EDITOR)
    raise AssertionError(role)


def _unregister(provider):
    from portal import access as core

    core._relation_providers.remove(provider)


@pytest.fixture(params=ROLES)
def as_role(request, client, setup, other_family):
    user = _user(request.param, request, setup["family"], other_family)
    if user is not None:
        client.force_login(user)
    return request.param, user


def test_plan_page_matrix(as_role, client, setup):
    role, _user = as_role
    status, visible = PLAN_PAGE[role]
    for name in ("plans:family_plan", "plans:family_print"):
        response = client.get(reverse(name, kwargs={"family_id": setup["family"].pk}))
        assert response.status_code == status, (role, name)
        body = response.content.decode()
        assert (setup["shared"].title in body) == ("shared" in visible), (role, name)
        assert (setup["private"].title in body) == ("private" in visible), (role, name)


def test_shared_goal_page_lets_partners_and_mentors_comment_only_where_shared(
    as_role, client, setup
):
    role, _user = as_role
    url = reverse("plans:comment_add", kwargs={"family_id": setup["family"].pk})
    status, visible = PLAN_PAGE[role]
    for key in ("shared", "private"):
        response = client.post(url, {"goal": setup[key].pk, "text": f"Note from {role}"})
        if key in visible:
            assert response.status_code == 302, (role, key)
        else:
            assert response.status_code in {302, 404} and (
                response.status_code == 404 or status == 302
            ), (role, key)
    if status == 302:
        assert not setup["plan"].comments.exists()


def test_review_and_suggestion_matrix(as_role, client, setup):
    role, _user = as_role
    expected = WHOLE_PLAN_ONLY[role]
    response = client.get(reverse("plans:review", kwargs={"review_id": setup["review"].pk}))
    # A named partner opens a review to rate the goals shared with them, and sees no other.
    assert response.status_code == (200 if role == "partner_named" else expected), role
    if role == "partner_named":
        assert setup["shared"].title in response.content.decode()
        assert setup["private"].title not in response.content.decode()
    response = client.get(reverse("plans:agree", kwargs={"family_id": setup["family"].pk}))
    assert response.status_code == expected, role


def test_family_only_pages_matrix(as_role, client, setup):
    role, _user = as_role
    own = client.get(reverse("plans:plan"))
    has_family = role in {"parent", "other_parent", "mentor_matched", "mentor_unmatched"}
    # Every parent's "our plan" is their own family's: never this family's, unless theirs.
    assert own.status_code == (200 if has_family else 302 if role == "anonymous" else 404), role
    assert (setup["private"].title in own.content.decode()) == (role == "parent"), role
    # Only this family has a plan, so only its parent has anything to share.
    assert client.get(reverse("plans:sharing")).status_code == FAMILY_ONLY[role], role
    edit = client.get(reverse("plans:goal_edit", kwargs={"goal_id": setup["private"].pk}))
    assert edit.status_code == FAMILY_ONLY_STAFF_REDIRECT[role], role
    accept = client.post(
        reverse("plans:suggestion_accept", kwargs={"suggestion_id": setup["suggestion"].pk})
    )
    expected = FAMILY_ONLY_STAFF_REDIRECT[role]
    assert accept.status_code == (302 if expected == 200 else expected), role
    setup["suggestion"].refresh_from_db()
    assert (setup["suggestion"].status == Suggestion.Status.ACCEPTED) == (role == "parent")


def test_versions_matrix(as_role, client, setup, parent, key_worker):
    plan = setup["plan"]
    services.plan_confirm(plan=plan, actor=parent, revision=plan.revision)
    services.plan_confirm(plan=plan, actor=key_worker, revision=plan.revision)
    role, _user = as_role
    status, visible = PLAN_PAGE[role]
    url = reverse("plans:version_detail", kwargs={"family_id": setup["family"].pk, "number": 1})
    response = client.get(url)
    assert response.status_code == status, role
    body = response.content.decode()
    assert (setup["private"].title in body) == ("private" in visible), role
    assert (setup["shared"].title in body) == ("shared" in visible), role


def test_another_familys_plan_is_a_404_even_for_its_parent(client, other_parent, setup):
    client.force_login(other_parent)
    for url in (
        reverse("plans:family_plan", kwargs={"family_id": setup["family"].pk}),
        reverse("plans:goal_edit", kwargs={"goal_id": setup["shared"].pk}),
        reverse("plans:step_new", kwargs={"goal_id": setup["shared"].pk}),
        reverse("plans:family_plan", kwargs={"family_id": 999999}),
    ):
        assert client.get(url).status_code == 404, url


def test_mentor_cannot_see_unshared_goals_and_loses_access_when_consent_is_withdrawn(
    client, setup, mentor, parent
):
    client.force_login(mentor)
    url = reverse("plans:family_plan", kwargs={"family_id": setup["family"].pk})
    body = client.get(url).content.decode()
    assert setup["shared"].title in body
    assert setup["private"].title not in body
    assert "What is going well" not in body
    services.plan_sharing_set(plan=setup["plan"], actor=parent, wanted=set())
    body = client.get(url).content.decode()
    assert setup["shared"].title not in body
    step = setup["shared"].steps.get()
    assert (
        client.get(reverse("plans:goal_edit", kwargs={"goal_id": step.goal_id})).status_code == 404
    )


def test_staff_reads_of_the_plan_are_audited(client, setup, key_worker, partner):
    for person in (key_worker, partner):
        client.force_login(person)
        client.get(reverse("plans:family_plan", kwargs={"family_id": setup["family"].pk}))
        assert AuditEvent.objects.filter(
            actor=person, action=AuditEvent.Action.VIEW, object_type="Plan"
        ).exists()


def test_parent_reads_are_not_audited(client, setup, parent):
    client.force_login(parent)
    client.get(reverse("plans:plan"))
    assert not AuditEvent.objects.filter(actor=parent).exists()


def test_staff_without_two_step_sign_in_are_sent_to_set_it_up(client, setup, family):
    partner = factories.partner(family, mfa=False)
    client.force_login(partner)
    response = client.get(reverse("plans:family_plan", kwargs={"family_id": family.pk}))
    assert response.status_code == 302
    assert "totp" in response["Location"] or "mfa" in response["Location"]


def test_plain_english_check_is_for_staff_only(client, setup, parent, key_worker):
    url = reverse("plans:plain_english_check")
    client.force_login(parent)
    assert client.post(url, {"text": "Hello"}).status_code == 404
    client.force_login(key_worker)
    assert client.post(url, {"text": "Hello"}).status_code == 200


# Who sees what one adult keeps private: that adult and the staff who manage the family.
KEPT_SEEN = {
    "parent": True,
    "second_adult": False,
    "lead_key_worker": True,
    "key_worker_with_reason": True,
    "manager_with_reason": True,
    "partner_named": False,
    "mentor_matched": False,
}


@pytest.mark.parametrize("role", sorted(KEPT_SEEN))
def test_private_records_matrix(request, client, kept, setup, other_family, dad, role):
    """Every role that can open the family's plan, against each thing Aisha keeps private,
    through every page that shows a plan, a goal or a step."""
    user = dad if role == "second_adult" else _user(role, request, setup["family"], other_family)
    client.force_login(user)
    family = setup["family"]
    seen = KEPT_SEEN[role]
    pages = [
        reverse("plans:family_plan", kwargs={"family_id": family.pk}),
        reverse("plans:family_print", kwargs={"family_id": family.pk}),
    ]
    for url in pages:
        body = client.get(url).content.decode()
        assert (kept["goal"].title in body) == seen, (role, url)
        assert ("Leave the flat by eight" in body) == seen, (role, url)
        assert ("I owe money to a dealer" in body) == seen, (role, url)
    goal_page = reverse("plans:goal", kwargs={"goal_id": kept["goal"].pk})
    assert client.get(goal_page).status_code == (200 if seen else 404), role
    # Staff never change a family's words, so only Aisha opens her step's form.
    step_form = reverse("plans:step_edit", kwargs={"step_id": kept["own_step"].pk})
    assert client.get(step_form).status_code == (200 if role == "parent" else 404), role
    shared_page = client.get(reverse("plans:goal", kwargs={"goal_id": kept["shared"].pk}))
    assert ("Leave the flat by eight" in shared_page.content.decode()) == seen, role
