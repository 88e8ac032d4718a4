"""Every URL that takes a parameter answers an id that cannot be one with 404, never 500.

The URLs come from the project's resolver, walked through every include, so a pattern
added later is covered without being listed here.
"""

from urllib.parse import quote

import pytest
from django.core.cache import cache
from django.urls import URLResolver, get_resolver, reverse
from django.utils.regex_helper import normalize

from portal.converters import IdConverter, parse_id
from portal.models import StaffProfile
from tests import factories

BAD_IDS = ["²", "٣", "-1", "0", "99999999999999999999", "7" * 400]

# The Wagtail and Django admins are the packages' own URLs, tested by their projects, and
# their sign-in checks turn away everyone here (none is a Wagtail or Django admin user)
# before any id is read; walking their hundreds of patterns would add only redirects.
SKIPPED_PREFIXES = ("cms/", "django-admin/")

# Not ids: allauth's email and password links answer a bad key with a page saying the link
# is not valid (200). These need only not fail.
TOKENS = {"token", "key", "uidb36"}

WRONG_METHOD = 405
NOT_FOUND = 404


def _endpoints(patterns, prefix="", converters=None):
    """(full regex, converters, endpoint) for every pattern under ``patterns``, through
    includes; ``converters`` maps each path() parameter to its converter."""
    for pattern in patterns:
        regex = prefix + pattern.pattern.regex.pattern.removeprefix("^")
        found = {**(converters or {}), **getattr(pattern.pattern, "converters", {})}
        if isinstance(pattern, URLResolver):
            yield from _endpoints(pattern.url_patterns, regex, found)
        else:
            yield regex, found, pattern


def _walk():
    """(path format, parameter names, converters, endpoint) outside the skipped admins."""
    for regex, converters, endpoint in _endpoints(get_resolver().url_patterns):
        # The same expansion reverse() uses; take the form that fills the most parameters.
        form, params = max(normalize(regex), key=lambda candidate: len(candidate[1]))
        if not form.startswith(SKIPPED_PREFIXES):
            yield form, params, converters, endpoint


def _parameterised_paths():
    """A format string, its parameter names and the view, for each endpoint with parameters."""
    return [
        (form, params, endpoint.lookup_str)
        for form, params, _converters, endpoint in _walk()
        if params
    ]


def test_the_portals_urls_take_ids_through_the_id_converter():
    apps = ("portal.", "plans.", "peer_mentors.", "chat.", "content.")
    wrong = [
        f"{endpoint.lookup_str}: <{type(converter).__name__}:{name}>"
        for _form, _params, converters, endpoint in _walk()
        if endpoint.lookup_str.startswith(apps)
        for name, converter in converters.items()
        if name not in TOKENS and not isinstance(converter, IdConverter)
    ]
    assert not wrong


def _url(form, params, value):
    return "/" + form % {name: quote(value) for name in params}


def test_the_walk_finds_the_portals_own_patterns():
    """A guard on the walk itself: it reaches into includes and sees each app's ids."""
    views = {view for _form, _params, view in _parameterised_paths()}
    for view in (
        "portal.views.family_detail",
        "plans.views.versions.version_detail",
        "peer_mentors.views.family_propose",
        "chat.views.message_report",
        "chat.views.notification_read",
        "content.views.service_detail",
        "content.routing.serve",
    ):
        assert view in views
    assert len(views) > 60


@pytest.fixture
def people(db):
    key_worker = factories.staff(StaffProfile.Role.KEY_WORKER)
    family = factories.family(key_worker=key_worker)
    return {
        "anonymous": None,
        "parent": factories.parent(family),
        "key_worker": key_worker,
        "manager": factories.staff(StaffProfile.Role.MANAGER),
    }


def _refused(response, *, signed_in: bool, token: bool) -> bool:
    if response.status_code in {NOT_FOUND, WRONG_METHOD}:
        return True
    if token:
        return response.status_code < 500
    return (
        not signed_in
        and response.status_code == 302
        and response["Location"].startswith(reverse("account_login"))
    )


@pytest.mark.parametrize("who", ["anonymous", "parent", "key_worker", "manager"])
def test_an_id_that_cannot_be_one_is_not_found_on_every_url(client, people, who):
    """Unicode digits, signs, zero, ids past the database's integers and very long ids."""
    user = people[who]
    if user is not None:
        client.force_login(user)  # staff here have an authenticator: two-step sign-in done
    client.raise_request_exception = False
    wrong = []
    for form, params, view in _parameterised_paths():
        for value in BAD_IDS:
            url = _url(form, params, value)
            for method in (client.get, client.post):
                cache.clear()  # rate limits are not under test; a hundred posts would trip them
                response = method(url)
                if response.status_code == 301 and response["Location"] == url + "/":
                    response = method(response["Location"])  # APPEND_SLASH, then the answer
                token = not TOKENS.isdisjoint(params)
                if not _refused(response, signed_in=user is not None, token=token):
                    wrong.append(
                        f"{method.__name__.upper()} {url[:80]} as {who} ({view}): {response.status_code}"
                    )
    assert not wrong, f"{len(wrong)} requests not refused:\n" + "\n".join(wrong)


@pytest.fixture
def plan_world(db):
    """A family with an agreed plan, a goal and a chat; its parent and its lead key worker."""
    from chat import services as chat_services
    from plans import services as plan_services

    key_worker = factories.staff(StaffProfile.Role.KEY_WORKER)
    family = factories.family(key_worker=key_worker)
    parent = factories.parent(family)
    plan = plan_services.plan_start(family=family, actor=parent)
    goal = plan_services.goal_create(plan=plan, actor=parent, title="Get to school on time")
    plan.refresh_from_db()
    for person in (parent, key_worker):
        plan_services.plan_confirm(plan=plan, actor=person, revision=plan.revision)
    conversation = chat_services.conversation_key_worker_ensure(family=family)
    return {
        "people": {"parent": parent, "key_worker": key_worker},
        "kwargs": {
            "family": {"family_id": family.pk},
            "goal": {"goal_id": goal.pk},
            "conversation": {"conversation_id": conversation.pk},
            None: {},
        },
        "goal": goal.pk,
    }


# An id in a query string or form field that names a record: one that cannot be an id is
# missing (404), like a URL's. Each is sent first with a real id (or, where None, without
# the field), so the 404 is the id's and not the page refusing the person.
NAMED_BY_FORM = [
    ("parent", "get", "plans:version_diff", "family", {"from": "{id}", "to": "1"}, "1"),
    ("parent", "post", "plans:goal_save", "family", {"goal_id": "{id}", "version": "1"}, "goal"),
    ("parent", "post", "plans:comment_add", "family", {"goal": "{id}", "text": "Hi"}, "goal"),
    ("parent", "get", "plans:templates", None, {"goal": "{id}"}, "goal"),
    ("parent", "get", "plans:goal_new", "family", {"suggestion": "{id}"}, None),
    ("parent", "post", "plans:step_save", "goal", {"step_id": "{id}", "version": "1"}, None),
]

# An optional id that cannot be one is ignored: the page opens as if it were not given.
IGNORED_WHEN_BAD = [
    ("parent", "plans:step_new", "goal", {"template": "{id}"}),
    ("key_worker", "plans:suggest", "family", {"template": "{id}"}),
    ("parent", "chat:conversation", "conversation", {"before": "{id}"}),
]


def _fill(data, value):
    return {field: text.format(id=value) for field, text in data.items()}


@pytest.mark.parametrize("bad", BAD_IDS)
def test_an_id_in_a_form_or_query_that_cannot_be_one_is_missing_or_ignored(client, plan_world, bad):
    client.raise_request_exception = False
    wrong = []
    for who, method, name, kind, data, good in NAMED_BY_FORM:
        client.force_login(plan_world["people"][who])
        url = reverse(name, kwargs=plan_world["kwargs"][kind])
        send = getattr(client, method)
        if good is None:
            control = {field: text for field, text in data.items() if "{id}" not in text}
        else:
            control = _fill(data, plan_world.get(good, good))
        assert send(url, control).status_code != NOT_FOUND, (name, "the control was refused")
        response = send(url, _fill(data, bad))
        if response.status_code != NOT_FOUND:
            wrong.append(f"{method.upper()} {name} as {who}: {response.status_code}")
    for who, name, kind, data in IGNORED_WHEN_BAD:
        client.force_login(plan_world["people"][who])
        url = reverse(name, kwargs=plan_world["kwargs"][kind])
        assert client.get(url).status_code == 200, (name, "without the id")
        response = client.get(url, _fill(data, bad))
        if response.status_code != 200:
            wrong.append(f"GET {name} as {who}: {response.status_code}")
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1", 1),
        ("0", 0),
        (str(2**63 - 1), 2**63 - 1),
        (str(2**63), None),
        ("²", None),
        ("٣", None),
        ("-1", None),
        (" 1", None),
        ("1\n", None),
        ("", None),
        ("7" * 400, None),
    ],
)
def test_parse_id_takes_ascii_digits_within_the_databases_ids(text, expected):
    assert parse_id(text) == expected
