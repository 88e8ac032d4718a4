"""Someone removed from a household keeps no place at a group still to come."""

from content import services
from content.models import Booking
from portal import services as portal_services
from portal.models import FamilyMember
from tests import factories


def test_their_places_are_cancelled_and_go_to_the_waiting_list(
    dad, key_worker, dads_group, occurrence, django_capture_on_commit_callbacks
):
    others = [
        factories.parent(factories.family(), relationship=FamilyMember.Relationship.DAD)
        for _ in range(3)
    ]
    mine = services.booking_create(occurrence_id=occurrence.pk, user=dad)
    for other in others[:2]:
        services.booking_create(occurrence_id=occurrence.pk, user=other)
    waiting = services.booking_create(occurrence_id=occurrence.pk, user=others[2])
    assert waiting.status == Booking.Status.WAITING
    with django_capture_on_commit_callbacks(execute=True):
        portal_services.family_member_remove(
            member=FamilyMember.objects.get(user=dad),
            actor=key_worker,
            reason="Moved out after a court order",
        )
    mine.refresh_from_db()
    waiting.refresh_from_db()
    assert mine.status == Booking.Status.CANCELLED
    assert waiting.status == Booking.Status.CONFIRMED
