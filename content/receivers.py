"""Signal receivers: each only calls a service."""

from __future__ import annotations

from django.dispatch import receiver

from portal.signals import family_member_removed

from . import services


@receiver(family_member_removed, dispatch_uid="content.family_member_removed")
def cancel_bookings_of_someone_who_left(sender, *, member_id, **kwargs):
    services.member_bookings_cancel(member_id=member_id)
