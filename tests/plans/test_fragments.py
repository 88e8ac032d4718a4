"""Goal sections on the plan page are made once and reused until something they show changes."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from plans import services
from plans.fragments import TEMPLATE
from plans.models import Step
from portal import fragments as portal_fragments
from portal import pagecache

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def _goal_section(html: str, goal) -> str:
    start = html.index(f'id="goal-{goal.pk}"')
    return html[start : html.index("</section>", start)]


@pytest.fixture
def parent_client(parent):
    client = Client()
    client.force_login(parent)
    return client


@pytest.fixture
def dad_client(dad):
    client = Client()
    client.force_login(dad)
    return client


def test_sections_kept_for_one_parent_are_reused_for_the_other(
    parent_client, dad_client, goals, fragment_renders
):
    parent_client.get(reverse("plans:plan"))
    assert len(fragment_renders) == len(goals)
    html = dad_client.get(reverse("plans:plan")).content.decode()
    assert len(fragment_renders) == len(goals)  # nothing made again for the other parent
    assert "Walk with the other parents" in html and "Book debt advice" in html


def test_a_reused_section_carries_the_viewers_own_csrf_token(parent_client, dad_client, goals, dad):
    parent_client.get(reverse("plans:plan"))
    dad_client.handler.enforce_csrf_checks = True
    html = dad_client.get(reverse("plans:plan")).content.decode()
    shared, _private = goals
    section = _goal_section(html, shared)
    assert "<!--" not in section  # no marker left for a browser to send back
    token = TOKEN.search(section).group(1)
    response = dad_client.post(
        reverse("plans:comment_add", kwargs={"family_id": shared.plan.family_id}),
        {"goal": shared.pk, "text": "I can do Tuesdays", "csrfmiddlewaretoken": token},
    )
    assert response.status_code == 302
    assert shared.comments.get().author == dad


def test_each_change_to_a_goal_shows_at_once(
    parent_client, goals, parent, key_worker, family, plan
):
    shared, _private = goals
    url = reverse("plans:plan")
    parent_client.get(url)

    services.comment_add(plan=plan, actor=key_worker, text="Great start this week", goal=shared)
    assert "Great start this week" in _goal_section(parent_client.get(url).content.decode(), shared)

    step = Step.objects.get(goal=shared)
    services.step_done_set(step=step, actor=parent, done=True)
    assert "1 of 1 done" in _goal_section(parent_client.get(url).content.decode(), shared)

    services.suggestion_create(
        plan=plan,
        actor=key_worker,
        kind="step",
        text="Ask school about breakfast club",
        goal=shared,
    )
    assert "Ask school about breakfast club" in _goal_section(
        parent_client.get(url).content.decode(), shared
    )

    key_worker.preferred_name = "Sam the key worker"
    key_worker.save(update_fields=["preferred_name"])
    assert "Sam the key worker" in _goal_section(parent_client.get(url).content.decode(), shared)


def test_people_who_may_do_different_things_never_share_a_section(
    parent_client, goals, key_worker, family
):
    shared, _private = goals
    parent_html = _goal_section(parent_client.get(reverse("plans:plan")).content.decode(), shared)
    worker = Client()
    worker.force_login(key_worker)
    url = reverse("plans:family_plan", kwargs={"family_id": family.pk})
    worker_html = _goal_section(worker.get(url).content.decode(), shared)
    assert "Add a step" in parent_html and "Add a step" not in worker_html
    assert "Suggest a step for this goal" in worker_html
    assert "Suggest a step for this goal" not in parent_html


def test_sections_kept_under_another_secret_key_are_not_used(
    parent_client, goals, settings, fragment_renders
):
    parent_client.get(reverse("plans:plan"))
    parent_client.get(reverse("plans:plan"))
    assert len(fragment_renders) == len(goals)
    # A rotation keeps the old key as a fallback, so the parent stays signed in.
    settings.SECRET_KEY_FALLBACKS = [settings.SECRET_KEY]
    settings.SECRET_KEY = "another-secret-key-" + "x" * 40
    html = parent_client.get(reverse("plans:plan")).content.decode()
    assert len(fragment_renders) == 2 * len(goals)  # made again under the new key
    assert pagecache._marker("csrf") not in html
    assert TOKEN.search(html)


def test_a_fingerprint_holding_an_object_is_refused(rf):
    with pytest.raises(ValueError, match="plain values"):
        portal_fragments.render_kept(rf.get("/"), TEMPLATE, [((object(),), {})], seconds=60)


def test_under_debug_an_edited_template_makes_sections_afresh(
    parent_client, goals, settings, fragment_renders, monkeypatch
):
    settings.DEBUG = True
    parent_client.get(reverse("plans:plan"))
    assert len(fragment_renders) == len(goals)
    monkeypatch.setattr(portal_fragments, "_digest_of", lambda names: "edited")
    parent_client.get(reverse("plans:plan"))
    assert len(fragment_renders) == 2 * len(goals)
