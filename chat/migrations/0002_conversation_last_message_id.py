from django.db import migrations, models
from django.db.models import Max, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce


def fill_last_message_id(apps, schema_editor):
    Conversation = apps.get_model("chat", "Conversation")
    Message = apps.get_model("chat", "Message")
    newest = (
        Message.objects.filter(conversation_id=OuterRef("pk"))
        .values("conversation_id")
        .annotate(newest=Max("id"))
        .values("newest")
    )
    Conversation.objects.update(last_message_id=Coalesce(Subquery(newest), Value(0)))


class Migration(migrations.Migration):
    dependencies = [
        ("chat", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="conversation",
            name="last_message_id",
            field=models.BigIntegerField(default=0),
        ),
        migrations.RunPython(fill_last_message_id, migrations.RunPython.noop),
    ]
