"""The demo: the Khans' team meetings and appointments, seeded once."""

from casework.models import Appointment, Meeting
from plans.models import Step
from portal import demo


def test_demo_meetings_and_appointments_are_seeded_once(db):
    demo.seed()
    people = demo.seed()
    family = people["family:parent"]
    held = Meeting.objects.get(family=family, status=Meeting.Status.HELD)
    assert Meeting.objects.filter(family=family).count() == 2
    assert held.notes_agreed
    step_ids = [a.step_id for a in held.actions.all()]
    assert len(step_ids) == 2
    assert Step.objects.filter(pk__in=step_ids).count() == 2
    assert Appointment.objects.filter(family=family, status=Appointment.Status.HELD).count() == 1
    assert Appointment.objects.filter(family=family, status=Appointment.Status.BOOKED).count() == 1


def test_the_demo_mum_sees_the_agreed_notes_and_whats_coming(client, db):
    people = demo.seed()
    client.force_login(people["parent"])
    page = client.get("/dashboard/").content.decode()
    assert "Talk about how the school mornings are going" in page
    held = Meeting.objects.get(family=people["family:parent"], status=Meeting.Status.HELD)
    page = client.get(held.get_absolute_url()).content.decode()
    assert "Mornings are the hardest time" in page
    assert "Walk Zara and Yusuf to school" in page
    assert "82%" not in page
