"""The `/papers` commands, declared once: each command's name, help and options.

From this one declaration come the text parser for the surfaces where people type text
(`parse`), the help (`help_text`), the option schema of platforms with typed options (built in
their adapters) and which commands change a channel's subscriptions (`Spec.manages`). An
adapter with typed options builds the `Command` with `command_from`; only text surfaces parse
text. Options cannot drift apart.

    parse('search "diffusion models" sort=recent')
    == Command("search", {"query": '"diffusion models"', "sort": "recent"})
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from bot.ids import parse_arxiv_id
from bot.text import whole_number

Value = str | int | bool


class CommandError(ValueError):
    """Bad input to a command; the message is for the person who typed it."""


class Kind(StrEnum):
    TEXT = "text"
    NUMBER = "number"  # a whole number, within `low` and `high` where given
    FLAG = "flag"  # yes or no
    CHOICE = "choice"  # one of `choices`
    PAPER = "paper"  # an arXiv id or URL (kept as typed; the command reads it)


@dataclass(frozen=True, slots=True)
class Option:
    """One option. `positional`: typed as a bare word (the others as `name=value`); `rest`: it
    takes every remaining word (a query, a question)."""

    name: str  # as typed: `min-upvotes` (a platform's parameter name may need `_` for `-`)
    help: str
    kind: Kind = Kind.TEXT
    required: bool = False
    positional: bool = False
    rest: bool = False
    choices: tuple[str, ...] = ()
    low: int | None = None
    high: int | None = None
    syntax: str = ""  # how help shows it, when not `name=VALUE`


@dataclass(frozen=True, slots=True)
class Spec:
    name: str
    help: str
    options: tuple[Option, ...] = ()
    manages: bool = False  # changes the channel's subscriptions: needs its manage permission
    loose: bool = False  # an unknown `name=value` is a word (a search for "x=y"), not an error

    def option(self, name: str) -> Option | None:
        return next((o for o in self.options if o.name == name), None)


@dataclass(frozen=True, slots=True)
class Command:
    """A command as typed values: `values` holds the options given, by their typed name."""

    name: str
    values: Mapping[str, Value] = field(default_factory=dict)

    def text(self, name: str) -> str | None:
        value = self.values.get(name)
        return value if isinstance(value, str) else None

    def number(self, name: str) -> int | None:
        value = self.values.get(name)
        return value if isinstance(value, int) and not isinstance(value, bool) else None

    def flag(self, name: str) -> bool | None:
        value = self.values.get(name)
        return value if isinstance(value, bool) else None

    def but(self, **values: Value) -> Command:
        """The same command with these values changed (a search's next page)."""
        return Command(self.name, {**self.values, **values})


SOURCES = "hf-daily, arxiv-rss:cs.LG+cs.CL or arxiv-query:QUERY"  # what SOURCE can be
_PAPER = Option("paper", "An arXiv id or URL", Kind.PAPER, True, True, syntax="ARXIV_ID")
_SUBSCRIPTION = Option(
    "subscription", "Its number (see subscriptions)", Kind.NUMBER, True, True, syntax="ID", low=1
)

COMMANDS: dict[str, Spec] = {
    spec.name: spec
    for spec in (
        Spec(
            "search",
            "Search papers by words, with optional filters",
            (
                Option(
                    "query",
                    "Words or a phrase in quotes; an arXiv id or URL finds that paper",
                    required=True,
                    positional=True,
                    rest=True,
                    syntax="WORDS",
                ),
                Option("since", "From this date (YYYY-MM-DD)"),
                Option("until", "Up to this date (YYYY-MM-DD)"),
                Option("category", "An arXiv category such as cs.LG"),
                Option("author", "An author's name"),
                Option(
                    "sort", "The order", Kind.CHOICE, choices=("relevance", "recent", "upvotes")
                ),
                Option("page", "Which page of results", Kind.NUMBER, low=1, high=100),
            ),
            loose=True,
        ),
        Spec("show", "Show a paper's card", (_PAPER,)),
        Spec(
            "related",
            "Stored papers like this one, by the words of its title and abstract",
            (_PAPER, Option("page", "Which page of results", Kind.NUMBER, low=1, high=9)),
        ),
        Spec(
            "ask",
            "Ask about a paper (in its thread, the paper is known)",
            (
                Option(
                    "paper",
                    "An arXiv id or URL (outside a paper's thread)",
                    Kind.PAPER,
                    positional=True,
                    syntax="ARXIV_ID",
                ),
                Option("question", "Your question", required=True, positional=True, rest=True),
            ),
        ),
        Spec(
            "subscribe",
            "Post new papers from a source in this channel",
            (
                Option("source", SOURCES, required=True, positional=True, syntax="SOURCE"),
                Option(
                    "keywords",
                    'A rule over title and abstract: diffusion AND (video OR audio) NOT "survey"',
                    syntax='keywords="a AND (b OR c) NOT d"',
                ),
                Option(
                    "categories",
                    "Only these arXiv categories, comma-separated (arXiv sources only)",
                    syntax="categories=cs.LG,cs.CL",
                ),
                Option(
                    "authors",
                    "Only papers by these authors, separated by ;",
                    syntax='authors="Ada Lovelace;Alan Turing"',
                ),
                Option(
                    "min-upvotes",
                    "Only papers with at least this many Hugging Face upvotes",
                    Kind.NUMBER,
                    low=0,
                    high=100_000,
                ),
                Option(
                    "upvote-window",
                    "Days a paper has to reach min-upvotes (default 3)",
                    Kind.NUMBER,
                    low=1,
                    high=14,
                ),
                Option("cap", "At most this many papers a day", Kind.NUMBER, low=1, high=1000),
                Option(
                    "catch-up",
                    "Also post this many of the source's current papers now",
                    Kind.NUMBER,
                    low=0,
                    high=20,
                ),
                Option(
                    "every",
                    "instant (default), or a daily or weekly digest",
                    Kind.CHOICE,
                    choices=("instant", "daily", "weekly"),
                ),
                Option("at", "The digest's time, HH:MM", syntax="at=09:00"),
                Option(
                    "tz", "The digest's time zone, e.g. Europe/Berlin", syntax="tz=Europe/Berlin"
                ),
                Option("day", "The weekly digest's day, e.g. monday", syntax="day=monday"),
                Option("top", "Papers in a digest", Kind.NUMBER, low=1, high=50),
                Option("compact", "The digest as one list instead of cards", Kind.FLAG),
                Option(
                    "promote",
                    "Post the top N by this channel's taste as cards, the rest as one list "
                    "(per cycle, or per digest)",
                    Kind.NUMBER,
                    low=1,
                    high=20,
                ),
            ),
            manages=True,
        ),
        Spec("unsubscribe", "Stop a subscription of this channel", (_SUBSCRIPTION,), manages=True),
        Spec(
            "resume",
            "Resume a subscription paused because posting failed",
            (_SUBSCRIPTION,),
            manages=True,
        ),
        Spec("subscriptions", "This channel's subscriptions"),
        Spec("why", "Why a paper was (or was not) posted here", (_PAPER,)),
        Spec("digest", "Post this channel's digest now"),
        Spec(
            "top",
            "This channel's most liked papers (reactions on cards)",
            (
                Option(
                    "days", "Over the last this many days (default 7)", Kind.NUMBER, low=1, high=365
                ),
            ),
        ),
        Spec(
            "taste",
            "What this channel's reactions taught Paperboy (taste reset: forget it)",
            (
                Option(
                    "action",
                    "show (default), or reset to forget what it learned",
                    Kind.CHOICE,
                    positional=True,
                    choices=("show", "reset"),
                ),
            ),
        ),
        Spec("help", "How to use Paperboy"),
    )
}


def _shown(option: Option) -> str:
    if option.syntax:
        text = option.syntax
    elif option.kind is Kind.CHOICE:
        text = f"{option.name}={'|'.join(option.choices)}"
    elif option.kind is Kind.NUMBER:
        text = f"{option.name}=N"
    elif option.kind is Kind.FLAG:
        text = f"{option.name}=yes"
    else:
        text = f"{option.name}={option.name.upper()}"
    return text if option.required else f"[{text}]"


def usage(spec: Spec) -> str:
    return " ".join([spec.name, *(_shown(o) for o in spec.options)])


def help_text() -> str:
    """The help every text surface shows, from the declaration."""
    lines = ["/papers commands:"]
    for spec in COMMANDS.values():
        lines.append(f"  {usage(spec)}")
        lines.append(f"      {spec.help}.")
    lines.append(f"  SOURCE: {SOURCES}")
    return "\n".join(lines)


_CURLY = str.maketrans({"“": '"', "”": '"', "„": '"', "«": '"', "»": '"'})
# A word, with any "quoted part" in it kept whole: `keywords="a AND b"`, `"large language models"`,
# and an option's 'single-quoted' value (elsewhere a single quote is an apostrophe).
_TOKEN = re.compile(r"""[\w-]+='[^']*'|(?:[^\s"]*"[^"]*"[^\s"]*)+|\S+""")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def split_words(text: str) -> list[str]:
    """`/papers` text as words. Quoted parts stay whole, with their quotes (a search keeps its
    phrases); curly quotes count; a lone quote or apostrophe is just a character, never an
    error (unlike shell quoting, which would pair "Bayes' rule" with "Hoeffding's")."""
    return _TOKEN.findall(text.translate(_CURLY))


def _unquoted(value: str) -> str:
    return value[1:-1] if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'" else value


def _typed(option: Option, raw: Value) -> Value:
    """`raw` (typed text, or a platform's typed value) as the option's kind; CommandError when
    it is not one."""
    if option.kind is Kind.NUMBER:
        number = raw if isinstance(raw, int) and not isinstance(raw, bool) else None
        digits = str(raw).strip().removeprefix("#")  # `#3`: a subscription
        if digits.isascii() and digits.isdigit():
            digits = digits.lstrip("0") or "0"  # "0002" is 2
        if number is None:
            number = whole_number(digits, 2**62)
        low = option.low if option.low is not None else -(2**62)
        high = option.high if option.high is not None else 2**62
        within = f"at least {low}" if option.high is None else f"between {low} and {high}"
        if number is None and digits.isascii() and digits.isdigit():  # too many digits
            raise CommandError(f"{option.name} must be {within}, not {digits[:40]}")
        if number is None:
            raise CommandError(f"{option.name} must be a whole number, not {str(raw)[:40]!r}")
        if not low <= number <= high:
            raise CommandError(f"{option.name} must be {within}, not {number}")
        return number
    if option.kind is Kind.FLAG:
        return raw if isinstance(raw, bool) else str(raw).lower() in ("yes", "true", "1")
    text = str(raw)
    if option.kind is Kind.CHOICE and text.lower() not in option.choices:
        *first, last = option.choices
        raise CommandError(f"{option.name} must be {', '.join(first)} or {last}")
    return text.lower() if option.kind is Kind.CHOICE else text


def command_from(name: str, values: Mapping[str, Value | None]) -> Command:
    """A command from a platform's typed options (None: not given)."""
    spec = COMMANDS[name]
    typed: dict[str, Value] = {}
    for key, raw in values.items():
        option = spec.option(key)
        if option is None:
            raise CommandError(f"{name} has no option {key!r}")
        if raw is not None:
            typed[key] = _typed(option, raw)
    return Command(name, typed)


def parse(text: str) -> Command:
    """`/papers` text as a command; CommandError says what to fix."""
    return parse_words(split_words(text))


def parse_words(words: list[str]) -> Command:
    if not words:
        return Command("help")
    if any(_CONTROL.search(word) for word in words):
        # Some databases refuse a NUL outright, and no person means one.
        raise CommandError(
            "That command has a control character in it (such as NUL); type it again without."
        )
    spec = COMMANDS.get(words[0].lower())
    if spec is None:
        raise CommandError(f"Unknown command {words[0][:40]!r}.\n{help_text()}")
    # A positional option may be named too (`taste action=reset`, as the usage line shows it).
    named = {o.name for o in spec.options}
    values: dict[str, Value] = {}
    bare: list[str] = []
    for at, word in enumerate(words[1:], start=2):
        key, sep, raw = word.partition("=")
        if sep and key.lower() in named:
            option = spec.option(key.lower())
            assert option is not None
            # `question=what dataset do they use?`: the rest of the line, unless quoted
            if option.rest and not raw.startswith(('"', "'", "“")):
                values[option.name] = _typed(option, " ".join([_unquoted(raw), *words[at:]]))
                break
            values[option.name] = _typed(option, _unquoted(raw))
        elif sep and not spec.loose and not key.startswith('"'):
            raise CommandError(f"unknown option {key!r}; options: {', '.join(sorted(named))}")
        else:
            bare.append(word)
    # `subscribe arxiv-query:cat:cs.LG AND all:diffusion`: a query's words need no quotes
    if bare and bare[0].lower().startswith("arxiv-query:") and spec.option("source"):
        bare = [" ".join(bare)]
    named_query = str(values.get("source", "")).lower().startswith("arxiv-query:")
    if bare and named_query:  # `source=arxiv-query:cat:cs.LG AND all:diffusion`
        values["source"] = " ".join([str(values["source"]), *bare])
        bare = []
    for option in [o for o in spec.options if o.positional and o.name not in values]:
        if option.rest:
            if bare:
                values[option.name] = " ".join(bare)
            bare = []
        elif bare and (option.kind is not Kind.PAPER or option.required or _is_paper(bare[0])):
            try:
                values[option.name] = _typed(option, bare.pop(0))
            except CommandError as exc:
                raise CommandError(f"{exc}; use: {usage(spec)}") from None
    if bare:
        raise CommandError(f"too many words; use: {usage(spec)}")
    return Command(spec.name, values)


def _is_paper(word: str) -> bool:
    return parse_arxiv_id(word) is not None


__all__ = [
    "COMMANDS",
    "SOURCES",
    "Command",
    "CommandError",
    "Kind",
    "Option",
    "Spec",
    "command_from",
    "help_text",
    "parse",
    "parse_words",
    "split_words",
    "usage",
]
