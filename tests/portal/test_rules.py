"""Rules about how the project's code is put together, checked over its source with ``ast``.

Each test reads the source files of the project's apps and fails with the file, line and
what to do instead, so a rule broken in review is broken in CI first.
"""

from __future__ import annotations

import ast
from pathlib import Path

from django.conf import settings

ROOT = Path(settings.BASE_DIR)
APPS = ("portal", "plans", "peer_mentors", "chat", "content", "safeguarding")


def _modules(*apps: str):
    """(path relative to the project, parsed module) for each source file of ``apps``."""
    for app in apps:
        for path in sorted((ROOT / app).rglob("*.py")):
            relative = path.relative_to(ROOT)
            if "migrations" in relative.parts:
                continue
            yield relative.as_posix(), ast.parse(path.read_text(), filename=str(path))


def _is_views_module(path: str) -> bool:
    parts = path.split("/")
    return parts[-1] == "views.py" or (len(parts) > 2 and parts[-2] == "views")


# Models ----------------------------------------------------------------------------------

# Models that hold a family's records or a person's own details: who is in a family and
# who works with it (and what they did with it), the plan and everything in it, mentors
# (parents themselves) and their matches, contacts, supervision and concerns, messages,
# and bookings and invitations to groups. Reference data (outcome areas, jargon words,
# intervention templates), staff working hours and the public Wagtail pages, venues and
# services are left out: anyone who may see the page may see all of them.
FAMILY_DATA_MODELS = frozenset(
    {
        # portal
        "User",
        "Family",
        "FamilyMember",
        "FamilyPractitioner",
        "Invitation",
        "AccessGrant",
        "AuditEvent",
        "SafeContact",
        # plans
        "Plan",
        "Goal",
        "Step",
        "Suggestion",
        "Comment",
        "GoalShare",
        "PlanConfirmation",
        "PlanVersion",
        "Review",
        "GoalRating",
        # peer_mentors
        "Mentor",
        "MentorMatch",
        "ContactLog",
        "SupervisionNote",
        # chat
        "Conversation",
        "Participant",
        "Message",
        # safeguarding
        "Concern",
        "ConcernAction",
        # content
        "Booking",
        "SessionInvitation",
    }
)

MANAGERS = {"objects", "everyone", "_default_manager", "_base_manager"}
SHORTCUTS = {"get_object_or_404", "get_list_or_404"}

# Lookups a view may still make itself, as (path, model): count. Empty, and it stays so:
# a new lookup belongs in the app's access.py or selectors.py, never in this allowance.
KNOWN_OFFENDERS: dict[tuple[str, str], int] = {}


def _name(node: ast.expr) -> str | None:
    """``Family`` for both ``Family`` and ``models.Family``."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return None


def _model_lookups(tree: ast.Module):
    """(line, model) for each ``Model.objects`` or ``get_object_or_404(Model, ...)``."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr in MANAGERS:
            model = _name(node.value)
            if model in FAMILY_DATA_MODELS:
                yield node.lineno, model
        elif isinstance(node, ast.Call) and _name(node.func) in SHORTCUTS and node.args:
            model = _name(node.args[0])
            if model in FAMILY_DATA_MODELS:
                yield node.lineno, model


def test_views_look_up_family_records_only_through_access_and_selectors():
    """A view that queries a family-data model itself can skip the access policy: it must
    ask the app's ``access.py`` (which answers 404 for missing and forbidden alike) or its
    ``selectors.py`` instead."""
    found: dict[tuple[str, str], list[int]] = {}
    for path, tree in _modules(*APPS):
        if not _is_views_module(path):
            continue
        for line, model in _model_lookups(tree):
            found.setdefault((path, model), []).append(line)

    offenders, stale = _judge(found, KNOWN_OFFENDERS)
    assert not offenders, "\n".join(offenders)
    assert not stale, "Shrink KNOWN_OFFENDERS:\n" + "\n".join(stale)


def _judge(
    found: dict[tuple[str, str], list[int]], allowed: dict[tuple[str, str], int]
) -> tuple[list[str], list[str]]:
    """Lookups beyond the allowance, and allowances larger than the lookups left (the
    allowance only shrinks: an entry whose lookups have gone must go too)."""
    offenders = [
        f"{path}:{line}: {model} is looked up in a view; use access.py or selectors.py"
        for (path, model), lines in sorted(found.items())
        if len(lines) > allowed.get((path, model), 0)
        for line in sorted(lines)
    ]
    stale = [
        f"{path} {model}: allowed {count}, found {len(found.get((path, model), []))}"
        for (path, model), count in sorted(allowed.items())
        if len(found.get((path, model), [])) < count
    ]
    return offenders, stale


def test_the_allowance_only_shrinks():
    found = {("a/views.py", "Plan"): [3, 9]}
    assert _judge(found, {("a/views.py", "Plan"): 2}) == ([], [])
    offenders, _ = _judge(found, {("a/views.py", "Plan"): 1})
    assert offenders == [
        "a/views.py:3: Plan is looked up in a view; use access.py or selectors.py",
        "a/views.py:9: Plan is looked up in a view; use access.py or selectors.py",
    ]
    assert _judge(found, {("a/views.py", "Plan"): 3}) == (
        [],
        ["a/views.py Plan: allowed 3, found 2"],
    )


def test_the_views_rule_catches_a_lookup():
    tree = ast.parse(
        "from portal import models\n"
        "def view(request, family_id):\n"
        "    family = models.Family.objects.get(pk=family_id)\n"
        "    return get_object_or_404(Plan, family=family)\n"
    )
    assert sorted(_model_lookups(tree)) == [(3, "Family"), (4, "Plan")]


# Settings --------------------------------------------------------------------------------


def _settings_fallbacks(tree: ast.Module):
    """Lines that read a setting with a fallback: ``getattr(settings, "X", default)``."""
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id in {"getattr", "hasattr"}
            and node.args
            and _name(node.args[0]) == "settings"
        ):
            yield node.lineno


def test_settings_are_read_as_declared_in_portal_settings():
    """Every setting is declared once, in portal/settings.py, so code reads ``settings.X``
    and a default is never repeated (or contradicted) where it is used."""
    offenders = [
        f"{path}:{line}: declare the setting in portal/settings.py and read settings.X"
        for path, tree in _modules(*APPS)
        for line in _settings_fallbacks(tree)
    ]
    assert not offenders, "\n".join(offenders)


def test_the_settings_rule_catches_a_fallback():
    tree = ast.parse(
        "from django.conf import settings\n"
        "LIMIT = getattr(settings, 'LIMIT', 3)\n"
        "ON = hasattr(django.conf.settings, 'ON')\n"
    )
    assert list(_settings_fallbacks(tree)) == [2, 3]


# Dependencies ----------------------------------------------------------------------------

FEATURE_APPS = ("plans", "peer_mentors", "chat", "content", "safeguarding", "casework")
# The project's wiring lives in the core's package: the URLconf and the ASGI application
# mount every app's URLs and sockets. Nothing else in the core may name a feature app.
PROJECT_WIRING = {"portal/urls.py", "portal/asgi.py", "portal/wsgi.py"}


def _imported_apps(tree: ast.Module):
    """(line, top-level package) for every absolute import, at any depth in the module."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name.split(".")[0]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.lineno, node.module.split(".")[0]


def _imports_of(app: str, forbidden: set[str], *, skip: set[str] = frozenset()) -> list[str]:
    return [
        f"{path}:{line}: imports {package}"
        for path, tree in _modules(app)
        if path not in skip
        for line, package in _imported_apps(tree)
        if package in forbidden
    ]


def test_the_core_imports_no_feature_app():
    """Feature apps plug into the core through ``portal.registry`` and the relation
    providers of ``portal.access``; the core never reaches into them."""
    offenders = _imports_of("portal", set(FEATURE_APPS), skip=PROJECT_WIRING)
    assert not offenders, "\n".join(offenders)


def test_content_imports_nothing_from_plans():
    """The CMS shares only the core with the plans app (the plain-English checker, say)."""
    offenders = _imports_of("content", {"plans"})
    assert not offenders, "\n".join(offenders)


def test_safeguarding_imports_no_other_feature_app():
    """Mentors' and messages' pages raise concerns through safeguarding, never the other
    way round: a concern keeps where it came from by id."""
    offenders = _imports_of("safeguarding", {"plans", "peer_mentors", "chat", "content"})
    assert not offenders, "\n".join(offenders)


def test_the_import_rule_sees_imports_inside_functions():
    tree = ast.parse(
        "from . import models\n"
        "import plans.models\n"
        "def ready():\n"
        "    from chat.routing import websocket_urlpatterns\n"
    )
    assert sorted(_imported_apps(tree)) == [(2, "plans"), (4, "chat")]


# Email -----------------------------------------------------------------------------------

MAIL_SENDERS = {
    "send_mail",
    "send_mass_mail",
    "mail_admins",
    "mail_managers",
    "EmailMessage",
    "EmailMultiAlternatives",
    "get_connection",
}
# The one function that sends email, leaving out adults who said email is not safe.
EMAIL_FUNCTION = "portal/notify.py"


def _mail_uses(tree: ast.Module):
    """(line, name) for each use of Django's mail senders, imported or called."""
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("django.core.mail"):
            for alias in node.names:
                if alias.name in MAIL_SENDERS or alias.name == "*":
                    yield node.lineno, alias.name
        elif (
            isinstance(node, ast.Attribute)
            and node.attr in MAIL_SENDERS
            and _name(node.value) == "mail"
        ):
            yield node.lineno, node.attr


def test_every_email_goes_through_the_one_function_that_checks_safe_contact():
    """An adult who said email is not safe to use must get none: every email the portal
    sends goes through ``portal.notify.email_send``, which checks what they said."""
    offenders = [
        f"{path}:{line}: {name}; send email with portal.notify.email_send"
        for path, tree in _modules(*APPS)
        if path != EMAIL_FUNCTION
        for line, name in _mail_uses(tree)
    ]
    assert not offenders, "\n".join(offenders)


def test_the_email_rule_catches_a_direct_send():
    tree = ast.parse(
        "from django.core.mail import send_mail\n"
        "from django.core import mail\n"
        "def f():\n"
        "    mail.EmailMessage('s', 'b', to=['a@example.org']).send()\n"
    )
    assert sorted(_mail_uses(tree)) == [(1, "send_mail"), (4, "EmailMessage")]
