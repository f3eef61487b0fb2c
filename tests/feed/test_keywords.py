from __future__ import annotations

import pytest

from bot.keywords import KeywordError, parse_keywords

RULE = 'diffusion AND (video OR "world model") NOT survey'


@pytest.mark.parametrize(
    ("text", "matches"),
    [
        ("Diffusion for Video Generation", True),
        ("A diffusion world model for robots", True),
        ("Diffusion video models: a survey", False),  # NOT survey
        ("Video transformers", False),  # no diffusion
        ("diffusion models of the world", False),  # the phrase needs its words in order
    ],
)
def test_boolean_rule(text: str, matches: bool) -> None:
    assert parse_keywords(RULE).matches(text) is matches


def test_adjacent_words_mean_and_plurals_match_and_case_is_ignored() -> None:
    rule = parse_keywords("LLM rlhf")
    assert rule.matches("RLHF for LLMs")
    assert not rule.matches("RLHF for robots")
    assert parse_keywords("llm OR rlhf").matches("about rlhf only")
    assert parse_keywords("NOT survey").matches("a method", "an abstract")
    assert str(parse_keywords("  a   OR  b ")) == "a OR b"


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        ("", "empty"),
        ("AND", "needs a word"),
        ("a OR", "ends where a word was expected"),
        ("(a", "not closed"),
        ("a)", "unexpected"),
        ('"open', "unclosed quote"),
        ('"!!"', "no letters or digits"),
    ],
)
def test_unreadable_rules_say_why(rule: str, message: str) -> None:
    with pytest.raises(KeywordError, match=message):
        parse_keywords(rule)
