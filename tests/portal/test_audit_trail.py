from django.urls import reverse

from portal.models import StaffProfile
from tests import factories


def test_manager_sees_who_opened_a_family_and_why(client, manager, family, key_worker):
    client.force_login(key_worker)
    client.get(family.get_absolute_url())
    client.force_login(manager)
    response = client.get(reverse("portal:audit_trail"), {"family": family.reference})
    assert response.status_code == 200
    assert key_worker.display_name.encode() in response.content
    assert response.context["page"].paginator.count == 1


def test_audit_trail_is_only_for_managers(client, key_worker, parent, editor):
    for user in (key_worker, parent, editor):
        client.force_login(user)
        assert client.get(reverse("portal:audit_trail")).status_code == 404


def test_audit_trail_query_count_is_flat(client, manager, django_assert_max_num_queries):
    worker = factories.staff(StaffProfile.Role.KEY_WORKER)
    families = [factories.family(key_worker=worker) for _ in range(3)]
    client.force_login(worker)
    for fam in families:
        client.get(fam.get_absolute_url())
    client.force_login(manager)
    with django_assert_max_num_queries(20) as small:
        client.get(reverse("portal:audit_trail"))
    for fam in [factories.family(key_worker=worker) for _ in range(20)]:
        client.force_login(worker)
        client.get(fam.get_absolute_url())
    client.force_login(manager)
    with django_assert_max_num_queries(20) as big:
        client.get(reverse("portal:audit_trail"))
    assert len(big.captured_queries) == len(small.captured_queries)


def test_bad_email_filter_shows_an_error_not_a_crash(client, manager):
    client.force_login(manager)
    response = client.get(reverse("portal:audit_trail"), {"staff": "nope"})
    assert response.status_code == 200
    assert b"Enter an email address in the right format" in response.content


def test_audit_trail_reads_as_words_not_a_database_log(client, manager, family, key_worker):
    from portal import services
    from portal.models import Family

    client.force_login(key_worker)
    client.get(family.get_absolute_url())
    services.family_status_set(family=family, status=Family.Status.CLOSED, actor=key_worker)
    client.force_login(manager)
    page = client.get(reverse("portal:audit_trail"), {"family": family.reference}).content.decode()
    assert "Opened a family" in page
    assert "Changed a family" in page
    assert "Status changed to Closed" in page
    assert "status=" not in page and "Viewed Family" not in page
