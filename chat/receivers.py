"""Signal receivers: each only calls a service."""

from __future__ import annotations

from django.contrib.auth.signals import user_logged_out
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from notifications.signals import notify

from portal.models import Family, FamilyMember
from portal.signals import (
    concern_raised,
    family_member_removed,
    family_practitioner_left,
    mentor_match_ended,
    mentor_match_started,
)

from . import services


@receiver(mentor_match_started, dispatch_uid="chat.mentor_match_started")
def open_mentor_conversation(sender, *, family, mentor, match_id, **kwargs):
    services.conversation_mentor_open(family=family, mentor=mentor, match_id=match_id)
    services.conversation_team_open(family=family, mentor=mentor, match_id=match_id)


@receiver(mentor_match_ended, dispatch_uid="chat.mentor_match_ended")
def close_mentor_conversation(sender, *, family, mentor, match_id, **kwargs):
    services.conversation_mentor_close(family=family, mentor=mentor, match_id=match_id)


@receiver(concern_raised, dispatch_uid="chat.concern_raised")
def share_on_concern(sender, *, family, mentor, concern_id=None, **kwargs):
    services.conversation_concern_raise(family=family, mentor=mentor, concern_id=concern_id)


@receiver(post_save, sender=Family, dispatch_uid="chat.family_saved")
def family_saved(sender, instance, raw=False, **kwargs):
    if not raw:
        services.family_conversations_sync(family=instance)


@receiver(post_save, sender=FamilyMember, dispatch_uid="chat.family_member_saved")
@receiver(post_delete, sender=FamilyMember, dispatch_uid="chat.family_member_deleted")
def family_member_changed(sender, instance, raw=False, **kwargs):
    if not raw:
        services.family_conversations_sync(family=instance.family)


@receiver(family_member_removed, dispatch_uid="chat.family_member_removed")
def leave_the_household(sender, *, family, user, **kwargs):
    services.family_member_left(family=family, user=user)


@receiver(family_practitioner_left, dispatch_uid="chat.family_practitioner_left")
def leave_the_team(sender, *, family, user, **kwargs):
    services.family_member_left(family=family, user=user)


@receiver(user_logged_out, dispatch_uid="chat.user_logged_out")
def close_sockets_on_sign_out(sender, request=None, user=None, **kwargs):
    session = getattr(request, "session", None)
    services.user_signed_out(session_key=getattr(session, "session_key", None))


@receiver(notify, dispatch_uid="chat.notification_created")
def push_notification_badge(sender, recipient=None, **kwargs):
    # Connected after django-notifications' own handler, so the row already exists.
    if recipient is not None and getattr(recipient, "pk", None):
        services.notification_badge_push_on_commit(user_id=recipient.pk)
