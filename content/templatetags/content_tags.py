"""Template helpers for content pages."""

import re

from django import template
from django.utils.safestring import mark_safe
from wagtail.rich_text import RichText, expand_db_html

register = template.Library()

# Wagtail's rich text is plain HTML; GOV.UK Frontend styles it through classes.
_CLASSES = {
    "p": "govuk-body",
    "h2": "govuk-heading-m",
    "h3": "govuk-heading-s",
    "h4": "govuk-heading-s",
    "ul": "govuk-list govuk-list--bullet",
    "ol": "govuk-list govuk-list--number",
    "a": "govuk-link",
}
_TAG = re.compile(r"<(p|h2|h3|h4|ul|ol|a)(\s[^>]*)?>")


def _add_class(match: re.Match) -> str:
    tag, attrs = match.group(1), match.group(2) or ""
    if "class=" in attrs:
        return match.group(0)
    return f'<{tag} class="{_CLASSES[tag]}"{attrs}>'


@register.filter
def govuk_richtext(value) -> str:
    """Rich text from the editor with GOV.UK Frontend classes on each element."""
    if isinstance(value, RichText):
        html = str(value.__html__())
    else:
        html = expand_db_html(str(value or ""))
    return mark_safe(_TAG.sub(_add_class, html))  # noqa: S308 - editor HTML, already sanitised


def _clock(value) -> str:
    # GOV.UK style: 10am, 1:30pm, 12 noon.
    if value.hour == 12 and value.minute == 0:
        return "12 noon"
    hour = value.hour % 12 or 12
    suffix = "am" if value.hour < 12 else "pm"
    return f"{hour}{suffix}" if value.minute == 0 else f"{hour}:{value.minute:02d}{suffix}"


@register.filter
def session_when(occurrence) -> str:
    """'Saturday 5 December 2026, 10am to 12 noon' in UK time."""
    from django.utils import formats, timezone

    start = timezone.localtime(occurrence.starts_at)
    end = timezone.localtime(occurrence.ends_at)
    day = formats.date_format(start, "l j F Y")
    return f"{day}, {_clock(start)} to {_clock(end)}"


_YOUTUBE_EMBED = re.compile(r"https://(?:www\.)?youtube\.com/embed/")


@register.filter
def privacy_embed(html) -> str:
    """Play YouTube videos from the no-cookie domain, the only one the CSP lets in."""
    return mark_safe(_YOUTUBE_EMBED.sub("https://www.youtube-nocookie.com/embed/", str(html)))  # noqa: S308
