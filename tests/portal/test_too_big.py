"""A form body past DATA_UPLOAD_MAX_MEMORY_SIZE gets the portal's own page, not a bare 400."""

from urllib.parse import urlencode

import pytest
from django.test import Client
from django.urls import reverse

from plans import services as plan_services

TEN_MB = 10 * 1024 * 1024
TOO_BIG = 413


@pytest.fixture
def goal_save_url(family, parent):
    plan_services.plan_start(family=family, actor=parent)
    return reverse("plans:goal_save", kwargs={"family_id": family.pk})


def _assert_too_big_page(response, *, back: str | None):
    body = response.content.decode()
    assert response.status_code == TOO_BIG
    assert "Bad Request (400)" not in body
    assert '<h1 class="govuk-heading-l">What you sent was too big</h1>' in body
    assert "Files you attach must be smaller than 5 MB." in body
    assert 'class="govuk-footer"' in body  # the portal's layout, not a bare page
    if back:
        assert f'href="{back}">Go back to the page you were on</a>' in body
    else:
        assert 'href="/">Go to the home page</a>' in body


def test_a_ten_mb_form_gets_the_too_big_page_with_a_link_back(client, parent, goal_save_url):
    client.force_login(parent)
    back = "http://testserver" + reverse("plans:plan")
    response = client.post(
        goal_save_url,
        urlencode({"goal_id": "", "version": "1", "title": "x" * TEN_MB}),
        content_type="application/x-www-form-urlencoded",
        headers={"referer": back},
    )
    _assert_too_big_page(response, back=back)


def test_a_ten_mb_field_in_a_multipart_form_gets_the_same_page(client, parent, goal_save_url):
    client.force_login(parent)
    response = client.post(goal_save_url, {"goal_id": "", "version": "1", "title": "x" * TEN_MB})
    _assert_too_big_page(response, back=None)


def test_too_big_is_caught_where_the_csrf_check_reads_the_form_first(parent, goal_save_url):
    client = Client(enforce_csrf_checks=True)
    client.force_login(parent)
    client.get(reverse("plans:plan"))  # the CSRF cookie, so the check goes on to the form
    assert "csrftoken" in client.cookies
    response = client.post(
        goal_save_url,
        urlencode({"title": "x" * TEN_MB}),
        content_type="application/x-www-form-urlencoded",
        headers={"referer": "https://elsewhere.example/"},
    )
    _assert_too_big_page(response, back=None)  # a link back only to this site


def test_other_bad_requests_are_not_called_too_big(client):
    response = client.get("/", headers={"host": "not-allowed.example"})
    assert response.status_code == 400
    assert "What you sent was too big" not in response.content.decode()
