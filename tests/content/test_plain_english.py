"""Editors get plain English hints in the page editor; families' stories are never scored."""

from django.contrib.messages import get_messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.test import RequestFactory

from content.plain_english import family_facing_text, report_for
from content.wagtail_hooks import plain_english_after_save
from plans import services as plan_services
from tests.helpers import content as builders

LONG = (
    "Families who are supported through the intensive programme will be offered a comprehensive "
    "multi-agency assessment of their circumstances before any intervention is commissioned."
)


def _jargon(manager):
    plan_services.jargon_term_save(
        actor=manager, term="multi-agency", alternative="with other services"
    )


def test_editor_text_is_gathered_from_summary_and_blocks(help_index):
    page = builders.resource(
        help_index, summary="Short summary.", body=builders.stream(("text", f"<p>{LONG}</p>"))
    )
    text = family_facing_text(page)
    assert "Short summary." in text
    assert "comprehensive" in text
    assert "<p>" not in text


def test_long_sentences_and_jargon_are_flagged(help_index, manager):
    _jargon(manager)
    page = builders.resource(help_index, body=builders.stream(("text", f"<p>{LONG}</p>")))
    report = report_for(page)
    assert report.long_sentences
    assert [hit.term for hit in report.jargon] == ["multi-agency"]
    assert any("with other services" in hint for hint in report.hints)


def test_plain_page_has_no_hints(help_index):
    page = builders.resource(
        help_index,
        summary="Help with school.",
        body=builders.stream(("text", "<p>We can walk with you.</p>")),
    )
    assert report_for(page).hints == []


def test_family_stories_are_never_scored(help_index, manager):
    _jargon(manager)
    story = builders.resource(
        help_index, kind="story", body=builders.stream(("text", f"<p>{LONG}</p>"))
    )
    assert report_for(story) is None


def test_editor_sees_the_hints_panel_in_the_page_editor(client, editor, help_index, manager):
    _jargon(manager)
    page = builders.resource(help_index, body=builders.stream(("text", f"<p>{LONG}</p>")))
    client.force_login(editor)
    response = client.get(f"/cms/pages/{page.pk}/edit/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Plain English check" in html
    assert "with other services" in html


def test_saving_a_page_adds_a_hint_message_but_never_blocks(help_index, editor, manager):
    _jargon(manager)
    page = builders.resource(help_index, body=builders.stream(("text", f"<p>{LONG}</p>")))
    request = RequestFactory().post("/cms/")
    request.user = editor
    request.session = {}
    request._messages = FallbackStorage(request)
    assert plain_english_after_save(request, page) is None
    messages = [str(m) for m in get_messages(request)]
    assert len(messages) == 1
    assert "Plain English hints" in messages[0]
