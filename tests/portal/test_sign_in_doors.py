"""Every way of signing in goes through allauth, and staff pages need this session to have
passed two-step sign-in (not merely an account that has an authenticator).

The login views are found from the URL resolver, so a login page added by a library or a
later change is tried too.
"""

from __future__ import annotations

import uuid

import pytest
from allauth.account.views import LoginView as AllauthLoginView
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.contrib.auth.views import LoginView as DjangoLoginView
from django.core.cache import cache
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django.utils import timezone

from chat import services as chat_services
from chat.access import socket_may_use
from chat.models import Conversation
from portal.models import FamilyPractitioner, StaffProfile
from tests import factories
from tests.helpers.browser import totp_code
from tests.helpers.sign_in import force_login_password_only

pytestmark = pytest.mark.django_db

FAMILY_NAME = "Zebedee-Quartermaine household"
PARENT_NAME = "Philippa"


def _walk(patterns, prefix=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern), pattern


def _is_login_view(pattern: URLPattern) -> bool:
    view_class = getattr(pattern.callback, "view_class", None)
    if isinstance(view_class, type) and issubclass(view_class, DjangoLoginView | AllauthLoginView):
        return True
    return bool(pattern.name and pattern.name.endswith("login"))


def _plain(route: str) -> str | None:
    """The path of a route that takes no parameters, or None."""
    path = "/" + route.lstrip("^").rstrip("$")
    if any(mark in path for mark in "<(?*["):
        return None
    return path


def login_paths() -> list[str]:
    paths = {_plain(route) for route, pattern in _walk(get_resolver().url_patterns)}
    found = {
        _plain(route)
        for route, pattern in _walk(get_resolver().url_patterns)
        if _is_login_view(pattern)
    }
    assert paths
    return sorted(path for path in found if path)


LOGIN_PATHS = login_paths()


def test_the_resolver_finds_every_kind_of_login_page():
    # Not the list the tests use: a check that finding them from the resolver works.
    for path in ("/accounts/login/", "/cms/login/", "/django-admin/login/", "/_util/login/"):
        assert path in LOGIN_PATHS


def _post_login(client, path: str, email: str, password: str):
    # allauth's form names the email "login", Django's and Wagtail's "username".
    return client.post(path, {"login": email, "username": email, "password": password}, follow=True)


@pytest.fixture
def world(db):
    key_worker = factories.staff(StaffProfile.Role.KEY_WORKER)
    family = factories.family(key_worker=key_worker, name=FAMILY_NAME)
    parent = factories.parent(family, name=PARENT_NAME)
    conversation = Conversation.objects.get(family=family, kind=Conversation.Kind.KEY_WORKER)
    chat_services.message_send(
        access=socket_may_use(parent, conversation),
        sender=parent,
        body="Hello",
        client_id=uuid.uuid4(),
    )
    return {"family": family, "key_worker": key_worker, "parent": parent}


def _family_pages(family) -> list[str]:
    conversation = Conversation.objects.get(family=family, kind=Conversation.Kind.KEY_WORKER)
    return [
        f"/families/{family.pk}/",
        f"/plans/family/{family.pk}/",
        conversation.get_absolute_url(),
        "/messages/",
        "/cms/",
        "/django-admin/",
    ]


@pytest.mark.parametrize("path", LOGIN_PATHS)
def test_staff_with_an_authenticator_cannot_skip_the_code_on_any_login_page(client, world, path):
    key_worker = world["key_worker"]
    _post_login(client, path, key_worker.email, factories.PASSWORD)
    for page in _family_pages(world["family"]):
        response = client.get(page)
        assert response.status_code != 200, f"{page} opened after signing in at {path}"
        assert FAMILY_NAME not in response.content.decode()


@pytest.mark.parametrize("path", LOGIN_PATHS)
def test_staff_without_an_authenticator_open_no_family_page_from_any_login_page(client, db, path):
    key_worker = factories.staff(StaffProfile.Role.KEY_WORKER, mfa=False)
    family = factories.family(key_worker=key_worker, name=FAMILY_NAME)
    _post_login(client, path, key_worker.email, factories.PASSWORD)
    for page in _family_pages(family):
        response = client.get(page)
        assert response.status_code != 200, f"{page} opened after signing in at {path}"
        assert FAMILY_NAME not in response.content.decode()


@pytest.mark.parametrize("path", LOGIN_PATHS)
def test_wrong_passwords_past_the_limit_lock_every_login_page(client, world, path):
    cache.clear()
    parent = world["parent"]
    for _ in range(15):
        _post_login(client, path, parent.email, "not-the-password")
    _post_login(client, path, parent.email, factories.PASSWORD)
    assert "_auth_user_id" not in client.session, f"signed in at {path} after 15 failures"


@pytest.mark.parametrize("path", [p for p in LOGIN_PATHS if resolve(p).url_name != "account_login"])
def test_other_login_pages_send_people_to_the_portals_sign_in(client, db, path):
    response = client.get(f"{path}?next=/cms/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=%2Fcms%2F"
    response = client.post(path, {"username": "a@example.org", "password": "x"})
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_a_password_only_session_is_sent_to_enter_its_code_then_opens_the_family(client, db):
    key_worker = factories.staff(StaffProfile.Role.KEY_WORKER, mfa=False)
    secret = generate_totp_secret()
    TOTP.activate(key_worker, secret)
    family = factories.family(key_worker=key_worker, name=FAMILY_NAME)
    force_login_password_only(client, key_worker)

    response = client.get(f"/families/{family.pk}/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/2fa/reauthenticate/")
    assert client.get("/messages/").status_code == 302
    dashboard = client.get("/dashboard/").content.decode()
    assert FAMILY_NAME not in dashboard
    assert "Enter the code from your authenticator app" in dashboard

    response = client.post(
        f"/accounts/2fa/reauthenticate/?next=/families/{family.pk}/",
        {"code": totp_code(secret)},
    )
    assert response.status_code == 302
    assert client.get(f"/families/{family.pk}/").status_code == 200


def test_signing_in_with_password_and_code_opens_the_family(client, db):
    key_worker = factories.staff(StaffProfile.Role.KEY_WORKER, mfa=False)
    secret = generate_totp_secret()
    TOTP.activate(key_worker, secret)
    family = factories.family(key_worker=key_worker, name=FAMILY_NAME)

    response = client.post(
        "/accounts/login/", {"login": key_worker.email, "password": factories.PASSWORD}
    )
    assert response["Location"] == "/accounts/2fa/authenticate/"
    assert client.get(f"/families/{family.pk}/").status_code == 302
    response = client.post("/accounts/2fa/authenticate/", {"code": totp_code(secret)})
    assert response.status_code == 302
    assert client.get(f"/families/{family.pk}/").status_code == 200


# Transactional: allauth says an authenticator was added once it is committed, which in a
# real request (no ATOMIC_REQUESTS) is at once, inside the request.
@pytest.mark.django_db(transaction=True)
def test_setting_up_the_authenticator_counts_as_the_code_step(client):
    key_worker = factories.staff(StaffProfile.Role.KEY_WORKER, mfa=False)
    family = factories.family(key_worker=key_worker, name=FAMILY_NAME)
    client.post("/accounts/login/", {"login": key_worker.email, "password": factories.PASSWORD})
    assert client.get(f"/families/{family.pk}/")["Location"] == "/accounts/2fa/totp/activate/"

    # allauth asks for the password again before an authenticator is added.
    client.post("/accounts/reauthenticate/", {"password": factories.PASSWORD})
    client.get("/accounts/2fa/totp/activate/")
    secret = client.session["mfa.totp.secret"]
    response = client.post("/accounts/2fa/totp/activate/", {"code": totp_code(secret)})
    assert response.status_code == 302
    assert client.get(f"/families/{family.pk}/").status_code == 200


# Item 2: no staff page names a family before two-step sign-in ---------------------------


def _fill(route: str, ids: dict[str, int]) -> str | None:
    """A concrete path for ``route``, with known ids for the parameters it names."""
    import re

    path = "/" + route.lstrip("^").replace("$", "")
    names = re.findall(r"<(?:\w+:)?(\w+)>|\(\?P<(\w+)>[^)]*\)", path)
    for typed, regex in names:
        name = typed or regex
        if name not in ids:
            return None
    path = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(ids[m.group(1)]), path)
    path = re.sub(r"\(\?P<(\w+)>[^)]*\)", lambda m: str(ids[m.group(1)]), path)
    if any(mark in path for mark in "(?*[\\"):
        return None
    return path


def _staff_without_the_code_step():
    yield "key worker without an authenticator", factories.staff(mfa=False), True
    yield "manager without an authenticator", factories.staff("manager", mfa=False), True
    yield "partner without an authenticator", factories.staff("partner", mfa=False), True
    yield "key worker whose session skipped the code", factories.staff(), False


def test_no_page_names_a_family_to_staff_before_two_step_sign_in(client, world):
    family = world["family"]
    conversation = Conversation.objects.get(family=family, kind=Conversation.Kind.KEY_WORKER)
    ids = {
        "family_id": family.pk,
        "conversation_id": conversation.pk,
        "message_id": conversation.messages.first().pk,
        "object_id": family.pk,
        "pk": family.pk,
    }
    paths = sorted(
        {
            path
            for route, _pattern in _walk(get_resolver().url_patterns)
            if (path := _fill(route, ids)) and not path.startswith(("/accounts/logout", "/exit/"))
        }
    )
    assert len(paths) > 100
    for label, user, is_lead in _staff_without_the_code_step():
        if is_lead or "skipped" in label:
            family.lead_key_worker = user if user.staff_profile.role == "key_worker" else None
            family.save(update_fields=["lead_key_worker"])
        if user.staff_profile.role == "partner":
            FamilyPractitioner.everyone.create(
                family=family,
                user=user,
                agency=factories.agency_record(),
                starts=timezone.localdate(),
            )
        force_login_password_only(client, user)
        for path in paths:
            response = client.get(path)
            body = response.content.decode(errors="replace")
            assert FAMILY_NAME not in body and PARENT_NAME not in body, (
                f"{path} names the family to a {label}"
            )
