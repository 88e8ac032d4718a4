"""A family's status changes only through ``portal.services.family_status_set`` (and the
helper beside it), so each change is kept, audited and shown in the chronology: a rule
read over the code with ``ast``, and the admin cannot change it."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib import admin
from django.urls import reverse

from portal.models import Family, StaffProfile
from tests import factories

ROOT = Path(settings.BASE_DIR)
APPS = ("portal", "plans", "peer_mentors", "chat", "content", "safeguarding", "casework")
# The one module that may write it: family_status_set, and the invitation's first adult.
ALLOWED = {"portal/services.py"}


def _names(node: ast.AST) -> list[str]:
    """Every name and attribute along an expression such as ``invitation.family.status``
    or ``Family.objects.filter(pk=1).update``."""
    found = []
    for part in ast.walk(node):
        if isinstance(part, ast.Name):
            found.append(part.id)
        elif isinstance(part, ast.Attribute):
            found.append(part.attr)
    return found


def _is_family(node: ast.AST) -> bool:
    return any("family" in name.lower() for name in _names(node))


def status_writes(tree: ast.Module) -> list[int]:
    """Lines that set a family's status: ``<family>.status = ...``, ``setattr(<family>,
    "status", ...)`` or ``Family....update(status=...)``."""
    lines = []
    for node in ast.walk(tree):
        targets: list[ast.expr] = []
        if isinstance(node, ast.Assign):
            targets = node.targets
        elif isinstance(node, ast.AugAssign | ast.AnnAssign):
            targets = [node.target]
        for target in targets:
            if (
                isinstance(target, ast.Attribute)
                and target.attr == "status"
                and _is_family(target.value)
            ):
                lines.append(node.lineno)
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        if (
            isinstance(func, ast.Attribute)
            and func.attr in {"update", "bulk_update"}
            and "Family" in _names(func.value)
            and (
                any(keyword.arg == "status" for keyword in node.keywords)
                or any(
                    isinstance(arg, ast.Constant) and arg.value == "status"
                    for arg in ast.walk(node)
                )
            )
        ):
            lines.append(node.lineno)
        if (
            isinstance(func, ast.Name)
            and func.id == "setattr"
            and len(node.args) >= 2
            and isinstance(node.args[1], ast.Constant)
            and node.args[1].value == "status"
            and _is_family(node.args[0])
        ):
            lines.append(node.lineno)
    return lines


def test_nothing_but_the_status_service_changes_a_familys_status():
    offenders = []
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            relative = path.relative_to(ROOT).as_posix()
            if "migrations" in path.parts or relative in ALLOWED:
                continue
            tree = ast.parse(path.read_text(), filename=str(path))
            offenders += [f"{relative}:{line}" for line in status_writes(tree)]
    assert not offenders, (
        "A family's status changes only through portal.services.family_status_set:\n"
        + "\n".join(offenders)
    )


@pytest.mark.parametrize(
    "source",
    [
        "family.status = 'closed'",
        "invitation.family.status = Family.Status.ACTIVE",
        "Family.objects.filter(pk=1).update(status='closed')",
        "setattr(family, 'status', 'closed')",
    ],
)
def test_the_status_rule_catches_a_write(source):
    assert status_writes(ast.parse(source)) == [1]


@pytest.mark.parametrize(
    "source",
    [
        "meeting.status = Meeting.Status.HELD",
        "Review.objects.filter(pk=1).update(status='done')",
        "family.display_name = 'The Khans'",
    ],
)
def test_the_status_rule_leaves_other_records_alone(source):
    assert status_writes(ast.parse(source)) == []


def test_the_admin_shows_the_status_but_cannot_change_it(client, family):
    assert "status" in admin.site._registry[Family].get_readonly_fields(None)
    superuser = factories.staff(StaffProfile.Role.MANAGER)
    superuser.is_superuser = True
    superuser.save()
    client.force_login(superuser)
    url = reverse("admin:portal_family_change", args=[family.pk])
    page = client.get(url)
    form = page.context["adminform"].form
    data = {name: form.initial.get(name) or "" for name in form.fields}
    for formset in page.context["inline_admin_formsets"]:
        management = formset.formset.management_form
        data.update({f"{management.prefix}-{k}": v for k, v in management.initial.items()})
        data[f"{management.prefix}-TOTAL_FORMS"] = "0"
    data["status"] = Family.Status.CLOSED
    before = family.status
    client.post(url, data)
    family.refresh_from_db()
    assert family.status == before
    assert not family.status_changes.filter(after=Family.Status.CLOSED).exists()
