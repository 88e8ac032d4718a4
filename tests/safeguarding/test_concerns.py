"""A concern always reaches a decision: raising it, who hears, deciding, and escalating."""

import datetime as dt

import pytest
from django.core import mail
from notifications.models import Notification

from portal.models import AuditEvent
from safeguarding import services, tasks
from safeguarding.models import Concern, ConcernAction, DutyManager
from tests.helpers.safeguarding import LONDON, TUESDAY_10AM

WORRY = "Zara had a bruise on her arm and did not want to go home."


def _told(verb):
    return set(Notification.objects.filter(verb=verb).values_list("recipient", flat=True))


def _raise(world, role="named_partner", **kwargs):
    return services.concern_raise(
        family=world["family"],
        raised_by=world["people"][role],
        about=Concern.About.CHILD,
        details=kwargs.pop("details", WORRY),
        **kwargs,
    )


def test_a_parent_tells_us_from_a_page_with_the_exit_control(
    client, world, django_capture_on_commit_callbacks
):
    people = world["people"]
    client.force_login(people["parent"])
    page = client.get("/concerns/tell-us/")
    assert page.status_code == 200
    assert b"govuk-exit-this-page" in page.content
    response = client.post("/concerns/tell-us/", {"details": "short"})
    assert response.status_code == 400
    body = response.content.decode()
    assert "There is a problem" in body and "Choose who you are worried about." in body
    assert not Concern.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/concerns/tell-us/", {"about": "child", "details": WORRY}, follow=True
        )
    concern = Concern.objects.get()
    assert response.redirect_chain[-1][0] == concern.get_receipt_url()
    assert b"We have received it" in response.content
    assert b"govuk-exit-this-page" in response.content
    assert concern.raised_as == Concern.RaisedAs.FAMILY and concern.source == "portal"
    # Nobody is emailed at home: only staff, and they are told only that one was raised.
    assert all(people["parent"].email not in m.to for m in mail.outbox)


def test_the_key_worker_and_the_duty_manager_hear_at_once_without_any_detail(
    world, django_capture_on_commit_callbacks
):
    people = world["people"]
    DutyManager.objects.create(day=TUESDAY_10AM.date(), manager=people["second_manager"])
    with django_capture_on_commit_callbacks(execute=True):
        concern = _raise(world)
    assert _told("A concern was raised") == {
        people["lead_key_worker"].pk,
        people["second_manager"].pk,
    }
    assert len(mail.outbox) == 1
    email = mail.outbox[0]
    assert set(email.to) == {people["lead_key_worker"].email, people["second_manager"].email}
    assert email.subject == "A concern was raised"
    assert concern.get_absolute_url() in email.body
    for private in (
        "bruise",
        "Zara",
        world["family"].display_name,
        people["named_partner"].display_name,
    ):
        assert private not in email.body and private not in email.subject
    # The partner raising it is recorded in the audit trail.
    assert AuditEvent.objects.filter(
        actor=people["named_partner"], object_type="Concern", action="create"
    ).exists()


def test_with_nobody_on_duty_every_manager_hears(world, django_capture_on_commit_callbacks):
    people = world["people"]
    with django_capture_on_commit_callbacks(execute=True):
        _raise(world)
    assert _told("A concern was raised") == {
        people["lead_key_worker"].pk,
        people["manager"].pk,
        people["second_manager"].pk,
        people["manager_without_mfa"].pk,
    }


def test_staff_raise_from_the_family_record(client, world):
    client.force_login(world["people"]["named_partner"])
    family = world["family"]
    record = client.get(family.get_absolute_url()).content.decode()
    url = f"/concerns/families/{family.pk}/new/"
    assert url in record
    response = client.post(url, {"about": "child", "details": WORRY})
    concern = Concern.objects.get()
    assert response["Location"] == concern.get_receipt_url()
    assert concern.raised_as == Concern.RaisedAs.PARTNER
    client.force_login(world["people"]["unnamed_partner"])
    assert client.get(url).status_code == 404


def test_a_manager_decides_with_actions_and_the_raiser_reads_what_happened(
    client, world, django_capture_on_commit_callbacks
):
    people = world["people"]
    concern = _raise(world, role="parent")
    client.force_login(people["manager"])
    page = client.get(concern.get_absolute_url()).content.decode()
    assert "Record the decision" in page and 'type="radio"' in page
    url = f"/concerns/{concern.pk}/decision/"
    response = client.post(url, {"notes": "x", "share": "yes", "action_1": "Visit today"})
    assert response.status_code == 400
    body = response.content.decode()
    assert "There is a problem" in body
    assert "Choose what you decided." in body
    assert "Choose who will do action 1." in body
    assert "Write what they will read, or choose No." in body
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url,
            {
                "decision": "mash_referral",
                "notes": "Bruising on a child: referred to the hub.",
                "action_1": "Visit the family today",
                "action_1_owner": str(people["lead_key_worker"].pk),
                "action_1_due": "1/12/2026",
                "action_2": "Tell the school",
                "action_2_owner": str(people["manager"].pk),
                "share": "yes",
                "outcome_for_raiser": "We are helping your family and will be in touch.",
            },
        )
    assert response.status_code == 302
    concern.refresh_from_db()
    assert concern.decision == Concern.Decision.MASH_REFERRAL
    assert concern.decided_by == people["manager"]
    actions = list(ConcernAction.objects.order_by("id"))
    assert [(a.description, a.owner, a.due_on) for a in actions] == [
        ("Visit the family today", people["lead_key_worker"], dt.date(2026, 12, 1)),
        ("Tell the school", people["manager"], None),
    ]
    assert _told("You have an action on a concern") == {people["lead_key_worker"].pk}
    assert AuditEvent.objects.filter(
        actor=people["manager"], action="update", object_type="Concern"
    ).exists()
    # A second decision cannot be recorded over the first.
    assert client.post(url, {"decision": "police", "notes": "x", "share": "no"}).status_code == 404
    client.force_login(people["parent"])
    receipt = client.get(concern.get_receipt_url()).content.decode()
    assert "We are helping your family" in receipt
    assert "referred" not in receipt and "hub" not in receipt
    assert _told("We have an update for you") == {people["parent"].pk}


def test_where_it_is_not_safe_the_raiser_only_hears_it_was_received(client, world):
    people = world["people"]
    concern = _raise(world, role="parent")
    client.force_login(people["manager"])
    client.post(
        f"/concerns/{concern.pk}/decision/",
        {
            "decision": "police",
            "notes": "Called the police.",
            "share": "no",
            "outcome_for_raiser": "Police",
        },
    )
    concern.refresh_from_db()
    assert concern.is_decided and concern.outcome_for_raiser == ""
    client.force_login(people["parent"])
    receipt = client.get(concern.get_receipt_url()).content.decode()
    assert "We cannot share the details" in receipt and "olice" not in receipt


def test_no_decision_in_a_working_hour_escalates_to_every_manager_until_decided(
    world, clock, django_capture_on_commit_callbacks
):
    people = world["people"]
    DutyManager.objects.create(day=TUESDAY_10AM.date(), manager=people["manager"])
    concern = _raise(world)
    assert concern.escalate_at == TUESDAY_10AM + dt.timedelta(hours=1)
    managers = {people[k].pk for k in ("manager", "second_manager", "manager_without_mfa")}
    clock.move_to(TUESDAY_10AM + dt.timedelta(minutes=59))
    assert services.concerns_escalate_due() == 0
    clock.move_to(TUESDAY_10AM + dt.timedelta(minutes=61))
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert services.concerns_escalate_due() == 1
    assert _told("A concern is still waiting for a decision") == managers
    assert len(mail.outbox) == 1 and mail.outbox[0].subject == "A concern is waiting for a decision"
    assert "bruise" not in mail.outbox[0].body
    concern.refresh_from_db()
    assert concern.escalation_count == 1
    # And again, a working hour later, until someone decides.
    clock.move_to(TUESDAY_10AM + dt.timedelta(minutes=100))
    assert services.concerns_escalate_due() == 0
    clock.move_to(TUESDAY_10AM + dt.timedelta(minutes=122))
    assert tasks.concerns_escalate_due.enqueue().return_value == 1
    concern.refresh_from_db()
    assert concern.escalation_count == 2
    concern_access = services.access.concern_for_user(people["manager"], concern.pk)
    services.concern_decide(
        concern_access=concern_access,
        actor=people["manager"],
        decision=Concern.Decision.ADVICE,
        notes="Advice given to the school.",
    )
    clock.move_to(TUESDAY_10AM + dt.timedelta(hours=5))
    assert services.concerns_escalate_due() == 0


@pytest.mark.django_db(transaction=True)
def test_with_no_time_to_decide_raising_escalates_at_once(world, settings):
    """The embedded backend cannot wait, so the check is queued only once it is due: with no
    time at all to decide, it is due as it is raised."""
    settings.SAFEGUARDING_DECISION_MINUTES = 0
    concern = _raise(world)
    concern.refresh_from_db()
    assert concern.escalation_count == 1


def test_a_concern_raised_before_christmas_is_due_after_the_bank_holidays(
    world, clock, django_capture_on_commit_callbacks
):
    """Half an hour of Christmas Eve, then nothing until Tuesday 29th: Christmas Day,
    the weekend and Boxing Day's Monday are closed."""
    clock.move_to(dt.datetime(2026, 12, 24, 16, 30, tzinfo=LONDON))
    concern = _raise(world)
    assert concern.escalate_at == dt.datetime(2026, 12, 29, 9, 30, tzinfo=LONDON)
    clock.move_to(dt.datetime(2026, 12, 28, 12, 0, tzinfo=LONDON))
    assert services.concerns_escalate_due() == 0
    clock.move_to(dt.datetime(2026, 12, 29, 9, 31, tzinfo=LONDON))
    with django_capture_on_commit_callbacks(execute=True):
        assert services.concerns_escalate_due() == 1
    concern.refresh_from_db()
    assert concern.escalate_at == dt.datetime(2026, 12, 29, 10, 31, tzinfo=LONDON)


def test_raising_is_rate_limited_and_says_to_call(client, world, settings):
    settings.SAFEGUARDING_RAISE_RATE = (2, 3600)
    client.force_login(world["people"]["parent"])
    for _ in range(2):
        assert (
            client.post("/concerns/tell-us/", {"about": "child", "details": WORRY}).status_code
            == 302
        )
    response = client.post("/concerns/tell-us/", {"about": "child", "details": WORRY})
    assert response.status_code == 400
    assert b"call 999" in response.content
    assert Concern.objects.count() == 2


def test_dashboards_show_waiting_concerns_without_names(client, world):
    _raise(world)
    client.force_login(world["people"]["manager"])
    dashboard = client.get("/dashboard/").content.decode()
    assert "1 concern is waiting for a decision." in dashboard
    assert world["family"].display_name not in dashboard.split("concerns-panel")[1][:600]
    client.force_login(world["people"]["parent"])
    assert "I am worried about my safety or a child's" in client.get("/dashboard/").content.decode()


def _decided(world):
    manager = world["people"]["manager"]
    concern = _raise(world)
    return services.concern_decide(
        concern_access=services.access.concern_for_user(manager, concern.pk),
        actor=manager,
        decision=Concern.Decision.NO_FURTHER_ACTION,
        notes="Nothing more to do.",
    )


def test_the_list_makes_the_same_queries_however_many_concerns(
    client, world, django_assert_num_queries, settings
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    settings.SAFEGUARDING_RAISE_RATE = (100, 3600)
    _raise(world)
    _decided(world)
    client.force_login(world["people"]["manager"])
    client.get("/concerns/")
    with CaptureQueriesContext(connection) as baseline:
        client.get("/concerns/")
    for _ in range(6):
        _raise(world)
        _decided(world)
    with django_assert_num_queries(len(baseline)):
        page = client.get("/concerns/").content.decode()
    assert page.count("No further action") == 7


def test_managers_set_the_duty_manager_and_only_they_hear_of_new_concerns(
    client, world, django_capture_on_commit_callbacks
):
    people = world["people"]
    client.force_login(people["lead_key_worker"])
    assert client.get("/concerns/duty/").status_code == 404
    client.force_login(people["manager"])
    response = client.post("/concerns/duty/", {"day": "30/11/2026", "manager": ""})
    assert response.status_code == 400
    assert b"The day must be today or later." in response.content
    assert b"Choose the duty manager." in response.content
    response = client.post(
        "/concerns/duty/", {"day": "1/12/2026", "manager": str(people["second_manager"].pk)}
    )
    assert response.status_code == 302
    page = client.get("/concerns/duty/").content.decode()
    assert people["second_manager"].display_name in page
    with django_capture_on_commit_callbacks(execute=True):
        _raise(world)
    assert _told("A concern was raised") == {
        people["lead_key_worker"].pk,
        people["second_manager"].pk,
    }


def test_the_clock_that_make_run_starts_escalates_a_concern_no_one_decided(
    world, clock, django_capture_on_commit_callbacks
):
    """``manage.py run_schedule`` (started beside the embedded server) runs every
    registered periodic job: a concern past its time escalates without anyone running a
    command by hand."""
    from django.core.management import call_command

    from portal.registry import periodic_jobs

    assert {job.key for job in periodic_jobs()} >= {
        "escalate_concerns",
        "cover_sweep",
        "send_session_reminders",
    }
    for job in periodic_jobs():
        # Each job's cron command exists, as the README tells councils to run it.
        from django.core.management import get_commands

        assert job.command in get_commands(), job.command
    concern = _raise(world)
    clock.move_to(TUESDAY_10AM + dt.timedelta(minutes=61))
    with django_capture_on_commit_callbacks(execute=True):
        call_command("run_schedule", once=True, stdout=open("/dev/null", "w"))  # noqa: SIM115
    concern.refresh_from_db()
    assert concern.escalation_count == 1
