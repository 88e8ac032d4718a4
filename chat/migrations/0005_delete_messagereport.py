from django.db import migrations


class Migration(migrations.Migration):
    """Reported messages are now safeguarding concerns (copied there first)."""

    dependencies = [
        ("chat", "0004_private_conversation_for_each_adult"),
        ("safeguarding", "0002_from_mentor_concerns_and_message_reports"),
    ]

    operations = [migrations.DeleteModel(name="MessageReport")]
