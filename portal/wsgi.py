"""WSGI entry point, for serving pages under a WSGI server where measured faster."""

import os

from django.conf import settings
from django.core.wsgi import get_wsgi_application

from portal.serving import limit_concurrency, tune_process

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

application = limit_concurrency(get_wsgi_application(), settings.PAGE_WORKER_CONCURRENCY)
tune_process()
