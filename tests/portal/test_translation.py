"""Translations are looked up once per translation object, with the same results."""

from gettext import GNUTranslations

from django.test import override_settings
from django.utils import translation
from django.utils.translation import gettext, pgettext, trans_real

from portal.translation import _MEMO


def test_a_looked_up_word_is_remembered_and_still_translated():
    with translation.override("en-gb"):
        # Django's own British English catalogue holds this one.
        assert gettext("Enter a valid date/time.") == "Enter a valid date/time."
        assert gettext("A word no catalogue has") == "A word no catalogue has"
        assert pgettext("month name", "May") == "May"
        memo = trans_real.translation("en-gb").__dict__[_MEMO]
    assert memo["A word no catalogue has"] == "A word no catalogue has"
    assert "month name\x04May" in memo


def test_a_translation_built_afresh_forgets_what_the_old_one_found():
    with translation.override("en-gb"):
        gettext("Something to remember")
        old = trans_real.translation("en-gb")
    # Changing LOCALE_PATHS throws Django's translation objects away.
    with override_settings(LOCALE_PATHS=[]), translation.override("en-gb"):
        new = trans_real.translation("en-gb")
        assert new is not old
        assert "Something to remember" not in new.__dict__.get(_MEMO, {})
        assert gettext("Something to remember") == "Something to remember"


def test_other_languages_translate_their_own_words():
    with translation.override("fr"):
        french = gettext("This field is required.")
        assert french == GNUTranslations.gettext(
            trans_real.translation("fr"), "This field is required."
        )
        assert french != "This field is required."
    with translation.override("en-gb"):
        assert gettext("This field is required.") == "This field is required."
