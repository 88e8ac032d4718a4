"""Production settings for the page benchmark: loopback, plain HTTP, a temporary STATIC_ROOT.

Everything else (database, Redis, middleware, WhiteNoise with compressed, hashed files) is
exactly what ``DJANGO_ENV=production`` gives, so the figures are production's figures.
"""

import os
from pathlib import Path

from portal.settings import *  # noqa: F403
from portal.settings import TEMPLATES

# collectstatic writes here (a temporary folder the run makes and removes).
STATIC_ROOT = Path(os.environ["BENCH_STATIC_ROOT"])
# The bare comparison view and its templates, next to the portal's own URLs.
ROOT_URLCONF = "benchmarks.pages.urls"
TEMPLATES[0]["DIRS"] = [os.environ["BENCH_TEMPLATE_DIR"]]
# No TLS proxy in front on loopback, so cookies cannot be marked Secure.
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
SECURE_SSL_REDIRECT = False
SECURE_HSTS_SECONDS = 0
