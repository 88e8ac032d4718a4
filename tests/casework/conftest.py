import datetime

import pytest

from portal import services as core_services
from portal.models import FamilyMember, StaffProfile
from tests import factories
from tests.helpers import peer_mentors as mentor_helpers


@pytest.fixture
def records_world(family, parent, key_worker, partner, manager, other_parent):
    """The Khans: Aisha and Imran, their children Zara and Yusuf, the school (Pat's
    agency) and the police on their team, and everyone else who might look."""
    dad = factories.parent(family, name="Imran", relationship=FamilyMember.Relationship.DAD)
    zara = core_services.family_member_add(
        family=family,
        name="Zara",
        relationship=FamilyMember.Relationship.CHILD,
        date_of_birth=datetime.date(2016, 5, 4),
    )
    yusuf = core_services.family_member_add(
        family=family,
        name="Yusuf",
        relationship=FamilyMember.Relationship.CHILD,
        date_of_birth=datetime.date(2019, 1, 20),
    )
    police = factories.partner(family, agency=StaffProfile.Agency.POLICE)
    housing = factories.partner(family, agency=StaffProfile.Agency.HOUSING)
    kw_with_reason = factories.staff()
    core_services.access_grant_create(
        user=kw_with_reason, family=family, reason="Covering for a colleague on leave"
    )
    jo = mentor_helpers.mentor(manager, name="Jo")
    mentor_helpers.accepted_match(parent, jo)
    members = {m.name: m for m in FamilyMember.objects.filter(family=family)}
    people = {
        "parent": parent,
        "second_adult": dad,
        "other_parent": other_parent,
        "lead_key_worker": key_worker,
        "other_key_worker": factories.staff(),
        "key_worker_with_reason": kw_with_reason,
        "school": partner,
        "police": police,
        "housing": housing,
        "unnamed_partner": factories.partner(),
        "manager": manager,
        "mentor": jo.user,
        "anonymous": None,
    }
    return {
        "people": people,
        "family": family,
        "aisha": members["Aisha"],
        "imran": members["Imran"],
        "zara": zara,
        "yusuf": yusuf,
    }


@pytest.fixture
def jo(manager):
    return mentor_helpers.mentor(manager, name="Jo", ward="Foleshill")


@pytest.fixture
def match(parent, jo):
    """Aisha's family is matched with Jo."""
    return mentor_helpers.accepted_match(parent, jo)
