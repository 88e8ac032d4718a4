"""The dashboard's bookings query compiled once (``portal.prepared``) gives what its
queryset gives."""

import datetime as dt

from django.utils import timezone

from content import selectors, services
from tests.helpers.prepared import loaded


def test_the_next_bookings_match_their_queryset(
    dad, child_member, occurrence, family, django_assert_num_queries
):
    services.booking_create(occurrence_id=occurrence.pk, user=dad, companion_ids=[child_member.pk])
    member = dad.family_membership
    now = timezone.now()
    query = selectors._next_bookings
    for member_id, when in (
        (member.pk, now),
        (member.pk, now + dt.timedelta(days=3650)),
        (child_member.pk, now),
        (0, now),
    ):
        values = {"member_id": member_id, "now": when}
        assert loaded(query.rows(**values)) == loaded(list(query.build(**values)))
    with django_assert_num_queries(2):  # The bookings, then their companions.
        [booking] = selectors.next_bookings(member=member)
        assert booking.occurrence.series.pk == occurrence.series_id
        assert list(booking.companions.all()) == [child_member]
    assert loaded([booking]) == loaded(list(selectors.bookings_for_member(member=member)[:5]))
