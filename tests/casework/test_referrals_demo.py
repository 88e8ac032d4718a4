"""The demo's referrals: seeded once, through the services."""

from casework import selectors
from casework.models import Episode, Referral
from portal import demo


def test_the_demo_referrals_are_seeded_once_with_a_likely_duplicate_of_the_khans(db):
    demo.seed()
    people = demo.seed()
    khans, nowaks = people["family:parent"], people["family:nowak"]
    assert (khans.surname, khans.postcode) == ("Khan", "CV6 5AB")
    assert Referral.objects.count() == 4
    school = Referral.objects.get(referred_by=people["partner"])
    assert school.status == Referral.Status.NEW and school.consent
    assert khans in selectors.possible_duplicates(school)
    asked = Referral.objects.get(source=Referral.Source.FAMILY)
    assert asked.status == Referral.Status.NEW and asked.contact_by_text
    nowak = Referral.objects.get(referred_by=people["health_visitor"])
    assert nowak.status == Referral.Status.ACCEPTED and nowak.family == nowaks
    assert Episode.objects.get(family=nowaks, closed_on__isnull=True).referral == nowak
    signposted = Referral.objects.get(status=Referral.Status.SIGNPOSTED)
    assert signposted.signposted_service_name == "Money Advice Drop-in"
    assert signposted.signposted_service_id is not None
