"""The accessibility check itself: it must fail, with axe's report, when a page is broken."""

import pytest

from tests.helpers.browser import assert_accessible

pytestmark = pytest.mark.browser

PAGE = """<!DOCTYPE html><html lang="en"><head><title>Form</title></head><body><main>
<h1>Your details</h1><form>{field}<button type="submit">Save</button></form></main></body></html>"""


def test_an_input_without_a_label_fails_with_axes_report(make_context):
    page = make_context().new_page()
    page.set_content(PAGE.format(field='<p>Your name</p><input id="name" name="name">'))
    with pytest.raises(AssertionError) as failure:
        assert_accessible(page, label="a form with a broken label")
    report = str(failure.value)
    assert "label (critical)" in report
    assert "#name" in report
    assert "a form with a broken label" in report


def test_the_same_input_with_its_label_passes(make_context):
    page = make_context().new_page()
    page.set_content(PAGE.format(field='<label for="name">Your name</label><input id="name">'))
    assert_accessible(page)


def test_a_real_page_whose_label_breaks_fails(open_page):
    page = open_page()
    page.goto("/accounts/login/")
    assert_accessible(page)
    page.evaluate("document.querySelectorAll('label').forEach(label => label.remove())")
    with pytest.raises(AssertionError, match=r"label \(critical\)"):
        assert_accessible(page)


def test_a_page_with_javascript_off_is_checked_as_it_shows_without_hanging(make_context):
    """axe waits on timers, which never fire with scripts off; the helper must still answer,
    and check what someone without JavaScript sees (the <noscript> part included)."""
    page = make_context(java_script_enabled=False).new_page()
    page.set_content(
        PAGE.format(
            field='<label for="name">Your name</label><input id="name">'
            '<noscript><input id="fallback" name="fallback"></noscript>'
        )
    )
    with pytest.raises(AssertionError) as failure:
        assert_accessible(page, label="a page without JavaScript")
    assert "#fallback" in str(failure.value)
    assert "#name" not in str(failure.value)
