"""The signed-in person comes with what nearly every page asks about them, in one query."""

from portal import access
from portal.backends import PortalBackend
from portal.models import Family, StaffProfile
from tests import factories


def test_staff_profile_family_and_key_worker_come_with_the_signed_in_parent(
    parent, family, key_worker, django_assert_num_queries
):
    from peer_mentors.access import mentor_of

    with django_assert_num_queries(1):
        user = PortalBackend().get_user(parent.pk)
        assert access.staff_profile(user) is None
        member = access.membership(user)
        assert member.family == family
        assert member.family.lead_key_worker == key_worker
        assert access.staff_profile(member.family.lead_key_worker).role == (
            StaffProfile.Role.KEY_WORKER
        )
        assert mentor_of(user) is None


def test_a_user_from_elsewhere_is_looked_up_as_before(parent, family, django_assert_num_queries):
    with django_assert_num_queries(1):
        assert access.membership(parent).family == family


def test_an_application_made_in_the_same_request_is_seen(db, key_worker):
    from peer_mentors import services
    from peer_mentors.access import mentor_of

    left = factories.family(key_worker=key_worker, status=Family.Status.CLOSED)
    mum = factories.parent(left, name="Jo")
    user = PortalBackend().get_user(mum.pk)
    assert mentor_of(user) is None
    services.mentor_apply(user=user, actor=user, why_mentor="Someone walked with me once.")
    assert mentor_of(user) is not None


def test_a_deactivated_person_is_not_signed_in(parent):
    parent.is_active = False
    parent.save(update_fields=["is_active"])
    assert PortalBackend().get_user(parent.pk) is None
