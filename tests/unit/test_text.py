from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.text import readable, split_message, split_names, squash, unmarked


def test_squash_joins_hard_wraps_and_drops_blank() -> None:
    assert squash("  A title\n  wrapped   twice\t") == "A title wrapped twice"
    assert squash("   \n ") is None
    assert squash(None) is None


def test_squash_removes_invisible_and_reordering_characters() -> None:
    assert squash("safe\u202etxt.exe\x00 name\u200b") == "safetxt.exe name"


@pytest.mark.parametrize(
    ("tex", "plain"),
    [
        ("$\\alpha$-Divergence", "α-Divergence"),
        ("\\textbf{Fast} and \\emph{Cheap}", "Fast and Cheap"),
        ("\\textbf{\\emph{Nested}}", "Nested"),
        ("{\\em Old} style", "Old style"),
        ("costs \\$0.0007 and 50\\% \\& more", "costs $0.0007 and 50% & more"),
        ("$k$-means on $O(n\\log n)$ points", "k-means on O(n log n) points"),
        ("$\\mathcal{O}(1)$ memory", "O(1) memory"),
        ("i.i.d.\\ samples", "i.i.d. samples"),
        ("$x^2 + \\unknowncommand$ stays", "$x^2 + \\unknowncommand$ stays"),
        ("Déjà vu: naïve café", "Déjà vu: naïve café"),
    ],
)
def test_readable_renders_light_tex(tex: str, plain: str) -> None:
    assert readable(tex) == plain


def test_readable_repairs_mojibake_from_upstream() -> None:
    # UTF-8 read as Latin-1 somewhere upstream, as in some recorded arXiv responses.
    assert readable("Aurora RamÃ\xadrez and JosÃ© RaÃºl") == "Aurora Ramírez and José Raúl"
    assert readable("error at most $Î±$") == "error at most α"


def test_split_names_handles_mononyms_and_double_spaces() -> None:
    assert split_names("Ratna Kandala,  Deepti, A. B. Smith") == (
        "Ratna Kandala",
        "Deepti",
        "A. B. Smith",
    )
    assert split_names("") == ()
    assert split_names("Alice and Bob") == ("Alice", "Bob")
    assert split_names("Alexander Anderson") == ("Alexander Anderson",)


# Text as answers are made of: words, runs of spaces, line breaks of every kind, long unbroken
# runs (a URL), and anything else Unicode has.
_PIECES = st.sampled_from(["word", "a", " ", "   ", "\n", "\r\n", "\n\n", "\u2028", "\t", "x" * 40])
TEXTS = st.one_of(st.text(), st.lists(st.one_of(_PIECES, st.text(max_size=5))).map("".join))


def _ink(text: str) -> str:
    return "".join(text.split())


@given(TEXTS, st.integers(min_value=1, max_value=60))
def test_split_message_keeps_every_character_within_the_limit(text: str, limit: int) -> None:
    parts = split_message(text, limit)
    assert all(len(part) <= limit for part in parts)
    assert all(part.strip() for part in parts)  # no part that shows nothing
    # Only whitespace is lost at the cuts, and the order is kept.
    assert "".join(_ink(part) for part in parts) == _ink(text)


@given(
    st.lists(
        st.text(
            st.characters(codec="ascii", exclude_characters="\n\r\x0b\x0c\x1c\x1d\x1e"),
            min_size=1,
            max_size=20,
        ),
        min_size=1,
    )
)
def test_split_message_keeps_lines_that_fit_whole(lines: list[str]) -> None:
    parts = split_message("\n".join(lines), 20)
    kept = [line for part in parts for line in part.split("\n")]
    assert [line for line in kept if line.strip()] == [line for line in lines if line.strip()]


def test_split_message_cuts_at_words_then_anywhere() -> None:
    assert split_message("one two three", 7) == ["one two", "three"]
    assert split_message("x" * 25, 10) == ["x" * 10, "x" * 10, "x" * 5]
    assert split_message("a\nb\n\nc", 100) == ["a\nb\n\nc"]
    assert split_message("  \n\t\n", 5) == []
    with pytest.raises(ValueError, match="at least 1"):
        split_message("x", 0)


@pytest.mark.parametrize(
    ("typed", "plain"),
    [
        ("**What** _datasets_ do they `use`?", "What datasets do they use?"),
        ("What is `max_len`?", "What is max_len?"),
        ("~~not this~~ but *that*", "not this but that"),
        ("Is a * b commutative?", "Is a * b commutative?"),
    ],
)
def test_chat_markup_is_read_as_the_words_it_marks(typed: str, plain: str) -> None:
    assert unmarked(typed) == plain


@given(st.text(max_size=200))
def test_unmarking_only_drops_markup(text: str) -> None:
    plain = unmarked(text)
    assert set(plain) <= set(text) | {" "}
    assert "`" not in plain and "**" not in plain
    assert plain == " ".join(plain.split())  # one space between words, none around them
