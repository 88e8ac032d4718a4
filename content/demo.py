"""Demo pages for the content site: resources, group sessions and local services."""

from __future__ import annotations

import json
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone
from wagtail.models import Page, Site

from .models import (
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


def seed_home_page(people: dict) -> HomePage:
    """Put a home page at the root of the default site, replacing Wagtail's welcome page."""
    home = HomePage.objects.first()
    site = Site.objects.filter(is_default_site=True).select_related("root_page").first()
    if home is None:
        root = Page.get_first_root_node() or _tree_root()
        for welcome in root.get_children().filter(slug="home"):
            if welcome.specific_class is Page and not welcome.get_children().exists():
                if site and site.root_page_id == welcome.pk:
                    site.root_page = root
                    site.save()
                welcome.delete()
        home = root.add_child(
            instance=HomePage(
                title="Family support",
                slug="home",
                intro="Help for your family, in your own words, from people who have been there.",
                body=(
                    "<p>Work with your key worker on a plan your family writes. "
                    "Meet a peer mentor who has been through it. Join a group, "
                    "like our Saturday dads' group.</p>"
                ),
            )
        )
        home.save_revision().publish()
    if site is None:
        Site.objects.create(hostname="localhost", port=80, root_page=home, is_default_site=True)
    elif site.root_page_id != home.pk:
        site.root_page = home
        site.save()
    people["home_page"] = home
    return home


def _tree_root() -> Page:
    """Wagtail's root, for a database emptied after its migrations ran (as some tests do)."""
    from wagtail.coreutils import get_supported_content_language_variant
    from wagtail.models import Locale

    locale, _created = Locale.objects.get_or_create(
        language_code=get_supported_content_language_variant(settings.LANGUAGE_CODE)
    )
    return Page.add_root(instance=Page(title="Root", slug="root", locale=locale))


def _stream(*blocks) -> str:
    return json.dumps([{"type": kind, "value": value} for kind, value in blocks])


def _publish(parent: Page, page: Page, user=None) -> Page:
    existing = parent.get_children().filter(slug=page.slug).first()
    if existing is not None:
        return existing.specific
    parent.add_child(instance=page)
    # Demo pages go live at once; real pages go through the two-person review.
    page.save_revision(user=user).publish()
    return page


RESOURCES = [
    (
        "talking-with-your-teenager",
        "Talking with your teenager",
        ResourcePage.Kind.GUIDE,
        "Small ways to keep talking when it feels hard.",
        False,
        _stream(
            (
                "text",
                "<p>Teenagers often talk more when you are side by side, not face to face. "
                "Try a walk, a drive or cooking together.</p>",
            ),
            (
                "callout",
                {
                    "style": "inset",
                    "text": "Listen first. You do not have to fix it straight away.",
                },
            ),
            (
                "talk_to_us",
                {
                    "heading": "Talk to us",
                    "text": "Your key worker can help you plan what to say.",
                    "phone": "024 7683 3003",
                    "email": "",
                    "opening_times": "Monday to Friday, 9am to 5pm",
                },
            ),
        ),
    ),
    (
        "getting-your-child-to-school",
        "How to get help when your child misses school",
        ResourcePage.Kind.HOW_TO,
        "What to do, step by step, when school is hard for your child.",
        False,
        _stream(
            (
                "steps",
                {
                    "heading": "What to do",
                    "steps": [
                        {
                            "title": "Talk to your child about what is hard",
                            "detail": "Keep it calm and short.",
                        },
                        {
                            "title": "Ask the school for a meeting",
                            "detail": "You can bring someone with you.",
                        },
                        {
                            "title": "Agree one small change to try",
                            "detail": "Write it in your family plan.",
                        },
                    ],
                },
            ),
            (
                "callout",
                {
                    "style": "warning",
                    "text": "If your child is not safe at school, tell the school and your key worker today.",
                },
            ),
        ),
    ),
    (
        "being-a-dad-where-to-start",
        "Being a dad: where to start",
        ResourcePage.Kind.GUIDE,
        "Ideas from other dads about spending time with your children.",
        True,
        _stream(
            (
                "text",
                "<p>You matter to your children. Ten minutes of play each day makes a difference.</p>"
                "<ul><li>Read a story at bedtime</li><li>Go to the park</li><li>Cook tea together</li></ul>",
            ),
            (
                "quote",
                {
                    "quote": "I did not think the group was for me. Now I go every week.",
                    "attribution": "A dad from Foleshill",
                },
            ),
        ),
    ),
    (
        "our-story-finding-our-feet",
        "Our story: finding our feet",
        ResourcePage.Kind.STORY,
        "A family tells how a plan they wrote themselves helped.",
        True,
        _stream(
            (
                "text",
                "<p>We were worried about money and the children were missing school. "
                "Our key worker listened. We wrote our own plan, one step at a time.</p>",
            ),
            (
                "quote",
                {"quote": "It felt like our plan, not theirs.", "attribution": "Tunde, a dad"},
            ),
        ),
    ),
]


def _saturdays(count: int, start_hour: int = 10) -> list[tuple[datetime, datetime]]:
    london = ZoneInfo(settings.TIME_ZONE)
    today = timezone.localdate()
    first = today + timedelta(days=(5 - today.weekday()) % 7 or 7)
    return [
        (
            datetime.combine(first + timedelta(weeks=n), time(start_hour), tzinfo=london),
            datetime.combine(first + timedelta(weeks=n), time(start_hour + 2), tzinfo=london),
        )
        for n in range(count)
    ]


def _wednesdays_and_tomorrow(count: int) -> list[tuple[datetime, datetime]]:
    """Weekly dates, plus one tomorrow afternoon so a demo booking gets its reminder."""
    london = ZoneInfo(settings.TIME_ZONE)
    today = timezone.localdate()
    first = today + timedelta(days=(2 - today.weekday()) % 7 or 7)
    days = sorted({today + timedelta(days=1)} | {first + timedelta(weeks=n) for n in range(count)})
    return [
        (
            datetime.combine(day, time(13, 30), tzinfo=london),
            datetime.combine(day, time(15), tzinfo=london),
        )
        for day in days
    ]


SERVICES: list[dict[str, Any]] = [
    dict(
        name="Foleshill Dads Matter",
        organisation="Foleshill Community Trust",
        description="Drop-in and one-to-one support for dads and male carers.",
        who_for="Dads, step-dads, grandads and male carers of children of any age.",
        age_min=18,
        age_max=None,
        is_free=True,
        address="Foleshill Family Hub\nBroad Street\nCoventry",
        postcode="CV6 5BG",
        when="Saturdays 10am to 12 noon",
        email="dads@foleshill-trust.example.org",
        phone="024 7600 1234",
        languages="English, Urdu, Punjabi",
        accessibility="Step-free entrance. Accessible toilet. Hearing loop in the main room.",
        for_dads=True,
        internal_notes="Contract review due in March. Do not share.",
        referral_contact="Dave Hughes (referrals lead)",
        terms=["parenting", "dads"],
    ),
    dict(
        name="Money Advice Drop-in",
        organisation="Coventry Citizens Advice",
        description="Free help with benefits, debt and bills.",
        who_for="Any adult living in Coventry.",
        age_min=16,
        age_max=None,
        is_free=True,
        address="Central Library\nSmithford Way\nCoventry",
        postcode="CV1 1FY",
        when="Tuesdays and Thursdays 9:30am to 1pm",
        email="advice@citizens-advice.example.org",
        phone="0808 278 7900",
        languages="English, Polish, Arabic",
        accessibility="Lift to all floors. Quiet room on request.",
        for_dads=False,
        internal_notes="",
        referral_contact="",
        terms=["money"],
    ),
    dict(
        name="Little Movers Baby Massage",
        organisation="Hillfields Family Hub",
        description="A five-week baby massage course for parents and babies.",
        who_for="Parents and carers with babies up to 12 months.",
        age_min=0,
        age_max=1,
        is_free=False,
        cost="£2 a session, free with a Healthy Start card",
        address="Hillfields Family Hub\nVictoria Street\nCoventry",
        postcode="CV1 5LY",
        when="Thursdays 10am to 11am",
        email="",
        phone="024 7678 5500",
        languages="English",
        accessibility="Buggy park. Baby changing. Step-free.",
        for_dads=False,
        internal_notes="Facilitator on leave in August.",
        referral_contact="",
        terms=["parenting", "early-years"],
    ),
]

TERMS = [
    ("parenting", "Parenting support"),
    ("dads", "Support for dads"),
    ("money", "Money and debt"),
    ("early-years", "Babies and young children"),
]


def seed_content(people: dict) -> None:
    """Resources, a dads' group and another session, venues and local services."""
    from . import services

    home = people.get("home_page") or HomePage.objects.first()
    if home is None:
        home = seed_home_page(people)
    services.editorial_setup(home_page=home)
    editor = people.get("editor")

    help_index = _publish(
        home,
        ResourceIndexPage(
            title="Help and advice",
            slug="help",
            intro="Guides, how-tos and stories from families, written with parents.",
        ),
        editor,
    )
    for slug, title, kind, summary, for_dads, body in RESOURCES:
        _publish(
            help_index,
            ResourcePage(
                title=title,
                slug=slug,
                kind=kind,
                summary=summary,
                for_dads=for_dads,
                body=body,
                consent_given=kind == ResourcePage.Kind.STORY,
                consent_note="Signed consent form, kept by the key worker"
                if kind == ResourcePage.Kind.STORY
                else "",
            ),
            editor,
        )

    foleshill, _created = Venue.objects.get_or_create(
        name="Foleshill Family Hub",
        defaults={
            "address": "Broad Street\nCoventry",
            "postcode": "CV6 5BG",
            "access_information": (
                "Step-free entrance from the car park. Accessible toilet and baby changing. "
                "Buses 20 and 36 stop outside. Free parking for 12 cars."
            ),
        },
    )
    hillfields, _created = Venue.objects.get_or_create(
        name="Hillfields Family Hub",
        defaults={
            "address": "Victoria Street\nCoventry",
            "postcode": "CV1 5LY",
            "access_information": "Ramp at the side door. Lift to the first floor. Quiet room.",
        },
    )
    groups_index = _publish(
        home,
        SessionIndexPage(
            title="Groups and sessions",
            slug="groups",
            intro="Meet other parents, learn something new and have a cup of tea. All free.",
        ),
        editor,
    )
    _publish(
        groups_index,
        SessionSeriesPage(
            title="Dads' group, Saturday mornings at Foleshill Family Hub",
            slug="dads-group",
            summary="A relaxed morning for dads and their children: play, a bacon roll and a chat.",
            audience="Dads, step-dads, grandads and male carers",
            what_happens=_stream(
                (
                    "text",
                    "<p>Children play while dads chat. Once a month we have a short talk, "
                    "for example about money, school or keeping calm.</p>",
                ),
                (
                    "callout",
                    {
                        "style": "inset",
                        "text": "You can bring your children. There is no need to bring anything else.",
                    },
                ),
            ),
            facilitator="Marcus Reid, family support worker",
            venue=foleshill,
            capacity=6,
            children_welcome=True,
            for_dads=True,
            occurrences=[SessionOccurrence(starts_at=s, ends_at=e) for s, e in _saturdays(4)],
        ),
        editor,
    )
    _publish(
        groups_index,
        SessionSeriesPage(
            title="Calmer mornings: a group for parents",
            slug="calmer-mornings",
            summary="Four weeks of ideas for getting out of the door without shouting.",
            audience="Any parent or carer",
            what_happens=_stream(
                (
                    "steps",
                    {
                        "heading": "Each week",
                        "steps": [
                            {"title": "Share how the week went", "detail": ""},
                            {"title": "Try one new idea together", "detail": ""},
                            {"title": "Plan one small change for home", "detail": ""},
                        ],
                    },
                ),
            ),
            facilitator="Priya Shah, parenting practitioner",
            venue=hillfields,
            capacity=10,
            children_welcome=False,
            for_dads=False,
            occurrences=[
                SessionOccurrence(starts_at=s, ends_at=e) for s, e in _wednesdays_and_tomorrow(4)
            ],
        ),
        editor,
    )

    taxonomy, _created = Taxonomy.objects.get_or_create(
        name="Family support categories",
        defaults={"description": "How the local directory sorts services.", "version": "1"},
    )
    terms = {}
    for code, name in TERMS:
        terms[code], _created = TaxonomyTerm.objects.get_or_create(
            taxonomy=taxonomy, code=code, defaults={"name": name}
        )
    for data in SERVICES:
        data = dict(data)
        codes = data.pop("terms")
        service, created = LocalService.objects.get_or_create(name=data["name"], defaults=data)
        if created:
            service.full_clean()
            service.categories.set([terms[c] for c in codes])
