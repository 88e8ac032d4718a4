"""Photos and PDFs: metadata stripped, bombs and other files refused, served safely."""

from __future__ import annotations

import io
import struct
import uuid
import zlib

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from chat.models import Message
from tests.helpers.chat import gps_exif, png_bytes, send


def upload(name, data, content_type="application/octet-stream"):
    return SimpleUploadedFile(name, data, content_type=content_type)


def jpeg_with_gps() -> bytes:
    image = Image.new("RGB", (64, 48), (10, 120, 200))
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=gps_exif(), quality=90)
    data = out.getvalue()
    # Make sure the test file really carries what we want removed.
    assert Image.open(io.BytesIO(data)).getexif().get_ifd(0x8825)
    return data


def _assert_clean(stored: bytes):
    image = Image.open(io.BytesIO(stored))
    assert not image.getexif()
    assert not image.getexif().get_ifd(0x8825)
    assert b"SecretCam" not in stored and b"Exif" not in stored and b"eXIf" not in stored
    assert not getattr(image, "text", {})
    assert "exif" not in image.info and "icc_profile" not in image.info


def test_png_with_gps_and_text_is_stored_without_any_metadata(conversation, parent):
    data = png_bytes(exif=gps_exif(), text={"Comment": "home address", "Author": "Aisha"})
    original = Image.open(io.BytesIO(data))
    assert original.getexif().get_ifd(0x8825) and original.text["Comment"] == "home address"
    message = send(parent, conversation, body="", attachment=upload("IMG_0001.png", data))
    assert message.attachment_kind == "image"
    stored = message.attachment.read()
    _assert_clean(stored)
    assert b"home address" not in stored
    assert Image.open(io.BytesIO(stored)).size == (40, 30)


def test_jpeg_with_gps_is_stored_without_any_metadata(conversation, parent):
    message = send(parent, conversation, body="photo", attachment=upload("me.jpg", jpeg_with_gps()))
    stored = message.attachment.read()
    _assert_clean(stored)
    assert message.attachment_type == "image/jpeg"


def test_attachments_are_stored_outside_media_root(conversation, parent):
    message = send(parent, conversation, attachment=upload("me.jpg", jpeg_with_gps()))
    path = message.attachment.path
    assert not path.startswith(str(settings.MEDIA_ROOT))
    with pytest.raises(ValueError):
        message.attachment.url  # noqa: B018 - no public URL may exist


def _png_header_only(width: int, height: int) -> bytes:
    def chunk(kind, body):
        return (
            struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
        )

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    # A few compressed zero rows: tiny on disk, enormous once decoded.
    idat = zlib.compress(b"\x00" * 4096, 9)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


def test_decompression_bomb_image_is_refused(conversation, parent):
    bomb = _png_header_only(40_000, 40_000)
    assert len(bomb) < 1024
    with pytest.raises(ValidationError):
        send(parent, conversation, attachment=upload("bomb.png", bomb))
    assert not Message.objects.exists()


def test_image_over_the_pixel_limit_is_refused(conversation, parent, settings):
    settings.CHAT_IMAGE_MAX_PIXELS = 100
    with pytest.raises(ValidationError, match="too big"):
        send(parent, conversation, attachment=upload("big.png", png_bytes(size=(20, 20))))


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("script.html", b"<html><script>alert(1)</script></html>"),
        ("photo.png", b"GIF89a not really"),
        ("evil.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'),
        ("run.exe", b"MZ\x90\x00"),
    ],
)
def test_other_files_are_refused(conversation, parent, name, data):
    with pytest.raises(ValidationError):
        send(parent, conversation, attachment=upload(name, data))


def test_file_over_the_size_limit_is_refused(conversation, parent, settings):
    settings.CHAT_ATTACHMENT_MAX_BYTES = 1000
    with pytest.raises(ValidationError, match="smaller than"):
        send(parent, conversation, attachment=upload("doc.pdf", b"%PDF-1.4\n" + b"0" * 2000))


def test_a_ten_mb_file_sent_from_the_page_is_a_form_error_that_keeps_the_words(
    client, conversation, parent
):
    """Files do not count towards DATA_UPLOAD_MAX_MEMORY_SIZE, so this is the form's refusal,
    not the too-big page: the message typed stays in the box, with a fresh file to choose."""
    client.force_login(parent)
    client_id = str(uuid.uuid4())
    response = client.post(
        f"/messages/{conversation.pk}/send/",
        {
            "body": "Here is the letter from school",
            "client_id": client_id,
            "attachment": upload("letter.pdf", b"%PDF-1.4\n" + b"0" * (10 * 1024 * 1024)),
        },
    )
    body = response.content.decode()
    assert response.status_code == 400
    assert "The file must be smaller than 5 MB." in body
    assert ">Here is the letter from school</textarea>" in body
    assert f'value="{client_id}"' in body  # sending again is still the same message
    assert not Message.objects.filter(conversation=conversation).exists()


def test_pdf_is_served_as_a_download_with_nosniff_to_participants_only(
    client, conversation, parent, key_worker, other_parent
):
    message = send(
        parent, conversation, attachment=upload("../../letter from school.pdf", b"%PDF-1.4\n%%EOF")
    )
    url = f"/messages/attachments/{message.pk}/"
    client.force_login(key_worker)
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("attachment;")
    assert 'filename="letter from school.pdf"' in response["Content-Disposition"]
    assert b"".join(response.streaming_content) == b"%PDF-1.4\n%%EOF"
    client.force_login(other_parent)
    assert client.get(url).status_code == 404
    client.logout()
    assert client.get(url).status_code == 302


def test_photo_is_shown_inline_with_nosniff(client, conversation, parent):
    message = send(parent, conversation, attachment=upload("me.jpg", jpeg_with_gps()))
    client.force_login(parent)
    response = client.get(f"/messages/attachments/{message.pk}/")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("inline")


def test_deleted_attachment_is_gone(
    client, conversation, parent, django_capture_on_commit_callbacks
):
    from chat import services
    from tests.helpers.chat import access_for

    message = send(parent, conversation, attachment=upload("me.jpg", jpeg_with_gps()))
    path = message.attachment.path
    with django_capture_on_commit_callbacks(execute=True):
        services.message_delete(
            access=access_for(parent, conversation), message=message, user=parent
        )
    client.force_login(parent)
    assert client.get(f"/messages/attachments/{message.pk}/").status_code == 404
    import os

    assert not os.path.exists(path)


def test_photo_sent_through_the_form_without_javascript(client, conversation, parent):
    client.force_login(parent)
    response = client.post(
        f"/messages/{conversation.pk}/send/",
        {
            "body": "Here is the letter",
            "client_id": str(uuid.uuid4()),
            "attachment": upload("letter.png", png_bytes(exif=gps_exif()), "image/png"),
        },
    )
    assert response.status_code == 302
    message = Message.objects.get()
    _assert_clean(message.attachment.read())


def test_refused_file_in_the_form_keeps_the_text(client, conversation, parent):
    client.force_login(parent)
    response = client.post(
        f"/messages/{conversation.pk}/send/",
        {
            "body": "Keep this text",
            "client_id": str(uuid.uuid4()),
            "attachment": upload("notes.txt", b"hello", "text/plain"),
        },
    )
    assert response.status_code == 400
    assert b"Keep this text" in response.content
    assert b"govuk-error-summary" in response.content
    assert not Message.objects.exists()
