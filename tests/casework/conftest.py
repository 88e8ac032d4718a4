import pytest

from tests.helpers import peer_mentors as mentor_helpers


@pytest.fixture
def jo(manager):
    return mentor_helpers.mentor(manager, name="Jo", ward="Foleshill")


@pytest.fixture
def match(parent, jo):
    """Aisha's family is matched with Jo."""
    return mentor_helpers.accepted_match(parent, jo)
