"""Clean, readable text from what feeds publish.

arXiv hard-wraps titles and abstracts (the legacy API indents them), RSS authors arrive as one
comma-separated string, and titles and summaries carry TeX. We keep math recognisable but turn
the markup people do not read as markup (`\\textbf{x}`, `\\&`, `$\\alpha$`) into plain text.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

import ftfy

_SPACE = re.compile(r"\s+")
# Control characters and bidirectional overrides can hide or reorder text in a chat client
# ("Trojan Source"); untrusted titles and abstracts never need them.
_INVISIBLE = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b\u200c\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff]"
)
# UTF-8 read as Latin-1/cp1252 somewhere upstream ("RamÃ­rez", "$Î±$"): a cheap test first, since
# nearly all text is clean, then ftfy's careful repair.
_MOJIBAKE = re.compile("[\xc2-\xf4][\x80-\xbf]|â€")
_ESCAPES = {
    r"\&": "&",
    r"\%": "%",
    r"\$": "$",
    r"\_": "_",
    r"\#": "#",
    r"\{": "{",
    r"\}": "}",
    "\\ ": " ",
}
_ESCAPE = re.compile(r"\\[&%$_#{} ]")
_STYLE = re.compile(
    r"\\(?:textbf|textit|textsc|texttt|textrm|textsf|emph|underline|mathrm|mathbf|mathit|"
    r"mathsf|mathtt|mathcal|mathbb|text|operatorname|boldsymbol|bm)\s*\{([^{}]*)\}"
)
_OLD_STYLE = re.compile(r"\{\\(?:em|it|bf|sc|tt|rm)\s+([^{}]*)\}")
_SYMBOLS = {
    "alpha": "α",
    "beta": "β",
    "gamma": "γ",
    "delta": "δ",
    "epsilon": "ε",
    "varepsilon": "ε",
    "zeta": "ζ",
    "eta": "η",
    "theta": "θ",
    "kappa": "κ",
    "lambda": "λ",
    "mu": "μ",
    "nu": "ν",
    "xi": "ξ",
    "pi": "π",
    "rho": "ρ",
    "sigma": "σ",
    "tau": "τ",
    "phi": "φ",
    "varphi": "φ",
    "chi": "χ",
    "psi": "ψ",
    "omega": "ω",
    "Gamma": "Γ",
    "Delta": "Δ",
    "Theta": "Θ",
    "Lambda": "Λ",
    "Pi": "Π",
    "Sigma": "Σ",
    "Phi": "Φ",
    "Psi": "Ψ",
    "Omega": "Ω",
    "times": "×",
    "cdot": "·",
    "pm": "±",
    "leq": "≤",
    "le": "≤",
    "geq": "≥",
    "ge": "≥",
    "neq": "≠",
    "approx": "≈",
    "sim": "∼",
    "infty": "∞",
    "to": "→",
    "rightarrow": "→",
    "leftarrow": "←",
    "ell": "ℓ",
    "partial": "∂",
    "nabla": "∇",
    "in": "∈",
    "sqrt": "√",
    "log": "log",
    "exp": "exp",
    "max": "max",
    "min": "min",
    "ldots": "…",
    "dots": "…",
    "cdots": "⋯",
    "circ": "∘",
    "star": "⋆",
}
_SYMBOL = re.compile(r"\\([A-Za-z]+)(?![A-Za-z])")
# Inline math whose content is now plain (no commands left): `$k$-means` -> `k-means`.
_SIMPLE_MATH = re.compile(r"(?<!\\)\$([^$\\]{1,80})\$")


def _symbol(m: re.Match[str]) -> str:
    symbol = _SYMBOLS.get(m[1])
    if symbol is None:
        return m[0]
    # `n\log n` reads "n log n": a word-like operator needs the space TeX would typeset.
    before = m.string[m.start() - 1] if m.start() else " "
    return f" {symbol}" if symbol.isalpha() and len(symbol) > 1 and before.isalnum() else symbol


def squash(text: str | None) -> str | None:
    """Collapse whitespace and hard wraps into single spaces; None for blank text."""
    if text is None:
        return None
    # The cheap tests first: nearly all text is ASCII and printable (see bench/).
    if not text.isascii() and _MOJIBAKE.search(text):
        text = ftfy.fix_encoding(text)
    cleaned = " ".join(text.split())
    if not cleaned.isprintable():
        cleaned = " ".join(_INVISIBLE.sub("", cleaned).split())
    return cleaned or None


# TeX accents and special letters (`Schr\\"odinger`, `{\\'e}`, `\\c{c}`, `\\ss`); a macro that
# only starts like one (`\\omega`, `\\underline`) is left to the rules below.
_ACCENT = re.compile(
    r"\\(?:[\"'`^~=.]|[uvHckrbd](?![A-Za-z]))\s*(?:\{[A-Za-z]?\}|[A-Za-z])"
    r"|\\(?:ss|ae|AE|oe|OE|aa|AA|o|O|l|L|i|j)(?![A-Za-z])(?:\{\})?"
)


_BRACED_LETTER = re.compile(r"\{([^\x00-\x7f])\}")


@cache
def _latex() -> Any:
    from pylatexenc.latex2text import LatexNodes2Text  # loaded when TeX is met

    return LatexNodes2Text()


def readable_tex(text: str) -> str:
    """TeX accents as the letters they make (pylatexenc), where a backslash is present."""
    if "\\" not in text:
        return text
    out = _ACCENT.sub(lambda m: str(_latex().latex_to_text(m[0])), text)
    return _BRACED_LETTER.sub(_unbraced, out)


def _unbraced(m: re.Match[str]) -> str:
    """`Erd{ő}s` -> `Erdős`; a macro's argument (`\\textbf{ö}`) keeps its braces."""
    before = m.string[: m.start()]
    word = before.rstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")
    return m[0] if word.endswith("\\") and len(word) < len(before) else m[1]


def readable(text: str | None) -> str | None:
    """Squash whitespace and render light TeX as plain Unicode text.

    >>> readable("$\\\\alpha$-Divergence   for \\\\textbf{fast}\\n  training at \\\\$0.01")
    'α-Divergence for fast training at $0.01'
    """
    squashed = squash(text)
    if squashed is None or ("\\" not in squashed and "$" not in squashed and "{" not in squashed):
        return squashed
    out = readable_tex(squashed)
    for _ in range(3):  # nested styles: \textbf{\emph{x}}
        out, styled = _STYLE.subn(r"\1", out)
        out, old_styled = _OLD_STYLE.subn(r"\1", out)
        if not styled and not old_styled:
            break
    if "\\" in out:
        out = _SYMBOL.sub(_symbol, out)
    out = _SIMPLE_MATH.sub(r"\1", out)
    out = _ESCAPE.sub(lambda m: _ESCAPES[m[0]], out)
    return " ".join(out.split()) or None


# Chat markup around words: **bold**, __bold__, _italic_, *italic*, ~~struck~~, `code`
_MARKUP = re.compile(r"\*\*|__|~~|`+|(?<![\w*])[*_](?=\S)|(?<=\S)[*_](?![\w*])")


def unmarked(text: str) -> str:
    """Text as typed without its chat markup: "**What** _datasets_ `use`?" -> "What datasets
    use?" (an underscore inside a word, as in max_len, stays)."""
    return " ".join(_MARKUP.sub("", text).split())


def split_names(names: str | None) -> tuple[str, ...]:
    """Authors from one comma-separated string (arXiv RSS `dc:creator`), tolerating `, and`."""
    if not names:
        return ()
    parts = re.split(r",|\band\b", names)
    return tuple(name for part in parts if (name := squash(part)))


def whole_number(text: str, most: int = 1_000_000) -> int | None:
    """`text` as a whole number of ASCII digits, at most `most`, or None. (`str.isdigit()`
    accepts `²` and `①`, which `int()` then refuses.)"""
    text = text.strip()
    if not text or len(text) > len(str(most)) or not (text.isascii() and text.isdigit()):
        return None
    value = int(text)
    return value if value <= most else None


def split_message(text: str, limit: int) -> list[str]:
    """`text` in parts of at most `limit` characters, for a platform's message or block size.

    Whole lines are packed together while they fit; a line longer than `limit` is cut at spaces
    (a word longer than `limit`, anywhere). Only whitespace is lost at the cuts and the order is
    kept; parts that would be only whitespace are left out, so blank text gives none.
    """
    if limit < 1:
        raise ValueError(f"limit must be at least 1, not {limit}")
    parts: list[str] = []
    current = ""
    for line in text.splitlines():
        for piece in _at_words(line, limit):
            joined = f"{current}\n{piece}" if current else piece
            if len(joined) > limit:
                parts.append(current)
                joined = piece
            current = joined
    parts.append(current)
    return [part for part in parts if part.strip()]


def _at_words(line: str, limit: int) -> list[str]:
    """`line` in pieces of at most `limit`, cut at spaces where there are any."""
    pieces = []
    while len(line) > limit:
        cut = line.rfind(" ", 0, limit + 1)
        cut = cut if cut > 0 else limit
        pieces.append(line[:cut])
        line = line[cut:].lstrip(" ")
    return [*pieces, line]
