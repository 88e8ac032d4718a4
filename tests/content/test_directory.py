"""The local services directory for families, and its Open Referral UK feed."""

import json

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from content.models import LocalService
from tests.helpers import content as builders

PAGING_FIELDS = {
    "total_items",
    "total_pages",
    "page_number",
    "size",
    "first_page",
    "last_page",
    "empty",
    "contents",
}


@pytest.fixture
def directory(db):
    parenting = builders.taxonomy_term("parenting", "Parenting support")
    money = builders.taxonomy_term("money", "Money and debt")
    dads = builders.local_service(name="Dads Matter", terms=[parenting], for_dads=True, age_min=18)
    baby = builders.local_service(
        name="Baby massage",
        terms=[parenting],
        is_free=False,
        cost="£2 a session",
        age_min=0,
        age_max=1,
    )
    advice = builders.local_service(name="Money advice", terms=[money], age_min=16)
    hidden = builders.local_service(name="Not ready yet", is_published=False)
    return {"dads": dads, "baby": baby, "advice": advice, "hidden": hidden, "parenting": parenting}


def _names(response):
    return {s.name for s in response.context["page"].object_list}


def test_families_see_published_services_only(client, directory):
    response = client.get(reverse("content:service_list"))
    assert response.status_code == 200
    assert _names(response) == {"Dads Matter", "Baby massage", "Money advice"}


def test_families_filter_services(client, directory):
    url = reverse("content:service_list")
    assert _names(client.get(url, {"age": 0})) == {"Baby massage"}
    assert _names(client.get(url, {"free_only": "on"})) == {"Dads Matter", "Money advice"}
    assert _names(client.get(url, {"for_dads": "on"})) == {"Dads Matter"}
    assert _names(client.get(url, {"category": str(directory["parenting"].uid)})) == {
        "Dads Matter",
        "Baby massage",
    }
    assert _names(client.get(url, {"q": "money"})) == {"Money advice"}


def test_bad_age_filter_gets_a_clear_message_and_keeps_what_was_typed(client, directory):
    response = client.get(reverse("content:service_list"), {"age": "seven"})
    assert response.status_code == 400
    body = response.content.decode()
    assert "Enter an age in years, like 7." in body
    assert 'value="seven"' in body


def test_service_page_shows_contact_details_but_never_staff_notes(client, directory):
    response = client.get(directory["dads"].get_absolute_url())
    body = response.content.decode()
    assert response.status_code == 200
    assert "024 7600 1234" in body and "dads@example.org" in body
    assert "SECRET-NOTE" not in body and "SECRET-CONTACT" not in body


def test_unpublished_service_page_is_not_found(client, directory):
    assert client.get(directory["hidden"].get_absolute_url()).status_code == 404


def test_service_list_query_count_is_flat(client, directory, django_assert_num_queries):
    for n in range(25):
        builders.local_service(name=f"Service {n:02d}", terms=[directory["parenting"]])
    with django_assert_num_queries(4):
        # categories for the filter, count, the page, and the categories for the page
        client.get(reverse("content:service_list"))


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("email", "not-an-email", "Enter an email address in the right format"),
        ("phone", "12345", "Enter a UK phone number"),
        ("phone", "+1 212 555 0100", "Enter a UK phone number"),
    ],
)
def test_service_with_bad_contact_details_is_refused(field, value, message, db):
    with pytest.raises(ValidationError) as excinfo:
        builders.local_service(name="Bad", **{field: value})
    assert message in str(excinfo.value)


@pytest.mark.parametrize(
    "phone", ["024 7600 1234", "07700 900982", "+44 7700 900982", "0808 278 7900"]
)
def test_uk_phone_numbers_are_accepted(phone, db):
    assert builders.local_service(name="Good", phone=phone).phone == phone


def test_ages_must_be_in_order(db):
    with pytest.raises(ValidationError) as excinfo:
        builders.local_service(name="Backwards", age_min=10, age_max=5)
    assert "The oldest age must be the same as or more than the youngest age." in str(excinfo.value)


# Open Referral UK ----------------------------------------------------------------------


def test_services_feed_is_paged_in_the_open_referral_shape(client, directory):
    response = client.get("/openreferral/services", {"per_page": 2})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    data = response.json()
    assert set(data) == PAGING_FIELDS
    assert data["total_items"] == 3
    assert data["total_pages"] == 2
    assert data["page_number"] == 1 and data["size"] == 2
    assert data["first_page"] is True and data["last_page"] is False and data["empty"] is False
    assert [s["name"] for s in data["contents"]] == ["Baby massage", "Dads Matter"]

    second = client.get("/openreferral/services", {"per_page": 2, "page": 2}).json()
    assert second["first_page"] is False and second["last_page"] is True
    assert [s["name"] for s in second["contents"]] == ["Money advice"]

    beyond = client.get("/openreferral/services", {"per_page": 2, "page": 5}).json()
    assert beyond["empty"] is True and beyond["contents"] == []


def test_service_in_the_feed_has_the_open_referral_fields(client, directory):
    service = directory["dads"]
    data = client.get(f"/openreferral/services/{service.uid}").json()
    assert data["id"] == str(service.uid)
    assert data["organization"]["name"] == "Community Trust"
    assert data["email"] == "dads@example.org"
    assert data["phones"][0]["number"] == "024 7600 1234"
    assert [lang["name"] for lang in data["languages"]] == ["English", "Urdu"]
    assert data["minimum_age"] == 18 and data["maximum_age"] is None
    location = data["service_at_locations"][0]["location"]
    assert location["address"][0]["postal_code"] == "CV6 5BG"
    assert location["accessibility"][0]["description"] == "Step-free."
    assert data["taxonomy_terms"][0]["name"] == "Parenting support"
    assert data["attributes"][0]["taxonomy_term_id"] == data["taxonomy_terms"][0]["id"]
    assert data["cost_options"][0]["option"] == "Free"


def test_private_fields_never_appear_in_the_feed(client, directory):
    raw = client.get("/openreferral/services").content.decode()
    raw += client.get(f"/openreferral/services/{directory['dads'].uid}").content.decode()
    for secret in (
        "SECRET-NOTE",
        "SECRET-CONTACT",
        "internal_notes",
        "referral_contact",
        "Not ready yet",
    ):
        assert secret not in raw


def test_unpublished_or_unknown_service_is_not_found_in_the_feed(client, directory):
    assert client.get(f"/openreferral/services/{directory['hidden'].uid}").status_code == 404
    assert (
        client.get("/openreferral/services/00000000-0000-0000-0000-000000000000").status_code == 404
    )


def test_taxonomies_and_terms_answer_at_both_paths(client, directory):
    for path in ("/openreferral/taxonomies", "/taxonomies"):
        data = client.get(path).json()
        assert set(data) == PAGING_FIELDS
        assert [t["name"] for t in data["contents"]] == ["Family support categories"]
    for path in ("/openreferral/taxonomy_terms", "/taxonomy_terms"):
        data = client.get(path).json()
        assert set(data) == PAGING_FIELDS
        assert {t["code"] for t in data["contents"]} == {"parenting", "money"}
        assert all(t["taxonomy_id"] for t in data["contents"])


def test_bad_paging_is_refused_with_a_message(client, directory):
    for params in ({"page": "0"}, {"page": "x"}, {"per_page": "1000"}):
        response = client.get("/openreferral/services", params)
        assert response.status_code == 400
        assert "error" in response.json()


def test_feed_query_count_is_flat(client, directory, django_assert_num_queries):
    for n in range(30):
        builders.local_service(name=f"Service {n:02d}", terms=[directory["parenting"]])
    with django_assert_num_queries(4):
        # count, the page, the categories, and their taxonomies (parents are not loaded twice)
        response = client.get("/openreferral/services", {"per_page": 50})
    assert len(json.loads(response.content)["contents"]) == 33


def test_demo_services_are_valid_in_the_feed(client, db):
    from portal import demo

    demo.seed()
    data = client.get("/openreferral/services").json()
    assert data["total_items"] == LocalService.objects.filter(is_published=True).count() >= 3
    assert "Contract review" not in json.dumps(data)
