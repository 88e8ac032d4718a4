"""Filters for showing a message, used inside the conversation's kept fragment so they run
only when the fragment is made afresh."""

from django import template
from django.utils.safestring import SafeString

from chat.formatting import message_html

register = template.Library()


@register.filter(name="message_html")
def message_html_filter(body: str) -> SafeString:
    """What someone wrote, escaped, with safe links and line breaks kept."""
    return message_html(body)
