from django.db import migrations


class Migration(migrations.Migration):
    """Mentors' concerns are now safeguarding concerns (copied there first)."""

    dependencies = [
        ("peer_mentors", "0001_initial"),
        ("safeguarding", "0002_from_mentor_concerns_and_message_reports"),
    ]

    operations = [migrations.DeleteModel(name="Concern")]
