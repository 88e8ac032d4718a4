"""WSGI entry point, for serving pages under a WSGI server where measured faster."""

import os

from django.core.wsgi import get_wsgi_application

from portal.serving import tune_process

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

application = get_wsgi_application()
tune_process()
