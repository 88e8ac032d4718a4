"""Checking and cleaning files people attach to messages.

Photos are decoded with Pillow (refusing anything over a pixel limit before decoding)
and drawn again into a brand-new image, so no metadata at all survives: no EXIF, no GPS,
no text chunks, no colour profile comments. PDFs are kept as they are and only ever
served as downloads. Anything else is refused.
"""

from __future__ import annotations

import io
import os
import uuid
import warnings
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

IMAGE_FORMATS = {"JPEG", "PNG", "WEBP", "GIF"}


@dataclass(frozen=True)
class CleanAttachment:
    file: ContentFile
    kind: str  # "image" or "pdf"
    content_type: str
    display_name: str
    size: int


def max_bytes() -> int:
    return settings.CHAT_ATTACHMENT_MAX_BYTES


def max_pixels() -> int:
    return settings.CHAT_IMAGE_MAX_PIXELS


def _display_name(name: str, extension: str) -> str:
    base = os.path.basename(name or "").strip() or "file"
    stem = os.path.splitext(base)[0]
    # Keep names readable and harmless in a Content-Disposition header.
    safe = "".join(ch for ch in stem if ch.isalnum() or ch in " -_")[:80].strip() or "file"
    return f"{safe}.{extension}"


def _read_limited(upload) -> bytes:
    limit = max_bytes()
    if getattr(upload, "size", 0) and upload.size > limit:
        raise ValidationError(
            _("The file must be smaller than %(mb)s MB.") % {"mb": limit // 2**20}
        )
    upload.seek(0)
    data = upload.read(limit + 1)
    if len(data) > limit:
        raise ValidationError(
            _("The file must be smaller than %(mb)s MB.") % {"mb": limit // 2**20}
        )
    if not data:
        raise ValidationError(_("The file is empty."))
    return data


def _clean_image(data: bytes) -> tuple[bytes, str, str]:
    """Decode under the pixel limit and redraw into a new image with no metadata."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            probe = Image.open(io.BytesIO(data))
            if probe.format not in IMAGE_FORMATS:
                raise ValidationError(_("Attach a photo (JPG or PNG) or a PDF."))
            width, height = probe.size
            if width * height > max_pixels() or width < 1 or height < 1:
                raise ValidationError(_("The photo is too big. Send a smaller photo."))
            probe.load()
            # Turn the picture the right way up before the orientation tag is dropped.
            picture = ImageOps.exif_transpose(probe)
    except ValidationError:
        raise
    except UnidentifiedImageError as exc:
        raise ValidationError(_("Attach a photo (JPG or PNG) or a PDF.")) from exc
    except (
        Image.DecompressionBombError,
        Image.DecompressionBombWarning,
        OSError,
        SyntaxError,
        ValueError,
    ) as exc:
        raise ValidationError(_("We could not open that photo. Try another one.")) from exc
    has_alpha = picture.mode in {"RGBA", "LA", "PA"} or (
        picture.mode == "P" and "transparency" in picture.info
    )
    mode = "RGBA" if has_alpha else "RGB"
    pixels = picture.convert(mode)
    # A fresh image carries only pixels: info, EXIF, XMP, ICC and text chunks stay behind.
    fresh = Image.new(mode, pixels.size)
    fresh.paste(pixels)
    out = io.BytesIO()
    if has_alpha:
        fresh.save(out, format="PNG", optimize=True)
        return out.getvalue(), "image/png", "png"
    fresh.save(out, format="JPEG", quality=85, optimize=True)
    return out.getvalue(), "image/jpeg", "jpg"


def attachment_clean(upload) -> CleanAttachment:
    """Check an uploaded file and return a cleaned copy, or raise ValidationError."""
    data = _read_limited(upload)
    name = getattr(upload, "name", "") or ""
    if data.startswith(b"%PDF-"):
        return CleanAttachment(
            file=ContentFile(data, name=f"{uuid.uuid4().hex}.pdf"),
            kind="pdf",
            content_type="application/pdf",
            display_name=_display_name(name, "pdf"),
            size=len(data),
        )
    cleaned, content_type, extension = _clean_image(data)
    return CleanAttachment(
        file=ContentFile(cleaned, name=f"{uuid.uuid4().hex}.{extension}"),
        kind="image",
        content_type=content_type,
        display_name=_display_name(name, extension),
        size=len(cleaned),
    )
