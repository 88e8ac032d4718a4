import pytest
import time_machine

from portal import services as core_services
from portal.models import FamilyMember, StaffProfile
from tests import factories
from tests.helpers import peer_mentors as mentor_helpers
from tests.helpers.safeguarding import TUESDAY_10AM


@pytest.fixture
def clock():
    """The clock, stopped at Tuesday 10am; ``clock.move_to(when)`` moves it on."""
    with time_machine.travel(TUESDAY_10AM, tick=False) as traveller:
        yield traveller


@pytest.fixture
def world(clock, family, parent, key_worker, partner, manager, editor, other_parent):
    """The Khans: Aisha (who raises concerns) and Imran, the second adult of the household,
    and everyone else who might try to read what she told us."""
    dad = factories.parent(family, name="Imran", relationship=FamilyMember.Relationship.DAD)
    factories.child(family, name="Zara")
    jo = mentor_helpers.mentor(manager, name="Jo")
    match = mentor_helpers.accepted_match(parent, jo)
    kw_with_reason = factories.staff()
    core_services.access_grant_create(
        user=kw_with_reason, family=family, reason="Covering for a colleague on leave"
    )
    people = {
        "parent": parent,
        "second_adult": dad,
        "other_parent": other_parent,
        "lead_key_worker": key_worker,
        "other_key_worker": factories.staff(),
        "key_worker_with_reason": kw_with_reason,
        "named_partner": partner,
        "unnamed_partner": factories.partner(),
        "manager": manager,
        "second_manager": factories.staff(StaffProfile.Role.MANAGER),
        "manager_without_mfa": factories.staff(StaffProfile.Role.MANAGER, mfa=False),
        "mentor": jo.user,
        "editor": editor,
        "anonymous": None,
    }
    return {"people": people, "family": family, "match": match}
