"""Every save of a plan's text answers the same way (plans/views/_autosave.py): saved,
not saved, or someone else saved first; for htmx's autosave and for a plain post."""

from __future__ import annotations

import importlib

import pytest
from django.urls import reverse

from plans import services
from plans.models import Goal, Plan, Step
from portal.ratelimit import Limit

HTMX = {"HTTP_HX_REQUEST": "true"}


def _about(plan, parent, dad):
    """(url, the post from the parent who opened it at version 1, reload -> their words)."""
    services.plan_about_update(
        plan=plan, actor=parent, strengths="We laugh", worries="", expected_version=1
    )
    services.plan_about_update(
        plan=plan, actor=dad, strengths="Dad wrote this", worries="", expected_version=2
    )
    url = reverse("plans:about_save", kwargs={"family_id": plan.family_id})
    post = {"version": 2, "strengths": "Mine", "worries": ""}
    return url, post, lambda: Plan.objects.get(pk=plan.pk).strengths, 3


def _goal(plan, parent, dad):
    goal = services.goal_create(plan=plan, actor=parent, title="Kids to school")
    services.goal_update(goal=goal, actor=dad, expected_version=1, title="Dad wrote this")
    url = reverse("plans:goal_save", kwargs={"family_id": plan.family_id})
    post = {"goal_id": goal.pk, "version": 1, "title": "Mine", "details": "", "how_we_know": ""}
    return url, post, lambda: Goal.objects.get(pk=goal.pk).title, 2


def _step(plan, parent, dad):
    goal = services.goal_create(plan=plan, actor=parent, title="Kids to school")
    owner = services.StepOwner(who="other", other_people="the mums")
    step = services.step_create(goal=goal, actor=parent, text="Walk", owner=owner)
    services.step_update(
        step=step, actor=dad, expected_version=1, text="Dad wrote this", owner=owner
    )
    url = reverse("plans:step_save", kwargs={"goal_id": goal.pk})
    post = {
        "step_id": step.pk,
        "version": 1,
        "text": "Mine",
        "who": "other",
        "other_people": "the mums",
        "due_date": "",
    }
    return url, post, lambda: Step.objects.get(pk=step.pk).text, 2


SAVES = {"about": _about, "goal": _goal, "step": _step}
# A later change to each text, and the module whose view saves it.
LATER = {"about": {"strengths": "Later"}, "goal": {"title": "Later"}, "step": {"text": "Later"}}
MODULES = {"about": "plan", "goal": "goals", "step": "steps"}


@pytest.mark.parametrize("what", SAVES)
def test_an_autosave_after_someone_else_saved_says_not_saved(client, parent, dad, plan, what):
    url, post, words, _newer = SAVES[what](plan, parent, dad)
    client.force_login(parent)
    response = client.post(url, post, **HTMX)
    assert response.status_code == 200
    body = response.content.decode()
    assert "Not saved" in body
    assert "Someone else saved this while you were writing" in body
    assert words() == "Dad wrote this"


@pytest.mark.parametrize("what", SAVES)
def test_a_post_after_someone_else_saved_shows_both_and_saves_over_theirs_next(
    client, parent, dad, plan, what
):
    url, post, words, newer = SAVES[what](plan, parent, dad)
    client.force_login(parent)
    response = client.post(url, post)
    assert response.status_code == 409
    body = response.content.decode()
    assert "Someone else saved this while you were writing" in body
    assert "Dad wrote this" in body and "Mine" in body
    assert f'name="version" value="{newer}"' in body
    assert words() == "Dad wrote this"
    assert client.post(url, {**post, "version": newer}).status_code == 302
    assert words() == "Mine"


@pytest.mark.parametrize("what", SAVES)
def test_an_autosave_that_saves_says_saved(client, parent, dad, plan, what):
    url, post, words, newer = SAVES[what](plan, parent, dad)
    client.force_login(parent)
    response = client.post(url, {**post, "version": newer}, **HTMX)
    assert response.status_code == 200
    assert "Saved" in response.content.decode() and "Not saved" not in response.content.decode()
    assert words() == "Mine"


@pytest.mark.parametrize("what", SAVES)
def test_saving_too_quickly_is_refused_and_nothing_is_saved(
    client, parent, dad, plan, monkeypatch, what
):
    views = importlib.import_module(f"plans.views.{MODULES[what]}")
    monkeypatch.setattr(views, "SAVE_LIMIT", Limit("plans:save", 1, 60))
    url, post, words, newer = SAVES[what](plan, parent, dad)
    client.force_login(parent)
    assert client.post(url, {**post, "version": newer}, **HTMX).status_code == 200
    response = client.post(url, {**post, "version": newer + 1, **LATER[what]}, **HTMX)
    assert response.status_code == 429
    assert "Wait 1 minute" in response.content.decode()
    assert words() == "Mine"
