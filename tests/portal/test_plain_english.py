"""The core's plain-English checker, given its jargon list directly."""

from portal import plain_english


def test_plain_text_has_no_hints():
    report = plain_english.check("We will walk to school. It is fun. The kids like it.", jargon=[])
    assert report.ok
    assert report.hints == []
    assert report.long_sentences == []


def test_jargon_word_gets_a_plainer_alternative():
    report = plain_english.check(
        "We will talk about safeguarding.", jargon=[("safeguarding", "keeping children safe")]
    )
    assert [hit.term for hit in report.jargon] == ["safeguarding"]
    assert any("keeping children safe" in hint for hint in report.hints)


def test_jargon_matches_whole_words_only():
    report = plain_english.check("The outcomes were good.", jargon=[("outcome", "result")])
    assert report.jargon == []


def test_jargon_phrase_is_found_case_insensitively():
    report = plain_english.check(
        "Use Universal Services first.", jargon=[("universal services", "services for everyone")]
    )
    assert report.jargon[0].alternative == "services for everyone"


def test_long_sentence_is_flagged():
    sentence = " ".join(["word"] * 25) + "."
    report = plain_english.check(sentence, jargon=[])
    assert len(report.long_sentences) == 1
    assert any("split" in hint for hint in report.hints)


def test_long_words_are_listed_once():
    report = plain_english.check(
        "We need an intergenerational approach, an intergenerational one.", jargon=[]
    )
    assert report.long_words == ["intergenerational"]


def test_reading_age_above_target_gets_a_hint():
    text = (
        "The multi-agency partnership will facilitate comprehensive engagement with "
        "universal services, ensuring appropriate safeguarding considerations are "
        "systematically incorporated into the intervention."
    )
    report = plain_english.check(text, jargon=[])
    assert report.reading_age is not None and report.reading_age > 9
    assert any("reading age of 9" in hint for hint in report.hints)


def test_reading_age_of_simple_text_is_at_or_below_target():
    text = "I walk the kids to school. We go with the other mums. It is a nice walk."
    report = plain_english.check(text, jargon=[])
    assert report.reading_age is not None and report.reading_age <= 9


def test_empty_text_gives_an_empty_report():
    report = plain_english.check("   ", jargon=[])
    assert report.word_count == 0 and report.ok


def test_report_as_dict_is_json_ready():
    data = plain_english.check("Safeguarding.", jargon=[("safeguarding", "safety")]).as_dict()
    assert data["jargon"] == [{"term": "safeguarding", "alternative": "safety"}]
    assert data["ok"] is False
