"""Mentors' concerns (peer_mentors.Concern) and reported messages (chat.MessageReport)
become safeguarding concerns, awaiting a decision like any new one."""

from datetime import timedelta

from django.db import migrations


def _raised_as(apps, user_id, family_id):
    FamilyMember = apps.get_model("portal", "FamilyMember")
    StaffProfile = apps.get_model("portal", "StaffProfile")
    if FamilyMember.objects.filter(user_id=user_id, family_id=family_id).exists():
        return "family"
    profile = StaffProfile.objects.filter(user_id=user_id).first()
    if profile is not None and profile.role in {"key_worker", "partner", "manager"}:
        return profile.role
    return "mentor"


def forwards(apps, schema_editor):
    Concern = apps.get_model("safeguarding", "Concern")
    MentorConcern = apps.get_model("peer_mentors", "Concern")
    MessageReport = apps.get_model("chat", "MessageReport")
    # Due an hour after they were raised: any still waiting escalate at the next sweep.
    for old in MentorConcern.objects.select_related("match").order_by("id"):
        Concern.objects.create(
            family_id=old.match.family_id,
            raised_by_id=old.raised_by_id,
            raised_as="mentor",
            source="mentor",
            source_id=old.match_id,
            details=old.details,
            created_at=old.created_at,
            escalate_at=old.created_at + timedelta(hours=1),
        )
    for old in MessageReport.objects.select_related("message", "conversation").order_by("id"):
        family_id = old.conversation.family_id
        message = old.message
        Concern.objects.create(
            family_id=family_id,
            raised_by_id=old.reporter_id,
            raised_as=_raised_as(apps, old.reporter_id, family_id),
            source="message",
            source_id=old.message_id,
            conversation_id=old.conversation_id,
            details=old.reason,
            quoted="" if message.deleted_at else message.body,
            created_at=old.created_at,
            escalate_at=old.created_at + timedelta(hours=1),
        )


def backwards(apps, schema_editor):
    apps.get_model("safeguarding", "Concern").objects.filter(
        source__in=["mentor", "message"]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("safeguarding", "0001_initial"),
        ("peer_mentors", "0001_initial"),
        ("chat", "0002_conversation_last_message_id"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
