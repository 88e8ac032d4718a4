"""Content test data, built the way editors and the demo build it (through Wagtail)."""

from __future__ import annotations

import json
from datetime import timedelta

from django.utils import timezone
from wagtail.models import Page, Site

from content.demo import seed_home_page
from content.models import (
    HomePage,
    LocalService,
    ResourceIndexPage,
    ResourcePage,
    SessionIndexPage,
    SessionOccurrence,
    SessionSeriesPage,
    Taxonomy,
    TaxonomyTerm,
    Venue,
)


def stream(*blocks) -> str:
    return json.dumps([{"type": kind, "value": value} for kind, value in blocks])


def publish(parent: Page, page: Page) -> Page:
    parent.add_child(instance=page)
    page.save_revision().publish()
    page.refresh_from_db()
    return page


def home() -> HomePage:
    page = seed_home_page({})
    assert Site.objects.get(is_default_site=True).root_page_id == page.pk
    return page


def resource_index(home_page, *, slug="help") -> ResourceIndexPage:
    return publish(home_page, ResourceIndexPage(title="Help and advice", slug=slug))


def resource(index, *, title="A guide", kind=ResourcePage.Kind.GUIDE, for_dads=False, **kw):
    n = ResourcePage.objects.count() + 1
    return publish(
        index,
        ResourcePage(
            title=title,
            slug=kw.pop("slug", f"resource-{n}"),
            kind=kind,
            summary=kw.pop("summary", "A short summary."),
            for_dads=for_dads,
            consent_given=kind == ResourcePage.Kind.STORY,
            body=kw.pop("body", stream(("text", "<p>Some help.</p>"))),
            **kw,
        ),
    )


def session_index(home_page, *, slug="groups") -> SessionIndexPage:
    return publish(home_page, SessionIndexPage(title="Groups", slug=slug))


def venue(name="Foleshill Family Hub") -> Venue:
    return Venue.objects.create(
        name=name,
        address="Broad Street\nCoventry",
        postcode="CV6 5BG",
        access_information="Step-free entrance.",
    )


def series(
    index,
    *,
    title="Dads' group",
    capacity=3,
    for_dads=True,
    children_welcome=True,
    dates=None,
    venue_obj=None,
    audience="Dads and male carers",
    **kw,
) -> SessionSeriesPage:
    now = timezone.now()
    if dates is None:
        dates = [now + timedelta(days=7), now + timedelta(days=14)]
    n = SessionSeriesPage.objects.count() + 1
    return publish(
        index,
        SessionSeriesPage(
            title=title,
            slug=kw.pop("slug", f"series-{n}"),
            summary="Play and a chat.",
            audience=audience,
            what_happens=stream(("text", "<p>We play.</p>")),
            facilitator="Marcus",
            venue=venue_obj or venue(),
            capacity=capacity,
            for_dads=for_dads,
            children_welcome=children_welcome,
            occurrences=[
                SessionOccurrence(starts_at=start, ends_at=start + timedelta(hours=2))
                for start in dates
            ],
            **kw,
        ),
    )


def first_occurrence(series_page) -> SessionOccurrence:
    return SessionOccurrence.objects.filter(series=series_page).order_by("starts_at").first()


def taxonomy_term(code="parenting", name="Parenting support") -> TaxonomyTerm:
    taxonomy, _ = Taxonomy.objects.get_or_create(name="Family support categories")
    term, _ = TaxonomyTerm.objects.get_or_create(
        taxonomy=taxonomy, code=code, defaults={"name": name}
    )
    return term


def local_service(*, name="Dads Matter", terms=(), **kw) -> LocalService:
    data = {
        "organisation": "Community Trust",
        "description": "Support for dads.",
        "who_for": "Dads",
        "address": "Broad Street\nCoventry",
        "postcode": "CV6 5BG",
        "email": "dads@example.org",
        "phone": "024 7600 1234",
        "languages": "English, Urdu",
        "accessibility": "Step-free.",
        "internal_notes": "SECRET-NOTE do not publish",
        "referral_contact": "SECRET-CONTACT Dave",
    }
    data.update(kw)
    service = LocalService(name=name, **data)
    service.full_clean()
    service.save()
    if terms:
        service.categories.set(terms)
    return service


VIDEO_URL = "https://www.youtube.com/watch?v=abc123"


def every_block(image, document):
    return [
        ("text", "<h2>Before bed</h2><p>Keep it <b>calm</b>.</p><ul><li>Bath</li></ul>"),
        (
            "image",
            {
                "image": image.pk,
                "alt_text": "A dad reading to his daughter",
                "caption": "Story time",
            },
        ),
        (
            "video",
            {
                "title": "Bedtime routines",
                "video": VIDEO_URL,
                "transcript": "Hello.\nWe start with a bath.",
            },
        ),
        ("callout", {"style": "inset", "text": "Little and often works best."}),
        ("callout", {"style": "warning", "text": "Never leave a baby alone in the bath."}),
        (
            "steps",
            {
                "heading": "What to do",
                "steps": [
                    {"title": "Bath", "detail": "Warm, not hot."},
                    {"title": "Story", "detail": ""},
                ],
            },
        ),
        ("quote", {"quote": "It changed our evenings.", "attribution": "A mum"}),
        (
            "download",
            {
                "document": document.pk,
                "link_text": "",
                "description": "A chart to stick on the fridge.",
            },
        ),
        (
            "talk_to_us",
            {
                "heading": "Talk to us",
                "text": "We can help.",
                "phone": "024 7683 3003",
                "email": "help@example.org",
                "opening_times": "9am to 5pm",
            },
        ),
    ]
