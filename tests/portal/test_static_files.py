"""Production static files: every script a page loads has a hashed, long-cached name."""

from __future__ import annotations

import re

import pytest
from django.core.management import call_command
from django.test import Client


@pytest.mark.django_db
def test_pages_load_only_hashed_scripts_in_production_storage(settings, tmp_path, parent):
    settings.STATIC_ROOT = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    call_command("collectstatic", interactive=False, verbosity=0)
    client = Client()
    client.force_login(parent)
    html = client.get("/dashboard/").content.decode()
    scripts = re.findall(r'src="([^"]+\.js)"', html) + re.findall(r'from "([^"]+\.js)"', html)
    assert any("govuk-frontend" in url for url in scripts)
    for url in scripts:
        assert re.search(r"\.[0-9a-f]{12}\.js$", url), f"{url} is not a hashed name"
        assert (tmp_path / url.removeprefix(settings.STATIC_URL)).exists()


def test_every_gov_uk_class_a_template_uses_is_in_the_portals_stylesheet(settings):
    """The stylesheet has only the GOV.UK Frontend components and spacing overrides the
    templates use (frontend/scss): one a template starts using must be added there."""
    root = settings.BASE_DIR
    built = (root / "portal/static/dist/portal.css").read_text()
    full = (root / "node_modules/govuk-frontend/dist/govuk/govuk-frontend.min.css").read_text()

    def defines(css: str, name: str) -> bool:
        return (
            re.search(r"\." + re.escape(name.replace("!", "\\!")) + r"(?![\w-])", css) is not None
        )

    used = set()
    for app in ("portal", "plans", "chat", "content", "peer_mentors"):
        for template in (root / app).rglob("*.html"):
            for classes in re.findall(r'class="([^"{]*)"', template.read_text()):
                used.update(name for name in classes.split() if name.startswith("govuk-"))
    missing = sorted(name for name in used if defines(full, name) and not defines(built, name))
    assert not missing, f"Add these to frontend/scss (then npm run build): {missing}"
