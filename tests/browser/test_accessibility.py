"""Every family page, and the staff pages around them, checked with axe at both widths.

A page fails on any serious or critical violation, with axe's report. To check a new
page, add one line to ``FAMILY_PAGES`` or ``STAFF_PAGES``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from playwright.sync_api import expect

from portal import services
from tests import factories
from tests.helpers.browser import VIEWPORTS, Person, assert_accessible

pytestmark = pytest.mark.browser


@dataclass(frozen=True)
class Check:
    name: str
    # Key of the signed-in person in the ``people`` fixture, or None for a visitor (or a
    # function of ``people`` that returns a user).
    who: str | Callable[[dict], object] | None
    # A path, or a function of ``people`` that returns one (it may create records).
    path: str | Callable[[dict], str]
    # A button to press first, to check the page as it shows errors.
    submit: str = ""
    # Or any steps a person takes first, as a function of (Person, people).
    steps: Callable[[Person, dict], None] | None = None

    def open(self, open_page, people):
        user = self.who(people) if callable(self.who) else people[self.who] if self.who else None
        page = open_page(user)
        path = self.path(people) if callable(self.path) else self.path
        page.goto(path)
        person = Person(page)
        if self.submit:
            person.press(self.submit)
            expect(page.get_by_role("alert").first).to_be_visible()
        if self.steps:
            self.steps(person, people)
        return page


def family(key: str) -> Callable[[dict], str]:
    return lambda people: people[f"family:{key}"].get_absolute_url()


def invitation(people: dict) -> str:
    _invitation, token = services.invitation_create(
        family=people["family:brown"],
        email="gran@example.org",
        name="Gran",
        relationship="carer",
        actor=people["key_worker"],
    )
    return f"/invitation/{token}/"


def request_code(person: Person, people: dict) -> None:
    person.fill("Email", "parent@example.org")
    person.press("Request Code")
    expect(person.page.get_by_label("Code", exact=True)).to_be_visible()


FAMILY_PAGES = [
    Check("home page", None, "/"),
    Check("sign in", None, "/accounts/login/"),
    Check("sign in, with errors", None, "/accounts/login/", submit="Sign in"),
    Check("email me a sign-in code", None, "/accounts/login/code/"),
    Check("enter the sign-in code", None, "/accounts/login/code/", steps=request_code),
    Check("forgotten password", None, "/accounts/password/reset/"),
    Check("parent dashboard", "parent", "/dashboard/"),
    Check("family page", "parent", family("parent")),
    Check("set up your account", None, invitation),
    Check("set up your account, with errors", None, invitation, submit="Create my account"),
    Check("invitation that no longer works", None, "/invitation/not-a-real-token/"),
    Check("accessibility statement", None, "/accessibility/"),
    Check("privacy", None, "/privacy/"),
    Check("page not found", None, "/no-such-page/"),
    Check("another family's page", "parent", family("brown")),
    Check("your account", "parent", "/accounts/email/"),
    Check("how we can contact you safely", "parent", "/safe-contact/"),
    Check("how we can contact you safely, with errors", "dad", "/safe-contact/", submit="Save"),
]

STAFF_PAGES = [
    Check("staff dashboard", "key_worker", "/dashboard/"),
    Check("staff family page", "key_worker", family("parent")),
    Check("staff dashboard before two-step sign-in", "key_worker_2", "/dashboard/"),
    Check("manager dashboard", "manager", "/dashboard/"),
    Check("safe word", "key_worker", lambda people: _member_page(people, "Aisha", "safe-word")),
    Check(
        "remove from the household",
        "key_worker",
        lambda people: _member_page(people, "Imran", "remove"),
    ),
]


def _member_page(people: dict, name: str, page: str) -> str:
    member = people["family:parent"].members.get(name=name)
    return f"{people['family:parent'].get_absolute_url()}members/{member.pk}/{page}/"


# The features' pages for families and mentors -------------------------------------------


def _plan(people):
    from plans.models import Plan

    return Plan.objects.get(family=people["family:parent"])


def goal_edit(people: dict) -> str:
    return f"/plans/goals/{_plan(people).goals.order_by('pk').first().pk}/edit/"


def plan_versions(people: dict) -> str:
    return f"/plans/family/{people['family:parent'].pk}/versions/"


def plan_review(people: dict) -> str:
    from plans import services as plan_services

    review = plan_services.review_start_today(plan=_plan(people), actor=people["parent"])
    return f"/plans/reviews/{review.pk}/"


def _mentor(people, key="mentor"):
    from peer_mentors.models import Mentor

    return Mentor.objects.get(user=people[key])


def mentor_profile(people: dict) -> str:
    return _mentor(people).get_absolute_url()


def mentor_match(people: dict) -> str:
    from peer_mentors import services as mentor_services

    match = mentor_services.match_request(
        family=people["family:parent"],
        mentor=_mentor(people, "mentor_2"),
        actor=people["parent"],
        message="Imran would like to talk to another dad.",
    )
    return match.get_absolute_url()


def applicant(people: dict):
    """A mum from a family that finished the programme, who may apply to be a mentor."""
    if "applicant" not in people:
        people["applicant"] = factories.parent(
            people["family:mentor_family"], name="Dee", email="dee@example.org"
        )
    return people["applicant"]


def conversation(people: dict) -> str:
    from chat.models import Conversation

    return Conversation.objects.filter(family=people["family:parent"]).first().get_absolute_url()


def private_conversation(people: dict) -> str:
    from chat.models import Conversation

    return Conversation.objects.get(
        kind=Conversation.Kind.PRIVATE, owner=people["parent"]
    ).get_absolute_url()


def _occurrence(slug: str):
    from content.models import SessionOccurrence

    return SessionOccurrence.objects.filter(series__slug=slug).order_by("starts_at").first()


def series_page(people: dict) -> str:
    return _occurrence("dads-group").series.url


def book(people: dict) -> str:
    return f"/bookings/book/{_occurrence('calmer-mornings').pk}/"


def _dads_booking(people):
    from content import services as content_services
    from content.models import Booking

    booking = Booking.objects.filter(booked_by=people["dad"]).first()
    return booking or content_services.booking_create(
        occurrence_id=_occurrence("dads-group").pk, user=people["dad"]
    )


def booking(people: dict) -> str:
    return _dads_booking(people).get_absolute_url()


def booking_cancel(people: dict) -> str:
    return f"{_dads_booking(people).get_absolute_url()}cancel/"


def resource(people: dict) -> str:
    from content.models import ResourcePage

    return ResourcePage.objects.live().get(slug="talking-with-your-teenager").url


def local_service(people: dict) -> str:
    from content.models import LocalService

    return LocalService.objects.published().order_by("pk").first().get_absolute_url()


def _demo_concern(people):
    from safeguarding.models import Concern

    return Concern.objects.get(family=people["family:parent"], raised_by=people["partner"])


def concern(people: dict) -> str:
    return _demo_concern(people).get_absolute_url()


def concern_receipt(people: dict) -> str:
    return _demo_concern(people).get_receipt_url()


FEATURE_PAGES = [
    # Plans
    Check("plan page", "parent", "/plans/"),
    Check("goal edit", "parent", goal_edit),
    Check(
        "goal edit, with errors",
        "parent",
        goal_edit,
        steps=lambda person, people: _clear_goal(person),
    ),
    Check("plan sharing", "parent", "/plans/sharing/"),
    Check("plan versions", "parent", plan_versions),
    Check("plan review", "parent", plan_review),
    Check("plan print view", "parent", "/plans/print/"),
    # Peer mentors
    Check("find a mentor", "parent", "/mentors/"),
    Check("mentor profile", "parent", mentor_profile),
    Check("mentor match", "parent", mentor_match),
    Check("mentor home", "mentor", "/mentors/me/"),
    Check("apply to be a mentor", applicant, "/mentors/apply/"),
    # Messages
    Check("messages inbox", "parent", "/messages/"),
    Check("conversation", "parent", conversation),
    Check("conversation, key worker", "key_worker", conversation),
    Check("private conversation", "parent", private_conversation),
    Check("private conversation, key worker", "key_worker", private_conversation),
    Check("leave", "key_worker", "/messages/leave/", submit="Save leave"),
    Check("duty rota", "manager", "/messages/rota/"),
    Check("messages waiting for an answer", "manager", "/messages/unanswered/"),
    Check("notifications", "parent", "/notifications/"),
    # Groups, help and local services
    Check("groups index", "dad", "/groups/"),
    Check("session series page", "dad", series_page),
    Check("book a place", "dad", book),
    Check("a booking", "dad", booking),
    Check("cancel a booking", "dad", booking_cancel),
    Check("bookings list", "dad", "/bookings/"),
    Check("help and advice", "parent", "/help/"),
    Check("a resource page", "parent", resource),
    Check("local services", "parent", "/local-services/"),
    Check("a local service", "parent", local_service),
    Check("search results", "parent", "/search/?q=school"),
    Check("search, nothing found", None, "/search/?q=zzqx"),
    # Concerns about safety
    Check("tell us you are worried", "parent", "/concerns/tell-us/"),
    Check("tell us, with errors", "parent", "/concerns/tell-us/", submit="Send it now"),
    Check("what you told us", "partner", concern_receipt),
    Check("concerns list", "manager", "/concerns/"),
    Check("a concern to decide", "manager", concern),
    Check("a concern, with errors", "manager", concern, submit="Record the decision"),
    Check("duty manager rota", "manager", "/concerns/duty/"),
]


def _clear_goal(person: Person) -> None:
    person.fill("What we want to change", "")
    person.press("Save goal")
    expect(person.page.get_by_role("alert").first).to_be_visible()


@pytest.mark.parametrize(
    "checks", [FAMILY_PAGES, STAFF_PAGES, FEATURE_PAGES], ids=["family", "staff", "features"]
)
def test_pages_have_no_serious_accessibility_problems_on_a_phone_or_a_desktop(
    open_page, people, subtests, screenshot, checks
):
    # One database for all the pages (resetting it is the slow part); each page is still
    # reported on its own.
    for check in checks:
        with subtests.test(msg=check.name):
            page = check.open(open_page, people)
            try:
                for viewport in ("phone", "desktop"):
                    page.set_viewport_size(VIEWPORTS[viewport])
                    try:
                        assert_accessible(page, label=f"{check.name}, {viewport} width")
                    except AssertionError:
                        screenshot(page, f"{check.name}-{viewport}")
                        raise
            finally:
                page.context.close()
