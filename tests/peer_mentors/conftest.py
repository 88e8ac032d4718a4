import pytest

from portal import registry
from tests import factories
from tests.helpers import peer_mentors as helpers


@pytest.fixture
def needs(monkeypatch):
    """What each family's plan is about, by family id, as the plans app would say."""
    by_family: dict[int, set[str]] = {}
    monkeypatch.setattr(
        registry, "_needs_providers", [lambda family: set(by_family.get(family.pk, set()))]
    )
    return by_family


@pytest.fixture
def jo(manager):
    return helpers.mentor(
        manager,
        name="Jo",
        ward="Foleshill",
        experiences=("school_attendance", "recovery"),
        capacity=2,
    )


@pytest.fixture
def tunde(manager):
    return helpers.mentor(
        manager,
        name="Tunde",
        ward="Willenhall",
        experiences=("being_a_dad", "debt"),
        languages=("English", "Yoruba"),
        availability=("weekday_evenings", "weekends"),
        capacity=1,
        is_dad=True,
        prefers_dads=True,
        can_accompany=False,
    )


@pytest.fixture
def family_in_foleshill(family):
    family.ward = "Foleshill"
    family.save(update_fields=["ward"])
    return family


@pytest.fixture
def dad(family):
    from portal.models import FamilyMember

    return factories.parent(family, name="Imran", relationship=FamilyMember.Relationship.DAD)
