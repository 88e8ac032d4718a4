from django.db import migrations

import portal.fields


def encrypt_safe_words(apps, schema_editor):
    """Words written before the field was encrypted are encrypted where they lie (read
    and written as raw text: the model's field would try to decrypt them)."""
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT id, safe_word FROM portal_safecontact WHERE safe_word <> ''")
        for pk, word in cursor.fetchall():
            if not portal.fields.is_encrypted(word):
                cursor.execute(
                    "UPDATE portal_safecontact SET safe_word = %s WHERE id = %s",
                    [portal.fields.encrypt(word), pk],
                )


def decrypt_safe_words(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT id, safe_word FROM portal_safecontact WHERE safe_word <> ''")
        for pk, word in cursor.fetchall():
            if portal.fields.is_encrypted(word):
                cursor.execute(
                    "UPDATE portal_safecontact SET safe_word = %s WHERE id = %s",
                    [portal.fields.decrypt(word)[:60], pk],
                )


class Migration(migrations.Migration):
    dependencies = [
        ("portal", "0003_alter_familymember_options_familymember_left_at_and_more"),
    ]

    operations = [
        migrations.AlterField(
            model_name="safecontact",
            name="safe_word",
            field=portal.fields.EncryptedCharField(
                blank=True, max_length=60, verbose_name="safe word"
            ),
        ),
        migrations.RunPython(encrypt_safe_words, decrypt_safe_words),
    ]
