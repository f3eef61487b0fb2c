from __future__ import annotations

import pytest

from bot.text import readable, split_names, squash


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
