"""A family's own pages kept ready to serve again until something on them changes.

A parent opens the same few pages again and again (the dashboard, the plan, a
conversation, a guide). A view that may be kept calls ``allow(request)`` once it has
checked access; ``PageCacheMiddleware`` then keeps the rendered page for that browser
session only, and serves it again without running the view while nothing it shows has
changed.

Nothing is shared between people: the key holds a hash of the session key, so another
person, another device, or the same person after signing in again never reads it.

Freshness comes from stamps, counters in the shared cache:

- ``everyone``: bumped by any change to content, sessions and bookings, staff profiles
  and working hours, and any model this module knows nothing about;
- one per person: bumped by any change to a record that person can see, found from the
  record's family (its members, practitioners, mentors, key worker and conversation
  participants) or its own person.

Every save and delete bumps the stamps of the people it touches once its transaction
commits; writes that bypass model signals (``QuerySet.update``, ``bulk_create``, raw SQL)
call ``changed(...)`` themselves. A kept page remembers the stamps it was made under and is
served only while they are unchanged, and never for longer than ``PAGE_CACHE_SECONDS``
(relative times such as "5 minutes ago" and working hours move on with the clock).

The CSP nonce and the CSRF tokens in a kept page are swapped for fresh ones each time it is
served. Pages are kept only with a cache every process shares (Redis), and only for people
with no staff role; a page that showed a one-off message ("Goal saved") is never kept.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import logging
import re
import secrets

from django.apps import apps
from django.conf import settings
from django.core.cache import caches
from django.db import transaction
from django.db.models.signals import m2m_changed, post_save, pre_delete
from django.http import HttpResponse
from django.middleware.csrf import _unmask_cipher_token, get_token

logger = logging.getLogger(__name__)

EVERYONE = "everyone"
_PREFIX = "pagecache:v1:"

# Records no page a family sees is made from.
IGNORED = frozenset(
    {
        "sessions.session",
        "portal.auditevent",
        "django_tasks_database.dbtaskresult",
        "admin.logentry",
        "account.emailconfirmation",
        "wagtailcore.modellogentry",
        "wagtailcore.pagelogentry",
        "wagtailcore.referenceindex",
        "wagtailadmin.editingsession",
        "wagtailadmin.formstate",
        "wagtailsearch.indexentry",
        "wagtailsearch.sqliteftsindexentry",
        "wagtailimages.rendition",
        "wagtailembeds.embed",
    }
)

# Records that show on many families' pages: places left on a session, a key worker's
# name and working hours.
FOR_EVERYONE = frozenset(
    {
        "content.booking",
        "portal.staffprofile",
        "chat.workinghours",
        "portal.user",
        "peer_mentors.mentor",
    }
)

_PERSON_APPS = frozenset(
    {"portal", "plans", "chat", "peer_mentors", "content", "notifications", "account", "mfa"}
)

# How to reach a record's family, per model (a lookup for ``values_list``).
_FAMILY_PATHS: dict[str, str] = {}
# How to reach the people a record is about directly (lookups for ``values_list``).
_PERSON_PATHS: dict[str, tuple[str, ...]] = {}


def enabled() -> bool:
    return settings.PAGE_CACHE


def _cache():
    return caches["default"]


# Stamps ---------------------------------------------------------------------------------


def _stamp_key(who) -> str:
    return f"{_PREFIX}stamp:{who}"


def _read_stamps(keys: list[str], cache) -> dict[str, object]:
    found = cache.get_many(keys)
    for key in keys:
        if key not in found:
            # A missing stamp starts at a random value, never at a number a page kept
            # before the cache lost it could carry.
            cache.add(key, secrets.randbits(48), timeout=None)
    if len(found) < len(keys):
        found = cache.get_many(keys)
    return found


def _bump(keys) -> None:
    cache = _cache()
    for key in keys:
        try:
            cache.incr(key)
        except ValueError:
            cache.add(key, secrets.randbits(48), timeout=None)
        except Exception:  # noqa: BLE001 - without the cache nothing is served from it either
            logger.warning("Could not mark pages as changed", exc_info=True)
            return


def stamp_cache_keys(user_ids) -> list[str]:
    """The cache's own keys for these people's stamps (for a raw Redis INCR)."""
    cache = _cache()
    return [cache.make_key(_stamp_key(pk)) for pk in user_ids]


def changed(*, users=(), families=(), everyone: bool = False) -> None:
    """Mark every kept page of these people (and of everyone in these families) as out of
    date once the current transaction commits. Changes gather until then, so a form that
    saves ten rows of one family looks its people up once."""
    if not enabled():
        return
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        _flush_changes({"users": set(users), "families": set(families), "everyone": everyone})
        return
    pending = getattr(connection, "_pagecache_pending", None)
    registered = pending is not None and any(
        entry[1] is pending["flush"] for entry in connection.run_on_commit
    )
    if not registered:  # the first change, or an earlier one was rolled back
        pending = {"users": set(), "families": set(), "everyone": False}
        pending["flush"] = functools.partial(_flush, connection, pending)
        connection._pagecache_pending = pending
        transaction.on_commit(pending["flush"])
    pending["users"].update(users)
    pending["families"].update(families)
    pending["everyone"] = pending["everyone"] or everyone


def _flush(connection, pending) -> None:
    if getattr(connection, "_pagecache_pending", None) is pending:
        connection._pagecache_pending = None
    _flush_changes(pending)


def _flush_changes(pending) -> None:
    if pending["everyone"]:
        _bump({_stamp_key(EVERYONE)})
        return
    try:
        people = set(pending["users"]) | family_people(set(pending["families"]))
    except Exception:  # noqa: BLE001 - when in doubt, every page is out of date
        logger.warning("Could not find whose pages changed", exc_info=True)
        _bump({_stamp_key(EVERYONE)})
        return
    _bump({_stamp_key(pk) for pk in people if pk is not None})


def family_people(family_ids: set) -> set:
    """Everyone who can see something of these families."""
    family_ids = {pk for pk in family_ids if pk is not None}
    if not family_ids:
        return set()
    Family = apps.get_model("portal", "Family")
    people = set()
    for lookup in ("lead_key_worker_id", "members__user_id", "practitioners__user_id"):
        people.update(
            Family.objects.filter(pk__in=family_ids).values_list(lookup, flat=True).distinct()
        )
    for label, lookup in (
        ("peer_mentors.MentorMatch", "mentor__user_id"),
        ("chat.Conversation", "participants__user_id"),
    ):
        model = apps.get_model(label)
        people.update(model.objects.filter(family_id__in=family_ids).values_list(lookup, flat=True))
    return {pk for pk in people if pk is not None}


# Which records touch whom ----------------------------------------------------------------


def _relation_paths(model) -> tuple[str | None, tuple[str, ...]]:
    """The lookup from ``model`` to its family (through up to three links) and to the
    people it names as its own (``user``, ``recipient``, a step's ``member``)."""
    label = model._meta.label_lower
    if label in _FAMILY_PATHS or label in _PERSON_PATHS:
        return _FAMILY_PATHS.get(label), _PERSON_PATHS.get(label, ())
    Family = apps.get_model("portal", "Family")
    User = apps.get_model(settings.AUTH_USER_MODEL)
    # Every path to the family through up to three links; one that cannot be empty (a
    # step's goal, rather than the family member it may name) is preferred.
    paths: list[tuple[str, bool]] = []
    frontier = [(model, "", True)]
    for _depth in range(3):
        following = []
        for current, prefix, required in frontier:
            for field in current._meta.concrete_fields:
                if not field.is_relation or field.related_model is None:
                    continue
                path, needed = f"{prefix}{field.name}", required and not field.null
                if field.related_model is Family:
                    paths.append((f"{path}_id", needed))
                elif field.related_model is not User:
                    following.append((field.related_model, f"{path}__", needed))
        frontier = following
    family_path = next((p for p, needed in paths if needed), paths[0][0] if paths else None)
    if model is Family:
        family_path = "id"
    # A record's own person, where it is known to be the one who sees it (a notification's
    # recipient, a family member); elsewhere "user" may be an author others read.
    people = ()
    if model._meta.app_label in _PERSON_APPS:
        people = tuple(
            f"{field.name}_id"
            for field in model._meta.concrete_fields
            if field.is_relation
            and field.name in {"user", "recipient"}
            and field.related_model is User
        )
    _FAMILY_PATHS[label] = family_path
    _PERSON_PATHS[label] = people
    return family_path, people


def _touched(model, instance) -> tuple[bool, set, set]:
    """(everyone, people, families) a row of ``model`` shows to."""
    label = model._meta.label_lower
    if label in FOR_EVERYONE:
        # A sign-in only stamps the time on the person: only their own pages change.
        if label == "portal.user" and _only_last_login(instance):
            return False, {instance.pk}, set()
        return True, set(), set()
    family_path, person_paths = _relation_paths(model)
    if family_path is None and not person_paths:
        return True, set(), set()
    lookups = ([family_path] if family_path else []) + list(person_paths)
    if all("__" not in lookup for lookup in lookups):
        rows = [tuple(getattr(instance, lookup) for lookup in lookups)]
    else:
        rows = list(model._base_manager.filter(pk=instance.pk).values_list(*lookups))
    if not rows:
        return True, set(), set()
    families, people = set(), set()
    for row in rows:
        values = list(row)
        if family_path:
            families.add(values.pop(0))
        people.update(values)
    families.discard(None)
    people.discard(None)
    if not families and not people:
        return True, set(), set()
    return False, people, families


def _only_last_login(instance) -> bool:
    return getattr(instance, "_pagecache_update_fields", None) == frozenset({"last_login"})


def _on_change(sender, instance, **kwargs) -> None:
    if not enabled() or kwargs.get("raw"):
        return
    if sender._meta.label_lower in IGNORED:
        return
    update_fields = kwargs.get("update_fields")
    instance._pagecache_update_fields = frozenset(update_fields) if update_fields else None
    try:
        everyone, people, families = _touched(sender, instance)
    except Exception:  # noqa: BLE001 - when in doubt, every page is out of date
        logger.warning("Could not tell whose pages %s changes", sender, exc_info=True)
        everyone, people, families = True, set(), set()
    changed(users=people, families=families, everyone=everyone)


def _on_m2m(sender, instance, action, **kwargs) -> None:
    if action.startswith("post_") or action == "pre_clear":
        _on_change(type(instance), instance)


def connect() -> None:
    post_save.connect(_on_change, dispatch_uid="pagecache-save")
    # Before the row goes, while its family can still be found.
    pre_delete.connect(_on_change, dispatch_uid="pagecache-delete")
    m2m_changed.connect(_on_m2m, dispatch_uid="pagecache-m2m")


# Views say what may be kept ---------------------------------------------------------------


def allow(request) -> None:
    """Let this response be kept for this session (call after the access checks). Staff
    pages are never kept: they show many families and leave an audit trail when read."""
    from . import access

    if enabled() and access.staff_role(request.user) is None:
        request._page_cache_allowed = True


# Serving ----------------------------------------------------------------------------------


@functools.cache
def _marker_for(secret_key: str, name: str) -> str:
    digest = hmac.new(secret_key.encode(), f"pagecache:{name}".encode(), "sha256")
    # "<" and ">" never come out of a template's escaped output, so no text can fake it.
    return f"<!--{digest.hexdigest()[:24]}-->"


def _marker(name: str) -> str:
    return _marker_for(settings.SECRET_KEY, name)


_TOKEN = re.compile(r"[A-Za-z0-9]{64}")


def portable(request, html: str) -> str:
    """``html`` made for ``request`` with its CSP nonce and CSRF tokens swapped for markers,
    so it can be kept and later served to another request through ``personal``."""
    nonce = getattr(request, "_csp_nonce", None)
    if nonce:
        html = html.replace(nonce, _marker("nonce"))
    secret = request.META.get("CSRF_COOKIE")
    if secret:
        for token in set(_TOKEN.findall(html)):
            if _unmask_cipher_token(token) == secret:
                html = html.replace(token, _marker("csrf"))
    return html


def personal(request, html: str, csrf_token: str | None = None) -> str:
    """Kept ``html`` with this request's own CSP nonce and CSRF token in place of markers
    (``csrf_token``, if given, is one the request already has)."""
    if _marker("nonce") in html:
        html = html.replace(_marker("nonce"), str(request.csp_nonce))
    if _marker("csrf") in html:
        html = html.replace(_marker("csrf"), csrf_token or get_token(request))
    return html


def markers_id() -> str:
    """Names the markers in use; part of every key of kept HTML, so HTML kept under another
    ``SECRET_KEY`` (before a rotation) is never served with markers nobody replaces."""
    return _marker("csrf")[4:16]


def _page_key(request, user_id: str) -> str:
    session = hashlib.sha256(request.session.session_key.encode()).hexdigest()
    return (
        f"{_PREFIX}page:{markers_id()}:{user_id}:{session}:{request.LANGUAGE_CODE}:"
        f"{request.get_full_path()}"
    )


def _may_use(request) -> str | None:
    """The signed-in person's id when this request may be served from or kept in the page
    cache, else None."""
    if not enabled() or request.method != "GET" or request.headers.get("HX-Request"):
        return None
    session = request.session
    if not session.session_key:
        return None
    user_id = session.get("_auth_user_id")
    if not user_id:
        return None
    from django.contrib.messages import get_messages

    if len(get_messages(request)):
        return None
    return str(user_id)


class PageCacheMiddleware:
    """Serves a kept page while its stamps are unchanged; keeps pages views allow.

    Sits below the session, CSRF, messages, CSP and locale middleware (whose work each
    response needs) and above the rest, which a kept page does not need again.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user_id = _may_use(request)
        if user_id is None:
            return self.get_response(request)
        cache = _cache()
        page_key = _page_key(request, user_id)
        stamp_keys = [_stamp_key(EVERYONE), _stamp_key(user_id)]
        try:
            found = cache.get_many([page_key, *stamp_keys])
            if any(key not in found for key in stamp_keys):
                found.update(_read_stamps(stamp_keys, cache))
        except Exception:  # noqa: BLE001 - without the cache, pages are made as usual
            logger.warning("The page cache cannot be read", exc_info=True)
            return self.get_response(request)
        stamps = [found.get(key) for key in stamp_keys]
        kept = found.get(page_key)
        if kept is not None and kept["stamps"] == stamps:
            return self._serve(request, kept)
        response = self.get_response(request)
        if getattr(request, "_page_cache_allowed", False):
            self._keep(request, response, cache, page_key, stamps)
        return response

    def _serve(self, request, kept) -> HttpResponse:
        content = kept["content"]
        content = personal(request, content)
        response = HttpResponse(content.encode(), status=kept["status"])
        for name, value in kept["headers"]:
            response[name] = value
        return response

    def _keep(self, request, response, cache, page_key, stamps) -> None:
        if (
            response.status_code != 200
            or response.streaming
            or response.cookies
            or not response.get("Content-Type", "").startswith("text/html")
            or len(getattr(request, "_messages", ()))
        ):
            return
        content = portable(request, response.content.decode(response.charset))
        headers = [
            (name, value)
            for name, value in response.items()
            if name.lower() not in {"content-length", "set-cookie"}
        ]
        kept = {"content": content, "status": 200, "headers": headers, "stamps": stamps}
        try:
            cache.set(page_key, kept, timeout=settings.PAGE_CACHE_SECONDS)
        except Exception:  # noqa: BLE001
            logger.warning("A page could not be kept", exc_info=True)
