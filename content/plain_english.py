"""Plain-English hints for editors, using the core's checker.

Editors see hints in a panel in the page editor and as a message after saving. Family
stories are the family's own words and are never scored.
"""

from __future__ import annotations

from django.db import models
from django.utils.html import strip_tags
from wagtail.admin.panels import Panel
from wagtail.fields import RichTextField, StreamField

from portal.plain_english import Report, check

# Fields that families never read, or that are not prose.
SKIPPED_FIELDS = {
    "slug",
    "seo_title",
    "search_description",
    "url_path",
    "draft_title",
    "consent_note",
    "internal_notes",
    "referral_contact",
    "kind",
    "phone",
    "email",
    "website",
    "postcode",
    "latest_revision_created_at",
}


def is_familys_own_words(instance) -> bool:
    return getattr(instance, "kind", "") == "story"


def family_facing_text(instance) -> str:
    """The prose an editor wrote on a page or snippet, as plain text, one part a line."""
    parts: list[str] = []
    for field in instance._meta.concrete_fields:
        if field.name in SKIPPED_FIELDS or field.choices:
            continue
        value = getattr(instance, field.attname, None)
        if not value:
            continue
        if isinstance(field, StreamField):
            parts.extend(strip_tags(str(text)) for text in field.get_searchable_content(value))
        elif isinstance(field, RichTextField):
            parts.append(strip_tags(value))
        elif isinstance(field, models.TextField | models.CharField) and not field.is_relation:
            parts.append(str(value))
    # Each part becomes its own sentence, so a title does not run into the next paragraph.
    return "\n".join(part.strip() for part in parts if part and part.strip())


def report_for(instance) -> Report | None:
    if instance is None or is_familys_own_words(instance):
        return None
    return check(family_facing_text(instance))


class PlainEnglishPanel(Panel):
    """Shows friendly hints for the saved text in the editor. It never blocks saving."""

    class BoundPanel(Panel.BoundPanel):
        template_name = "content/panels/plain_english.html"

        def get_context_data(self, parent_context=None):
            context = super().get_context_data(parent_context)
            saved = self.instance is not None and self.instance.pk is not None
            context["report"] = report_for(self.instance) if saved else None
            context["is_story"] = saved and is_familys_own_words(self.instance)
            return context
