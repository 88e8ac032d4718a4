import re

from django.core import mail
from django.urls import reverse

from tests import factories


def test_public_signup_is_closed(client, db):
    response = client.get(reverse("account_signup"))
    assert b"Sign Up Closed" in response.content or response.status_code in {403, 404}
    response = client.post(
        reverse("account_signup"),
        {
            "email": "stranger@example.org",
            "password1": "walking to school 42",
            "password2": "walking to school 42",
        },
    )
    from portal.models import User

    assert not User.objects.filter(email="stranger@example.org").exists()


def test_parent_signs_in_with_a_code_sent_by_email(client, parent):
    response = client.post(reverse("account_request_login_code"), {"email": parent.email})
    assert response.status_code == 302
    code = re.search(
        r"^\s*([A-Z0-9]{4}-[A-Z0-9]{4})\s*$", mail.outbox[-1].body, re.MULTILINE
    ).group(1)
    response = client.post(response["Location"], {"code": code})
    assert response.status_code == 302
    assert client.get(reverse("portal:dashboard")).status_code == 200


def test_code_request_answers_the_same_whether_or_not_an_account_exists(client, parent):
    known = client.post(reverse("account_request_login_code"), {"email": parent.email})
    mail.outbox.clear()
    unknown = client.post(reverse("account_request_login_code"), {"email": "nobody@example.org"})
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"]


def test_password_sign_in_works_and_wrong_password_is_refused(client, parent):
    response = client.post(
        reverse("account_login"), {"login": parent.email, "password": factories.PASSWORD}
    )
    assert response.status_code == 302
    client.logout()
    response = client.post(reverse("account_login"), {"login": parent.email, "password": "wrong"})
    assert response.status_code == 200
    assert b"govuk-error-summary" in response.content


def test_failed_sign_ins_are_rate_limited(client, parent):
    for _ in range(5):
        client.post(reverse("account_login"), {"login": parent.email, "password": "wrong"})
    # Even the right password is refused once the limit is reached.
    response = client.post(
        reverse("account_login"), {"login": parent.email, "password": factories.PASSWORD}
    )
    assert response.status_code in {200, 429}
    assert b"Too many failed" in response.content


def test_staff_with_mfa_are_asked_for_a_code_at_sign_in(client, key_worker):
    response = client.post(
        reverse("account_login"), {"login": key_worker.email, "password": factories.PASSWORD}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_authenticate")


def test_exit_this_page_signs_out_and_leaves(client, parent, settings):
    settings.EXIT_PAGE_URL = "https://www.bbc.co.uk/weather"
    client.force_login(parent)
    response = client.get(reverse("portal:exit"))
    assert response.status_code == 302
    assert response["Location"] == "https://www.bbc.co.uk/weather"
    after = client.get(reverse("portal:dashboard"))
    assert after.status_code == 302
    assert reverse("account_login") in after["Location"]


def test_family_pages_show_exit_this_page_and_staff_pages_do_not(client, parent, key_worker):
    client.force_login(parent)
    assert b"govuk-exit-this-page" in client.get(reverse("portal:dashboard")).content
    client.force_login(key_worker)
    assert b"govuk-exit-this-page" not in client.get(reverse("portal:dashboard")).content


def test_anonymous_pages_show_exit_this_page(client, db):
    assert b"govuk-exit-this-page" in client.get(reverse("account_login")).content


def test_both_confirm_its_you_pages_show_their_form(client, key_worker):
    client.force_login(key_worker)
    password_page = client.get("/accounts/reauthenticate/").content.decode()
    assert 'action="/accounts/reauthenticate/"' in password_page
    assert 'name="password"' in password_page
    code_page = client.get("/accounts/2fa/reauthenticate/").content.decode()
    assert 'action="/accounts/2fa/reauthenticate/"' in code_page
    assert 'name="code"' in code_page
    assert "type the 6-digit code" in code_page
    for page in (password_page, code_page):
        assert re.search(r'<button[^>]*type="submit"[^>]*>\s*Confirm', page)
