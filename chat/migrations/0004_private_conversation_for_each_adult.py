"""Every adult of a family with an account gets their private conversation with the key
worker (new adults get one when they join, in chat.services)."""

from django.db import migrations


def forwards(apps, schema_editor):
    FamilyMember = apps.get_model("portal", "FamilyMember")
    StaffProfile = apps.get_model("portal", "StaffProfile")
    Conversation = apps.get_model("chat", "Conversation")
    Participant = apps.get_model("chat", "Participant")
    key_workers = set(
        StaffProfile.objects.filter(role="key_worker").values_list("user_id", flat=True)
    )
    adults = (
        FamilyMember.objects.filter(user__isnull=False, user__is_active=True)
        .exclude(relationship="child")
        .select_related("family")
    )
    for member in adults:
        conversation, created = Conversation.objects.get_or_create(
            family_id=member.family_id, kind="private", owner_id=member.user_id
        )
        if not created:
            continue
        Participant.objects.get_or_create(
            conversation=conversation, user_id=member.user_id, defaults={"role": "family"}
        )
        lead = member.family.lead_key_worker_id
        if lead in key_workers:
            Participant.objects.get_or_create(
                conversation=conversation, user_id=lead, defaults={"role": "key_worker"}
            )


class Migration(migrations.Migration):
    dependencies = [
        ("chat", "0003_private_conversations_and_cover"),
        ("portal", "0002_site_name"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
