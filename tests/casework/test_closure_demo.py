"""The demo: two families closed more than six months ago (one sustained, one broken by a
later agency record) and one asked how things are at three months."""

from django.urls import reverse

from casework.models import Episode, FollowUp, Need
from portal import demo
from portal.models import Family


def test_the_demo_closes_families_sustained_broken_and_asked_once(db):
    demo.seed()
    people = demo.seed()
    greens = people["family:mentor_family"]
    adeyemis = people["family:mentor_family_2"]
    greens_needs = Need.objects.filter(family=greens, met_at_closure=True)
    assert greens_needs.count() == 3
    assert set(greens_needs.values_list("sustained", flat=True)) == {Need.Sustained.SUSTAINED}
    broken = Need.objects.get(family=adeyemis, sustained=Need.Sustained.BROKEN)
    assert broken.broken_by.kind.code == "asb-report"
    assert broken.broken_by.starts > broken.episode.closed_on
    assert Family.objects.get(pk=greens.pk).status == Family.Status.CLOSED
    assert Family.objects.get(pk=adeyemis.pk).status == Family.Status.STEPPED_DOWN
    osei = Family.objects.get(display_name="The Osei family")
    assert FollowUp.objects.filter(episode__family=osei, months=3).count() == 1
    assert Episode.objects.filter(family=greens).count() == 1


def test_jo_reads_the_greens_closing_summary_and_still_mentors(client, db):
    people = demo.seed()
    client.force_login(people["mentor"])
    page = client.get("/dashboard/")
    assert page.status_code == 200
    assert "Ellie is at school nearly every day" in page.content.decode()
    assert client.get(reverse("casework:yours_closed")).status_code == 200
    assert client.get(reverse("peer_mentors:find")).status_code in {200, 302}
    assert (
        "Your time with the service has ended" in client.get(reverse("plans:plan")).content.decode()
    )
