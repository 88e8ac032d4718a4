import re
from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from portal import services
from portal.models import AuditEvent, Family, Invitation, User


@pytest.fixture
def invite(client, key_worker, family, django_capture_on_commit_callbacks):
    def invite(email="imran@example.org"):
        client.force_login(key_worker)
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                reverse("portal:family_invite", kwargs={"family_id": family.pk}),
                {"invite-name": "Imran", "invite-relationship": "dad", "invite-email": email},
            )
        client.logout()
        return response

    return invite


def _link_from_email():
    match = re.search(r"http://\S+/invitation/(\S+)/", mail.outbox[-1].body)
    assert match, mail.outbox[-1].body
    return reverse("portal:invitation_accept", kwargs={"token": match.group(1)})


def test_key_worker_invites_parent_who_joins_the_right_family(client, key_worker, family, invite):
    response = invite()
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["imran@example.org"]
    assert AuditEvent.objects.filter(actor=key_worker, action="invite", family=family).exists()
    link = _link_from_email()

    page = client.get(link)
    assert page.status_code == 200
    assert b"imran@example.org" in page.content

    response = client.post(
        link,
        {
            "preferred_name": "Imran",
            "password1": "walking to school 42",
            "password2": "walking to school 42",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:dashboard")
    user = User.objects.get(email="imran@example.org")
    assert user.family_membership.family == family
    assert user.family_membership.relationship == "dad"
    assert user.emailaddress_set.get().verified
    dashboard = client.get(reverse("portal:dashboard"))
    assert family.display_name.encode() in dashboard.content


def test_invitation_link_works_once(client, key_worker, family, invite):
    invite()
    link = _link_from_email()
    data = {"password1": "walking to school 42", "password2": "walking to school 42"}
    assert client.post(link, data).status_code == 302
    client.logout()
    again = client.get(link)
    assert again.status_code == 404
    assert b"does not work any more" in again.content


def test_expired_invitation_link_is_refused(client, key_worker, family, invite):
    invite()
    link = _link_from_email()
    Invitation.objects.update(expires_at=timezone.now() - timedelta(minutes=1))
    response = client.post(
        link, {"password1": "walking to school 42", "password2": "walking to school 42"}
    )
    assert response.status_code == 404
    assert not User.objects.filter(email="imran@example.org").exists()


def test_mismatched_passwords_keep_the_name_typed(client, key_worker, family, invite):
    invite()
    link = _link_from_email()
    response = client.post(
        link,
        {"preferred_name": "Imran K", "password1": "walking to school 42", "password2": "nope"},
    )
    assert response.status_code == 400
    assert b"The two passwords are different" in response.content
    assert b'value="Imran K"' in response.content
    assert b"govuk-error-summary" in response.content


def test_weak_password_is_refused_with_a_clear_message(client, key_worker, family, invite):
    invite()
    response = client.post(_link_from_email(), {"password1": "password", "password2": "password"})
    assert response.status_code == 400
    assert b"too common" in response.content or b"too short" in response.content


def test_new_invitation_replaces_the_older_link(client, key_worker, family, invite):
    invitation, first_token = services.invitation_create(
        family=family, email="a@example.org", name="Ann", actor=key_worker
    )
    services.invitation_create(
        family=family, email="a@example.org", member=invitation.member, actor=key_worker
    )
    assert services.invitation_lookup(token=first_token) is None


def test_invalid_email_keeps_what_was_typed(client, key_worker, family, invite):
    response = invite(email="not-an-email")
    assert response.status_code == 400
    assert b"Enter an email address in the right format" in response.content
    assert b'value="Imran"' in response.content
    assert not mail.outbox


def test_accepting_moves_a_referred_family_to_active(key_worker, db):
    family = services.family_create(display_name="New", lead_key_worker=key_worker)
    assert family.status == Family.Status.REFERRED
    _inv, token = services.invitation_create(
        family=family, email="n@example.org", name="N", actor=key_worker
    )
    services.invitation_accept(token=token, password="walking to school 42")
    family.refresh_from_db()
    assert family.status == Family.Status.ACTIVE


def test_only_the_managing_key_worker_can_create_invitations(family, partner):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.invitation_create(family=family, email="x@example.org", name="X", actor=partner)
