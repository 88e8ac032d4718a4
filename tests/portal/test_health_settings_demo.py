import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from portal import demo
from portal.models import Family, FamilyMember, StaffProfile, User

ROOT = Path(__file__).resolve().parents[2]


def test_healthz_reports_each_part(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["checks"] == {"database": "ok", "channel_layer": "ok", "tasks": "ok"}


def test_healthz_is_503_when_the_channel_layer_is_down(client, db, settings):
    settings.CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
            "CONFIG": {"hosts": ["redis://127.0.0.1:1/0"]},
        }
    }
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    from channels.layers import channel_layers

    channel_layers.backends.clear()
    try:
        response = client.get("/healthz")
    finally:
        channel_layers.backends.clear()
    assert response.status_code == 503
    assert response.json()["checks"]["channel_layer"] == "error"


def _run_check(env_overrides):
    env = {
        k: v
        for k, v in os.environ.items()
        if k
        not in {
            "DJANGO_ENV",
            "SECRET_KEY",
            "DATABASE_URL",
            "REDIS_URL",
            "ALLOWED_HOSTS",
            # Browser tests set this for their own thread; a deployment never would.
            "DJANGO_ALLOW_ASYNC_UNSAFE",
        }
    }
    env.update(env_overrides)
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_production_refuses_to_start_without_its_settings():
    result = _run_check({"DJANGO_ENV": "production"})
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_production_refuses_sqlite_and_short_keys():
    base = {
        "DJANGO_ENV": "production",
        "REDIS_URL": "redis://127.0.0.1:6379/0",
        "ALLOWED_HOSTS": "portal.example.org",
    }
    short = _run_check({**base, "SECRET_KEY": "short", "DATABASE_URL": "postgres://x@h/db"})
    assert "long random value" in short.stderr
    sqlite = _run_check({**base, "SECRET_KEY": "k" * 60 + "z9", "DATABASE_URL": "sqlite:///x.db"})
    assert "PostgreSQL" in sqlite.stderr


def test_production_settings_pass_the_deploy_check():
    result = _run_check(
        {
            "DJANGO_ENV": "production",
            "SECRET_KEY": "pR0d-" + "x7Kq9mZ2vL4sT8wN1bY6cH3jF5gD0aE" * 2,
            "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/portal_deploy_check",
            "REDIS_URL": "redis://127.0.0.1:6379/0",
            "ALLOWED_HOSTS": "portal.example.org",
            "FIELD_ENCRYPTION_KEYS": "q2bB1rJb8nO3bJmMN8YyRIdu0v2F3pXHk9GZ4Xl7wLc=",
        }
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_needs_keys_for_what_is_kept_encrypted():
    base = {
        "DJANGO_ENV": "production",
        "SECRET_KEY": "pR0d-" + "x7Kq9mZ2vL4sT8wN1bY6cH3jF5gD0aE" * 2,
        "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/portal_deploy_check",
        "REDIS_URL": "redis://127.0.0.1:6379/0",
        "ALLOWED_HOSTS": "portal.example.org",
    }
    assert "FIELD_ENCRYPTION_KEYS must be set" in _run_check(base).stderr
    bad = _run_check({**base, "FIELD_ENCRYPTION_KEYS": "not-a-key"})
    assert "32 random bytes" in bad.stderr


def test_seed_demo_is_safe_to_run_twice(db):
    call_command("seed_demo")
    counts = (User.objects.count(), Family.objects.count(), FamilyMember.objects.count())
    call_command("seed_demo")
    assert counts == (User.objects.count(), Family.objects.count(), FamilyMember.objects.count())
    # The core's five families (feature apps' seeders may add their own, such as casework's
    # Osei family, closed three months ago).
    assert Family.objects.filter(display_name__in=[f[1] for f in demo.FAMILIES]).count() == 5
    roles = StaffProfile.objects.values_list("role", flat=True)
    assert list(roles).count(StaffProfile.Role.KEY_WORKER) == 2
    assert StaffProfile.objects.filter(role=StaffProfile.Role.MANAGER).exists()
    parent = User.objects.get(email="parent@example.org")
    assert parent.family_membership.family.display_name == "The Khan family"


def test_seed_demo_refuses_in_production(db, settings):
    settings.PRODUCTION = True
    with pytest.raises(CommandError, match="production"):
        call_command("seed_demo")


def test_demo_key_worker_has_no_mfa_so_is_asked_to_set_it_up(client, db):
    call_command("seed_demo")
    worker = User.objects.get(email="keyworker@example.org")
    client.force_login(worker)
    family = worker.caseload.first()
    response = client.get(family.get_absolute_url())
    assert response.status_code == 302
    assert response["Location"] == "/accounts/2fa/totp/activate/"
