"""Leaving a family's team closes the practitioner's open sockets at once, as leaving a
household does, and every page of the family refuses them."""

from datetime import timedelta

import pytest
from channels.db import database_sync_to_async
from django.test import Client
from django.utils import timezone

from portal import services
from portal.models import FamilyPractitioner
from tests import factories
from tests.helpers.chat import open_socket, receive_until, session_cookie

pytestmark = pytest.mark.django_db(transaction=True)


def _pages(family):
    from django.urls import reverse

    return [
        family.get_absolute_url(),
        reverse("portal:family_team", kwargs={"family_id": family.pk}),
        reverse("plans:family_plan", kwargs={"family_id": family.pk}),
    ]


def _plan_shared_with(family, parent, membership):
    from plans import services as plan_services

    plan = plan_services.plan_start(family=family, actor=parent)
    goal = plan_services.goal_create(plan=plan, actor=parent, title="Get to school on time")
    plan_services.plan_sharing_set(
        plan=plan, actor=parent, wanted={(goal.pk, "partner", membership.pk)}
    )


def _statuses(user, family) -> list[int]:
    browser = Client()
    browser.force_login(user)
    return [browser.get(url).status_code for url in _pages(family)]


@pytest.mark.parametrize("how", ["removed", "ended"])
async def test_leaving_the_team_closes_their_sockets_and_refuses_every_page(
    family, parent, key_worker, how
):
    partner = await database_sync_to_async(factories.partner)(
        family, starts=timezone.localdate() - timedelta(days=30)
    )
    membership = await FamilyPractitioner.objects.aget(family=family, user=partner)
    await database_sync_to_async(_plan_shared_with)(family, parent, membership)
    assert 404 not in await database_sync_to_async(_statuses)(partner, family)
    socket, _ = await open_socket(await database_sync_to_async(session_cookie)(partner))
    if how == "removed":
        await database_sync_to_async(services.family_practitioner_remove)(
            membership=membership, actor=key_worker, reason="Moved to another school"
        )
    else:
        await database_sync_to_async(services.family_practitioner_update)(
            membership=membership,
            role="Attendance officer",
            starts=membership.starts,
            ends=timezone.localdate() - timedelta(days=1),
            actor=key_worker,
        )
    event, _ = await receive_until(socket, "signed_out")
    assert event == {"type": "signed_out"}
    assert await socket.receive_output(timeout=5) == {"type": "websocket.close", "code": 4001}
    assert await database_sync_to_async(_statuses)(partner, family) == [404, 404, 404]
