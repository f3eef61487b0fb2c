"""Search as the core sees it: a parsed, safe query, filters, and the results page.

User text is untrusted: quotes, `-`, `:`, `AND`/`OR`/`NOT`/`NEAR`, column filters, emoji and
10,000-character pastes all arrive here. `parse_terms` reduces any of it to plain words, quoted
phrases and excluded words, which each storage engine then writes in its own safe syntax (bound
as a parameter), so no input can be a database syntax error.
"""

from __future__ import annotations

import re
from collections import Counter
from datetime import date

from bot.domain import Paper, SearchQuery, Sort, Terms

MAX_QUERY_CHARS = 1000
MAX_TERMS = 16  # beyond this a query is a paste, not a search; the first words decide
MAX_PAGE = 50

_PHRASE = re.compile(r'"([^"]*)"')
# Words as the full-text tokenizers see them: letters and digits (any script), inner apostrophes
# and hyphens split into separate words.
_WORD = re.compile(r"[^\W_]+", re.UNICODE)
_CATEGORY = re.compile(r"[A-Za-z]+(?:-[A-Za-z]+)*(?:\.[A-Za-z]+(?:-[A-Za-z]+)*)?")
_OPERATORS = frozenset({"and", "or", "not", "near"})
# Field prefixes people bring from arXiv's or a database's syntax (`ti:diffusion`, `title:x`):
# the prefix is dropped and the word searched everywhere, rather than searching for "title".
_FIELD = re.compile(r"^-?(?:ti|title|abs|abstract|au|author|authors|all|cat|co|jr):", re.IGNORECASE)


class SearchError(ValueError):
    """A query that cannot run; the message is written for the person who typed it."""


def _words(text: str) -> list[str]:
    return [w.lower() for w in _WORD.findall(text)]


TITLE_KEY_CHARS = 255
RELATED_WORDS = 12  # the words of a paper a "more like this" query asks for
MAX_ABSTRACT = 20_000  # of an abstract's characters, read for them (a bound on upstream text)

# Words that say nothing of what a paper is about: English function words and paper filler.
STOP_WORDS = frozenset(
    """a about above across after again against all also although am among an and another
    any are as at be because been before being below between both but by can could did do
    does doing done during each either etc few for from further had has have having here
    how however i if in into is it its itself just less many may might more most much must
    no nor not of off on once one only or other our ours out over own per same several shall
    she should since so some such than that the their them then there these they this those
    though through thus to too under until up upon us very via was we were what when where
    whether which while who whom whose why will with within without would yet you your
    paper papers propose proposed proposes present presents show shows shown approach
    approaches method methods new novel results result work works using use used based
    achieve achieves demonstrate demonstrates existing well first two three furthermore
    moreover however significantly significant""".split()  # noqa: SIM905 (a list to read)
)


def title_key(text: str | None) -> str:
    """A title (or a query) as the words it holds, in order: typed exactly, a paper's title
    finds that paper first, however many newer papers use its words."""
    return " ".join(_words(text or ""))[:TITLE_KEY_CHARS]


def related_query(paper: Paper, *, limit: int = 10) -> SearchQuery:
    """Papers like `paper` by their words: any of its title's words and its abstract's most
    frequent ones (no function words or filler), ranked by the engine's relevance, which
    weighs rare shared words most (a "more like this" query)."""
    title = [w for w in dict.fromkeys(_words(paper.title or "")) if _telling(w)]
    counted = Counter(w for w in _words((paper.abstract or "")[:MAX_ABSTRACT]) if _telling(w))
    words = list(dict.fromkeys([*title, *(w for w, _ in counted.most_common())]))
    if not words:
        raise SearchError("That paper has no words to look for related papers by.")
    terms = Terms(tuple(words[:RELATED_WORDS]), any=True)
    return SearchQuery(terms=terms, limit=limit)


def _telling(word: str) -> bool:
    return len(word) > 2 and not word.isdigit() and word not in STOP_WORDS


def parse_terms(text: str) -> Terms:
    """Words, "quoted phrases" and -excluded words; operators and punctuation become nothing.

    >>> parse_terms('"diffusion model" -video NOT: title:ddpm')
    Terms(words=('ddpm',), phrases=(('diffusion', 'model'),), excluded=('video',))
    """
    phrases: list[tuple[str, ...]] = []
    for raw in _PHRASE.findall(text):
        quoted = tuple(_words(raw))
        if len(quoted) > 1:
            phrases.append(quoted)
        elif quoted:
            text += f" {quoted[0]}"
    rest = _PHRASE.sub(" ", text)
    words: list[str] = []
    operators: list[str] = []
    excluded: list[str] = []
    for raw_token in rest.split():
        token = _FIELD.sub("-" if raw_token.startswith("-") else "", raw_token)
        target = excluded if token.startswith("-") and len(token) > 1 else words
        for word in _words(token):
            (operators if word in _OPERATORS else target).append(word)
    if not words and not phrases:
        words = operators  # "AND OR NOT" alone is a search for those words, not syntax
    budget = MAX_TERMS
    phrases = phrases[:budget]
    budget -= len(phrases)
    unique = list(dict.fromkeys(words))[: max(budget, 0)]
    return Terms(tuple(unique), tuple(phrases), tuple(dict.fromkeys(excluded))[:MAX_TERMS])


# Dates a search may name: arXiv began in 1991; past 2100 a day is a typo (and day arithmetic
# near 9999-12-31 overflows).
FIRST_DAY, LAST_DAY = date(1991, 1, 1), date(2100, 12, 31)


def build_query(
    text: str,
    *,
    since: date | None = None,
    until: date | None = None,
    category: str | None = None,
    author: str | None = None,
    sort: Sort = Sort.RELEVANCE,
    limit: int = 10,
    offset: int = 0,
    as_typed: bool = False,
) -> SearchQuery:
    """A checked query from user input; raises `SearchError` with a message for the person.
    `as_typed`: the text is still being typed (autocomplete), its last word may be unfinished."""
    if len(text) > MAX_QUERY_CHARS:
        raise SearchError(
            f"That query is {len(text):,} characters long; "
            f"please keep it under {MAX_QUERY_CHARS:,}."
        )
    for name, day in (("since", since), ("until", until)):
        if day is not None and not FIRST_DAY <= day <= LAST_DAY:
            raise SearchError(f"'{name}' must be between {FIRST_DAY} and {LAST_DAY}.")
    if since and until and since > until:
        raise SearchError(f"'since' ({since}) is after 'until' ({until}).")
    if not 1 <= limit <= MAX_PAGE:
        raise SearchError(f"Ask for between 1 and {MAX_PAGE} results.")
    if offset < 0:
        raise SearchError("The page offset cannot be negative.")
    category = category.strip() if category else None
    if category and not _CATEGORY.fullmatch(category):
        raise SearchError(f"{category[:40]!r} is not an arXiv category like cs.LG or hep-th.")
    if author is not None and not parse_terms(author).words:
        raise SearchError("An author's name needs letters in it.")
    terms = parse_terms(text)
    if as_typed and terms.words and not text.endswith(" "):
        terms = Terms(terms.words, terms.phrases, terms.excluded, prefix=True)
    if terms.empty and not (since or until or category or author):
        raise SearchError("Type some words to search for, an arXiv id or URL, or give a filter.")
    return SearchQuery(
        text=text,
        terms=terms,
        since=since,
        until=until,
        category=category,
        author=" ".join(author.split()) if author else None,
        sort=sort,
        limit=limit,
        offset=offset,
    )
