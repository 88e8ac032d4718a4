"""Rules every URL of the portal keeps, checked over every pattern the resolver knows.

- A visitor who is not signed in is sent to sign in, unless the view is marked
  ``portal.access.public`` (a short list: the public site, sign-in help, health).
- A GET never writes: a view that saves something answers GET with 405, so a link, a
  prefetch or a crawler cannot reach a save. Writes are found by the SQL a GET runs, for
  people who may open each page (a parent, their key worker, a manager, a mentor), with
  the ids of the demo service's own records.
"""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import URLPattern, URLResolver, get_resolver

from portal import demo
from tests import factories

pytestmark = pytest.mark.django_db

# The packages' own pages: their sign-in checks are tested in test_sign_in_doors.py.
OTHER_PROJECTS = ("/cms/", "/django-admin/", "/accounts/", "/documents/", "/_util/", "/media/")

# Tables a GET may write to: who read a family's record (the audit), sessions, and how far
# someone has read a conversation or their notifications (opening them is reading them).
MAY_WRITE_ON_GET = {
    "portal_auditevent",
    "django_session",
    "chat_participant",
    "notifications_notification",
}

MAX_PUBLIC_VIEWS = 25


def _walk(patterns, prefix=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern), pattern


def _own_patterns():
    for route, pattern in _walk(get_resolver().url_patterns):
        path = "/" + route.lstrip("^")
        if not path.startswith(OTHER_PROJECTS) and pattern.name != "wagtail_serve":
            yield path, pattern


def _fill(route: str, ids: dict[str, object]) -> str | None:
    path = route.replace("$", "").replace("^", "")
    path = path.replace("/?", "/")
    missing = []

    def value(name):
        if name not in ids:
            missing.append(name)
            return ""
        return str(ids[name])

    path = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: value(m.group(1)), path)
    path = re.sub(r"\(\?P<(\w+)>[^)]*\)", lambda m: value(m.group(1)), path)
    if missing or any(mark in path for mark in "(?*[\\"):
        return None
    return path


def _is_public(pattern) -> bool:
    return bool(getattr(pattern.callback, "portal_public", False))


@pytest.fixture
def service(db):
    people = demo.seed()
    for key in ("key_worker", "manager", "partner"):
        factories.give_mfa(people[key])
    return people


def _ids(people) -> dict[str, object]:
    from chat.models import Conversation
    from content.models import Booking, LocalService, SessionOccurrence
    from peer_mentors.models import Mentor, MentorMatch
    from plans.models import (
        Goal,
        InterventionTemplate,
        JargonTerm,
        OutcomeArea,
        Review,
        Step,
        Suggestion,
    )
    from safeguarding.models import Concern

    family = people["family:parent"]
    conversation = Conversation.objects.filter(family=family).order_by("pk").first()
    goal = Goal.objects.filter(plan__family=family).order_by("pk").first()
    found = {
        "family_id": family.pk,
        "conversation_id": conversation.pk,
        "message_id": conversation.messages.order_by("pk").first().pk,
        "goal_id": goal.pk,
        "step_id": Step.objects.filter(goal=goal).order_by("pk").first().pk,
        "suggestion_id": getattr(Suggestion.objects.filter(plan__family=family).first(), "pk", 1),
        "review_id": getattr(Review.objects.filter(plan__family=family).first(), "pk", 1),
        "number": 1,
        "template_id": InterventionTemplate.objects.first().pk,
        "area_id": OutcomeArea.objects.first().pk,
        "term_id": getattr(JargonTerm.objects.first(), "pk", 1),
        "mentor_id": Mentor.objects.order_by("pk").first().pk,
        "match_id": getattr(MentorMatch.objects.order_by("pk").first(), "pk", 1),
        "concern_id": getattr(Concern.objects.order_by("pk").first(), "pk", 1),
        "occurrence_id": SessionOccurrence.objects.order_by("starts_at").first().pk,
        "booking_id": getattr(Booking.objects.order_by("pk").first(), "pk", 1),
        "service_id": LocalService.objects.order_by("pk").first().pk,
        "notification_id": 1,
        "token": "not-a-real-token",
    }
    return found


def test_visitors_are_sent_to_sign_in_unless_the_page_is_public(client, service):
    ids = _ids(service)
    public = []
    checked = 0
    for route, pattern in _own_patterns():
        path = _fill(route, ids)
        if path is None:
            continue
        response = client.get(path)
        checked += 1
        if _is_public(pattern):
            public.append(route)
            continue
        assert response.status_code in {302, 405}, f"{path}: {response.status_code}"
        if response.status_code == 302:
            assert response["Location"].startswith("/accounts/login/"), (
                f"{path} sends visitors to {response['Location']}"
            )
    assert checked > 80
    # The public list stays short and deliberate.
    assert 0 < len(public) <= MAX_PUBLIC_VIEWS, public


def test_every_view_says_which_methods_it_takes(client, service):
    """Each view is wrapped in require_GET, require_POST or require_http_methods, so a
    method it does not take (here PUT) is a 405 before the view runs."""
    ids = _ids(service)
    offenders = []
    for route, _pattern in _own_patterns():
        path = _fill(route, ids)
        if path is None:
            continue
        client.force_login(service["parent"])
        if client.put(path).status_code != 405:
            offenders.append(path)
    assert not offenders, "\n".join(offenders)


ACCESS_REDIRECTS = ("/accounts/", "/families/")


def _posts_back_to_itself(response, path: str) -> bool:
    """A page that shows a form on GET whose POST comes back to the same address."""
    if response.status_code != 200:
        return False
    body = response.content.decode(errors="replace")
    for form in re.finditer(r"<form\b[^>]*>", body, flags=re.I):
        tag = form.group(0)
        if not re.search(r'method="post"', tag, flags=re.I):
            continue
        action = re.search(r'action="([^"]*)"', tag)
        if action is None or action.group(1) in {"", path}:
            return True
    return False


@pytest.mark.parametrize("who", ["parent", "key_worker", "manager", "mentor", "partner"])
def test_views_that_save_refuse_get(client, service, who):
    """A view that takes a POST either refuses GET (405) or is the page of its own form."""
    ids = _ids(service)
    user = service[who]
    client.force_login(user)
    answers = {}
    for route, _pattern in _own_patterns():
        path = _fill(route, ids)
        if path is not None and not path.startswith("/exit/"):
            answers[path] = client.get(path)
    offenders = []
    for path, got in answers.items():
        client.force_login(user)
        posted = client.post(path, {})
        # Not this person's page (404, 403), or not one that takes a POST.
        if posted.status_code == 405 or got.status_code in {403, 404, 405}:
            continue
        if got.status_code == 302 and (
            got["Location"].startswith(ACCESS_REDIRECTS)
            or got["Location"] == posted.get("Location")
        ):
            # Sent to sign in, set up two-step sign-in or give a reason; or sent on
            # whatever the method (say a mentor who asks to become one).
            continue
        if not _posts_back_to_itself(got, path):
            offenders.append(f"{path}: GET {got.status_code}, POST {posted.status_code}")
    assert len(answers) > 80
    assert not offenders, "\n".join(offenders)


def _writes(queries) -> set[str]:
    tables = set()
    for query in queries:
        sql = query["sql"].lstrip().upper()
        match = re.match(r'(INSERT INTO|UPDATE|DELETE FROM)\s+"?(\w+)"?', sql)
        if match:
            tables.add(match.group(2).lower())
    return tables


@pytest.mark.parametrize("who", ["parent", "key_worker", "manager", "mentor", "partner"])
def test_no_get_writes(client, service, who):
    ids = _ids(service)
    user = service[who]
    offenders = []
    checked = 0
    for route, _pattern in _own_patterns():
        path = _fill(route, ids)
        if path is None or path.startswith("/exit/"):
            continue
        client.force_login(user)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(path)
        checked += 1
        written = _writes(queries.captured_queries) - MAY_WRITE_ON_GET
        if written and response.status_code != 405:
            offenders.append(f"{path} ({response.status_code}) wrote {sorted(written)}")
    assert checked > 80
    assert not offenders, "\n".join(offenders)
