"""Keyword rules for subscriptions: words and "quoted phrases" with AND, OR, NOT and parentheses.

    diffusion AND (video OR "world model") NOT survey

Adjacent terms mean AND; NOT binds tightest, then AND, then OR. Matching is case-insensitive on
whole words (a phrase matches its words in order), over a paper's title and abstract. A rule that
cannot be read is refused with a message saying where, so a subscription never silently matches
nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_TOKEN = re.compile(r'\s*(?:(\()|(\))|"([^"]*)"|([^\s()"]+))')
_WORD = re.compile(r"[^\W_]+", re.UNICODE)


MAX_DEPTH = 20  # parentheses within parentheses; deeper is a mistake, and the stack is finite


class KeywordError(ValueError):
    """A keyword rule that cannot be read; the message says what to fix."""


def _stem(word: str) -> str:
    # Plural and singular alike ("LLMs" matches llm, "models" matches model); both sides of a
    # match go through this, so "analysis" -> "analysi" still meets itself.
    return word[:-1] if len(word) > 3 and word.endswith("s") and not word.endswith("ss") else word


def _words(text: str) -> tuple[str, ...]:
    return tuple(_stem(w.lower()) for w in _WORD.findall(text))


def stemmed(word: str) -> str:
    """A word as rules match it (lower case, a plural's `s` dropped)."""
    return _stem(word.lower())


def padded_words(*texts: str | None) -> str:
    """The texts as the words rules match, space-padded so a term matches whole words."""
    return f" {' '.join(_words(' '.join(t for t in texts if t)))} "


@dataclass(frozen=True, slots=True)
class Term:
    words: tuple[str, ...]

    def matches(self, padded: str) -> bool:
        return f" {' '.join(self.words)} " in padded


@dataclass(frozen=True, slots=True)
class Not:
    inner: Node

    def matches(self, padded: str) -> bool:
        return not self.inner.matches(padded)


@dataclass(frozen=True, slots=True)
class All:
    parts: tuple[Node, ...]

    def matches(self, padded: str) -> bool:
        return all(p.matches(padded) for p in self.parts)


@dataclass(frozen=True, slots=True)
class Any_:
    parts: tuple[Node, ...]

    def matches(self, padded: str) -> bool:
        return any(p.matches(padded) for p in self.parts)


Node = Term | Not | All | Any_


class _Parser:
    def __init__(self, rule: str) -> None:
        self.tokens: list[tuple[str, str]] = []
        position = 0
        while position < len(rule):
            m = _TOKEN.match(rule, position)
            if m is None:
                if rule[position:].strip() == "":
                    break
                raise KeywordError(f"unclosed quote in {rule!r}")
            position = m.end()
            if m[1]:
                self.tokens.append(("(", "("))
            elif m[2]:
                self.tokens.append((")", ")"))
            elif m[3] is not None:
                self.tokens.append(("term", m[3]))
            elif m[4]:
                upper = m[4].upper()
                kind = upper if upper in ("AND", "OR", "NOT") else "term"
                self.tokens.append((kind, m[4]))
        self.at = 0
        self.depth = 0

    def peek(self) -> str | None:
        return self.tokens[self.at][0] if self.at < len(self.tokens) else None

    def take(self) -> tuple[str, str]:
        token = self.tokens[self.at]
        self.at += 1
        return token

    def parse(self) -> Node:
        if not self.tokens:
            raise KeywordError("the keyword rule is empty")
        node = self.any_()
        if self.peek() is not None:
            raise KeywordError(f"unexpected {self.tokens[self.at][1]!r}")
        return node

    def any_(self) -> Node:
        parts = [self.all_()]
        while self.peek() == "OR":
            self.take()
            parts.append(self.all_())
        return parts[0] if len(parts) == 1 else Any_(tuple(parts))

    def all_(self) -> Node:
        parts = [self.not_()]
        while self.peek() in ("AND", "NOT", "term", "("):
            if self.peek() == "AND":
                self.take()
            parts.append(self.not_())
        return parts[0] if len(parts) == 1 else All(tuple(parts))

    def not_(self) -> Node:
        nots = 0
        while self.peek() == "NOT":  # a loop, not recursion: "NOT NOT ... x" can be long
            self.take()
            nots += 1
        node = self.atom()
        return Not(node) if nots % 2 else node

    def atom(self) -> Node:
        kind = self.peek()
        if kind is None:
            raise KeywordError("the rule ends where a word was expected")
        if kind == "(":
            self.take()
            self.depth += 1
            if self.depth > MAX_DEPTH:
                raise KeywordError(f"more than {MAX_DEPTH} levels of parentheses")
            node = self.any_()
            self.depth -= 1
            if self.peek() != ")":
                raise KeywordError("a '(' is not closed")
            self.take()
            return node
        if kind != "term":
            raise KeywordError(f"{self.tokens[self.at][1]!r} needs a word before and after it")
        words = _words(self.take()[1])
        if not words:
            raise KeywordError("a quoted phrase or word has no letters or digits")
        return Term(words)


@dataclass(frozen=True, slots=True)
class KeywordRule:
    """A parsed rule; `str()` gives back the text it was read from."""

    text: str
    root: Node = field(compare=False)  # read from `text`: equal texts are equal rules (and
    # hash cheaply, as subscriptions sharing rules are grouped by them)

    def matches(self, *texts: str | None) -> bool:
        return self.root.matches(padded_words(*texts))

    def matches_padded(self, padded: str) -> bool:
        """Match text already made into words by `padded_words` (once per paper, not per rule)."""
        return self.root.matches(padded)

    def __str__(self) -> str:
        return self.text

    def wanted(self) -> list[str]:
        """The terms a match can rest on (those not under NOT), as matched: `world model`."""
        return [" ".join(t.words) for t in _positive(self.root)]

    def matched(self, padded: str) -> list[str]:
        """The wanted terms found in text made into words by `padded_words`: what a card says
        it matched."""
        return [" ".join(t.words) for t in _positive(self.root) if t.matches(padded)]


def _positive(node: Node) -> list[Term]:
    if isinstance(node, Term):
        return [node]
    if isinstance(node, Not):
        return []
    return [term for part in node.parts for term in _positive(part)]


def parse_keywords(rule: str) -> KeywordRule:
    """Read a rule such as `diffusion AND (video OR "world model") NOT survey`."""
    return KeywordRule(" ".join(rule.split()), _Parser(rule).parse())
