"""The demo has a concern awaiting a decision, and the safety-net command escalates it."""

import datetime as dt

import time_machine
from django.core.management import call_command

from portal import demo
from safeguarding.models import Concern


def test_demo_has_one_concern_awaiting_a_decision(db):
    demo.seed()
    people = demo.seed()
    concern = Concern.objects.get()
    assert concern.family == people["family:parent"]
    assert concern.raised_by == people["partner"] and not concern.is_decided


def test_the_safety_net_command_escalates_what_is_overdue(db, capsys):
    demo.seed()
    concern = Concern.objects.get()
    call_command("escalate_concerns")
    concern.refresh_from_db()
    assert concern.escalation_count == 0
    with time_machine.travel(concern.escalate_at + dt.timedelta(minutes=1)):
        call_command("escalate_concerns")
    concern.refresh_from_db()
    assert concern.escalation_count == 1
    assert "Queued the concern escalation sweep" in capsys.readouterr().out
