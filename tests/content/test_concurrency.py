"""The last place cannot be booked twice, even at the same moment (PostgreSQL row locks)."""

import threading

import pytest
from django.db import close_old_connections, connection
from django.test import Client
from django.urls import reverse

from content.models import Booking
from tests import factories
from tests.helpers import content as builders


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_two_parents_booking_the_last_place_at_once_get_one_place_and_one_wait():
    assert connection.vendor == "postgresql"
    home = builders.home()
    series = builders.series(builders.session_index(home), capacity=1)
    occurrence = builders.first_occurrence(series)
    parents = [factories.parent(factories.family()) for _ in range(2)]
    clients = []
    for parent in parents:
        client = Client()
        client.force_login(parent)
        clients.append(client)
    start = threading.Barrier(len(clients))
    statuses = []

    def book(client):
        try:
            start.wait()
            response = client.post(reverse("content:booking_create", args=[occurrence.pk]))
            statuses.append(response.status_code)
        finally:
            close_old_connections()

    threads = [threading.Thread(target=book, args=(c,)) for c in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert statuses == [302, 302]
    assert Booking.objects.filter(status=Booking.Status.CONFIRMED).count() == 1
    assert Booking.objects.filter(status=Booking.Status.WAITING).count() == 1


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_many_parents_racing_never_exceed_capacity():
    from content import services

    home = builders.home()
    series = builders.series(builders.session_index(home), capacity=2)
    occurrence = builders.first_occurrence(series)
    # Few threads: each holds a PostgreSQL connection on a server other suites share.
    parents = [factories.parent(factories.family()) for _ in range(5)]
    start = threading.Barrier(len(parents))
    errors = []

    def book(user):
        try:
            start.wait()
            services.booking_create(occurrence_id=occurrence.pk, user=user)
        except Exception as exc:  # collected and asserted below
            errors.append(exc)
        finally:
            close_old_connections()

    threads = [threading.Thread(target=book, args=(p,)) for p in parents]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []
    assert Booking.objects.filter(status=Booking.Status.CONFIRMED).count() == 2
    assert Booking.objects.filter(status=Booking.Status.WAITING).count() == 3
