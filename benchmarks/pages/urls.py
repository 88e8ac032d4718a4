"""The portal's URLs plus the bare view the benchmark compares each page with."""

from django.http import HttpResponse
from django.template.loader import render_to_string
from django.urls import path

from portal.urls import urlpatterns as portal_urlpatterns


def bare(request, name: str):
    """Render a template of static text as big as the page it stands beside: no queries,
    no session, no context processors. What is left is Django and the server."""
    return HttpResponse(render_to_string(f"bare/{name}.html"))


urlpatterns = [path("bench/bare/<slug:name>/", bare, name="bench_bare"), *portal_urlpatterns]
