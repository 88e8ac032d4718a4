"""Races on PostgreSQL: two families cannot both take a mentor's last place."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from peer_mentors import services
from peer_mentors.models import MentorMatch
from tests import factories
from tests.helpers import peer_mentors as helpers

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


def _race(*calls):
    barrier = threading.Barrier(len(calls))
    outcomes = []

    def run(call):
        try:
            barrier.wait()
            call()
            outcomes.append("ok")
        except ValidationError:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sorted(outcomes)


def test_two_mentors_accepting_families_cannot_overfill_capacity():
    manager = factories.staff("manager")
    tunde = helpers.mentor(manager, name="Tunde", capacity=1)
    first = helpers.request(factories.parent(factories.family()), tunde)
    second_family = factories.family()
    second_parent = factories.parent(second_family)
    # A second family asks before the first is answered, then Tunde answers both at once.
    second = helpers.request(second_parent, tunde)
    outcomes = _race(
        lambda: services.match_respond(match=first, actor=tunde.user, accept=True),
        lambda: services.match_respond(match=second, actor=tunde.user, accept=True),
    )
    assert outcomes == ["ok", "refused"]
    assert MentorMatch.objects.filter(mentor=tunde, status="accepted").count() == 1


def test_two_parents_of_one_family_asking_at_once_make_one_request():
    manager = factories.staff("manager")
    jo = helpers.mentor(manager, name="Jo", capacity=3)
    tunde = helpers.mentor(manager, name="Tunde", capacity=3)
    family = factories.family()
    mum = factories.parent(family)
    dad = factories.parent(family, relationship="dad")
    outcomes = _race(lambda: helpers.request(mum, jo), lambda: helpers.request(dad, tunde))
    assert outcomes == ["ok", "refused"]
    assert MentorMatch.objects.filter(family=family).count() == 1
