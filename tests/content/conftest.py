import pytest

from portal.models import FamilyMember
from tests import factories
from tests.helpers import content as builders


@pytest.fixture
def home_page(db):
    return builders.home()


@pytest.fixture
def help_index(home_page):
    return builders.resource_index(home_page)


@pytest.fixture
def groups(home_page):
    return builders.session_index(home_page)


@pytest.fixture
def dads_group(groups):
    return builders.series(groups, title="Dads' group, Saturday mornings", capacity=3)


@pytest.fixture
def occurrence(dads_group):
    return builders.first_occurrence(dads_group)


@pytest.fixture
def dad(family):
    return factories.parent(family, relationship=FamilyMember.Relationship.DAD, name="Imran")


@pytest.fixture
def child_member(family):
    return factories.child(family, name="Zara")


@pytest.fixture
def other_dad(other_family):
    return factories.parent(other_family, relationship=FamilyMember.Relationship.DAD, name="Tom")


@pytest.fixture
def run_on_commit(django_capture_on_commit_callbacks):
    """Run notification and task callbacks as the real commit would."""

    def run(fn, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return fn(*args, **kwargs)

    return run
