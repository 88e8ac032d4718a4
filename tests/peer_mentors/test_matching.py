"""Ranking on small cases worked out by hand. No database: the ranking is a pure function."""

from peer_mentors import matching
from peer_mentors.matching import FamilyFacts, MentorFacts, rank_mentors, score_mentor
from portal.registry import OUTCOME_SLUGS

JO = MentorFacts(
    mentor_id=1,
    name="Jo",
    experiences=frozenset({"school_attendance", "recovery"}),
    languages=frozenset({"English"}),
    ward="Foleshill",
    availability=frozenset({"weekday_mornings", "weekday_afternoons"}),
    can_accompany=True,
    capacity_left=2,
)
TUNDE = MentorFacts(
    mentor_id=2,
    name="Tunde",
    experiences=frozenset({"being_a_dad", "debt"}),
    languages=frozenset({"English", "Yoruba"}),
    ward="Willenhall",
    is_dad=True,
    prefers_dads=True,
    availability=frozenset({"weekday_evenings", "weekends"}),
    capacity_left=1,
)


def test_every_experience_maps_to_real_outcome_areas():
    from peer_mentors.models import Experience

    assert set(matching.EXPERIENCE_OUTCOMES) == set(Experience.values)
    for slugs in matching.EXPERIENCE_OUTCOMES.values():
        assert slugs and slugs <= set(OUTCOME_SLUGS)


def test_mum_in_foleshill_with_school_worries_gets_jo_first_with_reasons():
    family = FamilyFacts(needs=frozenset({"education"}), ward="Foleshill")
    ranked = rank_mentors(family, [TUNDE, JO])
    assert [s.name for s in ranked] == ["Jo", "Tunde"]
    # Jo: shared experience 30 + same ward 15 + two free places 4 = 49.
    assert ranked[0].score == 49
    assert ranked[0].reasons == (
        "Jo has been through school attendance worries too",
        "Lives in Foleshill, like you",
    )
    # Tunde prefers dads and this parent is a mum: -15, plus one free place 2 = -13.
    assert ranked[1].score == -13
    assert ranked[1].reasons == ("Tunde has room to support a new family now",)


def test_dad_with_debt_gets_tunde_first():
    family = FamilyFacts(
        needs=frozenset({"financial_stability", "education"}),
        ward="Willenhall",
        parent_is_dad=True,
    )
    ranked = rank_mentors(family, [JO, TUNDE])
    # Tunde: debt 30 + dad for dad 20 + ward 15 + one place 2 = 67. Jo: school 30 + 4 = 34.
    assert [(s.name, s.score) for s in ranked] == [("Tunde", 67), ("Jo", 34)]
    assert "Tunde is a dad too" in ranked[0].reasons
    assert "Tunde has been through money worries and debt too" in ranked[0].reasons
    assert "Lives in Willenhall, like you" in ranked[0].reasons


def test_language_counts_only_when_it_is_not_english():
    yoruba = FamilyFacts(language="yoruba")
    english = FamilyFacts(language="English")
    assert score_mentor(yoruba, TUNDE).reasons[0] == "Tunde speaks yoruba"
    assert score_mentor(yoruba, TUNDE).score - score_mentor(english, TUNDE).score == 20
    assert all("speaks" not in r for r in score_mentor(english, JO).reasons)


def test_availability_and_going_to_appointments_add_their_reasons():
    family = FamilyFacts(
        free_when=frozenset({"weekday_mornings", "weekends"}), wants_accompany=True
    )
    jo = score_mentor(family, JO)
    assert jo.score == 10 + 10 + 4
    assert jo.reasons == (
        "Free at times that suit you: weekday mornings",
        "Can go with you to appointments",
    )
    tunde = score_mentor(family, TUNDE)
    # Weekends match; Tunde cannot go to appointments; prefers dads: 10 - 15 + 2.
    assert tunde.score == -3
    assert tunde.reasons == ("Free at times that suit you: weekends",)


def test_full_mentors_are_left_out_and_capacity_breaks_ties():
    full = MentorFacts(mentor_id=3, name="Ann", capacity_left=0)
    roomy = MentorFacts(mentor_id=4, name="Bea", capacity_left=3)
    tight = MentorFacts(mentor_id=5, name="Amy", capacity_left=1)
    ranked = rank_mentors(FamilyFacts(), [full, tight, roomy])
    assert [(s.name, s.score) for s in ranked] == [("Bea", 6), ("Amy", 2)]


def test_reasons_for_staff_talk_about_the_family_not_you():
    family = FamilyFacts(ward="Foleshill", parent_is_dad=True)
    dad_in_foleshill = MentorFacts(mentor_id=6, name="Lee", ward="foleshill", is_dad=True)
    reasons = score_mentor(family, dad_in_foleshill, to_family=False).reasons
    assert reasons == ("Lee is a dad, like the parent", "Lives in foleshill, like the family")


def test_one_experience_scores_once_even_if_it_covers_two_needs():
    family = FamilyFacts(needs=frozenset({"health", "early_years"}))
    mentor = MentorFacts(mentor_id=7, name="Kay", experiences=frozenset({"additional_needs"}))
    assert score_mentor(family, mentor).score == 30 + 2
