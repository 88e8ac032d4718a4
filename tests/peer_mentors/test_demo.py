"""The demo: Jo and Tunde are ready, and the demo parent's journey works end to end."""

from peer_mentors.models import Mentor, MentorMatch
from portal import demo
from portal.access import Relation, relation_to_family


def test_demo_mentors_are_seeded_once_and_active(db):
    demo.seed()
    people = demo.seed()
    jo = Mentor.objects.get(user=people["mentor"])
    tunde = Mentor.objects.get(user=people["mentor_2"])
    assert Mentor.objects.count() == 2
    assert (jo.status, jo.ward, jo.capacity, jo.can_accompany) == ("active", "Foleshill", 2, True)
    assert set(jo.experiences) == {"school_attendance", "recovery"}
    assert (tunde.ward, tunde.capacity, tunde.is_dad) == ("Willenhall", 1, True)
    assert set(tunde.experiences) == {"being_a_dad", "debt"}
    for mentor in (jo, tunde):
        assert mentor.checks_complete
        assert mentor.recorded_by == people["manager"]
    assert jo.supervision_notes.count() == 1


def test_demo_parent_finds_asks_and_mentor_accepts(client, db):
    people = demo.seed()
    aisha, jo_user = people["parent"], people["mentor"]
    family = people["family:parent"]
    client.force_login(aisha)
    page = client.get("/mentors/").content.decode()
    assert "Lives in Foleshill, like you" in page
    jo = Mentor.objects.get(user=jo_user)
    response = client.post(f"/mentors/mentor/{jo.pk}/ask/", {"message": "Zara is missing school."})
    match = MentorMatch.objects.get(family=family)
    assert response.status_code == 302
    client.force_login(jo_user)
    assert "The Khan family" in client.get("/mentors/me/").content.decode()
    client.post(f"/mentors/matches/{match.pk}/respond/", {"decision": "accept"})
    match.refresh_from_db()
    assert match.status == MentorMatch.Status.ACCEPTED
    assert relation_to_family(jo_user, family) is Relation.MENTOR
    # Jo sees the Khans (and the Browns, whom she supports in the demo) but not the Nowaks.
    assert relation_to_family(jo_user, people["family:brown"]) is Relation.MENTOR
    assert relation_to_family(jo_user, people["family:nowak"]) is Relation.NONE
    page = client.get(match.get_absolute_url()).content.decode()
    assert "Aisha" in page and "Zara is missing school." in page
