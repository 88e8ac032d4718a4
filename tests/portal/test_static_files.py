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
