"""The dashboard's mentor query compiled once (``portal.prepared``) gives what its queryset
gives."""

from peer_mentors import selectors, services
from tests.helpers import peer_mentors as helpers
from tests.helpers.prepared import loaded


def test_the_family_matches_match_their_queryset(
    parent, family, other_family, jo, tunde, django_assert_num_queries
):
    ended = helpers.accepted_match(parent, tunde)
    services.match_end(match=ended, actor=parent, reason="We moved away")
    helpers.accepted_match(parent, jo)
    for family_id in (family.pk, other_family.pk, 0):
        query = selectors._family_matches
        assert loaded(query.rows(family_id=family_id)) == loaded(
            list(query.build(family_id=family_id))
        )
    with django_assert_num_queries(1):
        state = selectors.family_mentor_state(family=family)
        assert state["current"].mentor.user.pk == jo.user.pk
        assert state["waiting"] is None
        assert [m.mentor.user.pk for m in state["past"]] == [tunde.user.pk]
