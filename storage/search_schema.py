"""What the search index holds and how it is asked: the schema, the analyzer every text goes
through (papers and queries alike), a paper row as a document, and a `SearchQuery` as a query.

Scoring, documented in the README: for each query word (stemmed, accents folded) and field,
tantivy's BM25 (k1 1.2, b 0.75, idf ln(1 + (N - n + 0.5) / (n + 0.5)), field lengths kept to one
byte) times the field's weight (`WEIGHTS`), summed. Every match is scored, however many there are.
Query words are built into query objects, never parsed: no input is query syntax.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from datetime import time as day_time
from typing import Any

import tantivy

from bot.domain import SearchQuery, Sort, Terms
from bot.search import title_key

SCHEMA_VERSION = 3  # a new layout is a new directory: an old index is rebuilt, never misread
WEIGHTS = {"title": 3.0, "authors": 2.0, "abstract": 1.0}
MAX_TOKEN = 40  # longer "words" are not words (base64, hashes); neither side keeps them
EXACT_TITLE = 1e6  # added to the score of a paper whose exact title was typed: above any BM25
_MINUTE_BITS = 27  # minutes since 1970 fit until the year 2225
_ID_BITS = 21


def analyzer() -> tantivy.TextAnalyzer:
    """How the index and every query split text: letters and digits, accents folded, lowercase,
    English stems ("Models" finds "model")."""
    return (
        tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
        .filter(tantivy.Filter.remove_long(MAX_TOKEN))
        .filter(tantivy.Filter.lowercase())
        .filter(tantivy.Filter.ascii_fold())
        .filter(tantivy.Filter.stemmer("english"))
        .build()
    )


def _schema() -> tantivy.Schema:
    builder = tantivy.SchemaBuilder()
    builder.add_integer_field("id", indexed=True, fast=True)
    for name in WEIGHTS:
        builder.add_text_field(name, tokenizer_name="paperboy")
    builder.add_text_field("category", tokenizer_name="raw")
    builder.add_text_field("title_key", tokenizer_name="raw")
    builder.add_text_field("kind", tokenizer_name="raw")
    builder.add_text_field("epoch", tokenizer_name="raw", stored=True)
    builder.add_integer_field("published", indexed=True, fast=True)
    builder.add_integer_field("recent", fast=True)
    builder.add_integer_field("upvotes", fast=True)
    builder.add_integer_field("seq", stored=True)
    builder.add_integer_field("top_id", stored=True)
    return builder.build()


SCHEMA = _schema()
_ANALYZER = analyzer()
_FOLD = (  # as `analyzer`, without stemming: a prefix being typed is not a word yet
    tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
    .filter(tantivy.Filter.lowercase())
    .filter(tantivy.Filter.ascii_fold())
    .build()
)
_PREFIX_SAFE = re.compile(r"[^\W_]+")


def _seconds(moment: datetime | None) -> int | None:
    return int(moment.timestamp()) if moment else None


def recent_key(row_id: int, published: datetime | None) -> int:
    """Newest first, then the higher row id (as the database sorts; ids compared modulo 2^21)."""
    seconds = _seconds(published)
    base = seconds if seconds is not None else -(1 << 31)
    return (base << _ID_BITS) | (row_id & ((1 << _ID_BITS) - 1))


def upvotes_key(upvotes: int | None, published: datetime | None) -> int:
    """Most upvotes first (none counted below zero), then the newest (to the minute)."""
    minutes = max(0, (_seconds(published) or 0) // 60)
    votes = -1 if upvotes is None else min(max(upvotes, 0), 1 << 30)
    return ((votes + 1) << _MINUTE_BITS) | min(minutes, (1 << _MINUTE_BITS) - 1)


def document(row: Any) -> tantivy.Document:
    """A paper row (id, title, title_key, abstract, authors_text, categories_text, published,
    upvotes)."""
    doc = tantivy.Document()
    doc.add_integer("id", row.id)
    doc.add_text("title", row.title or "")
    doc.add_text("abstract", row.abstract or "")
    doc.add_text("authors", row.authors_text or "")
    if row.title_key:
        doc.add_text("title_key", row.title_key)
    for category in (row.categories_text or "").split():
        doc.add_text("category", category.lower())
    if (seconds := _seconds(row.published)) is not None:
        doc.add_integer("published", seconds)
    doc.add_integer("recent", recent_key(row.id, row.published))
    doc.add_integer("upvotes", upvotes_key(row.upvotes, row.published))
    return doc


def index_tokens(word: str) -> list[str]:
    """`word` as the index holds it: its stems (none for an over-long one)."""
    return list(_ANALYZER.analyze(word))


def _fields(token: str) -> list[tuple[tantivy.Occur, tantivy.Query]]:
    """One token in any field, each field's BM25 weighted: the clauses of a union."""
    return [
        (
            tantivy.Occur.Should,
            tantivy.Query.boost_query(tantivy.Query.term_query(SCHEMA, field, token), weight),
        )
        for field, weight in WEIGHTS.items()
    ]


def _any_field(token: str) -> tantivy.Query:
    return tantivy.Query.boolean_query(_fields(token))


def _phrase(tokens: list[str]) -> tantivy.Query:
    if len(tokens) == 1:
        return _any_field(tokens[0])
    words: list[str | tuple[int, str]] = list(tokens)
    return tantivy.Query.boolean_query(
        [
            (
                tantivy.Occur.Should,
                tantivy.Query.boost_query(tantivy.Query.phrase_query(SCHEMA, field, words), weight),
            )
            for field, weight in WEIGHTS.items()
        ]
    )


MIN_PREFIX = 3  # letters typed before a word being typed is read as the start of words


def _prefix(word: str) -> tantivy.Query:
    """A word still being typed: any indexed word that begins with it, or whose stem the typed
    part begins with ("diffusi" finds the stem "diffus" of "diffusion")."""
    folded = _FOLD.analyze(word)
    if not folded:
        return tantivy.Query.empty_query()
    typed = folded[0]
    if len(typed) < MIN_PREFIX:  # "a" begins a good share of all words: read as a whole word
        tokens = index_tokens(word)
        return _phrase(tokens) if tokens else tantivy.Query.empty_query()
    stems = {typed[:k] for k in range(max(3, len(typed) - 4), len(typed) + 1)}
    parts: list[tuple[tantivy.Occur, tantivy.Query]] = [
        (tantivy.Occur.Should, _any_field(stem)) for stem in sorted(stems)
    ]
    for field, weight in WEIGHTS.items():
        regex = tantivy.Query.regex_query(SCHEMA, field, re.escape(typed) + ".*")
        parts.append((tantivy.Occur.Should, tantivy.Query.boost_query(regex, weight)))
    return tantivy.Query.boolean_query(parts)


def _filter(query: tantivy.Query) -> tuple[tantivy.Occur, tantivy.Query]:
    """A condition that does not change the score."""
    return (tantivy.Occur.Must, tantivy.Query.const_score_query(query, 0.0))


def _day_start(day: Any) -> int:
    return int(datetime.combine(day, day_time(), UTC).timestamp())


def to_query(
    query: SearchQuery, titled: Callable[[str], bool] = lambda key: True
) -> tantivy.Query | None:
    """The tantivy query for `query`; None when nothing can match (a word too long to index).
    `titled(key)`: whether some paper has the title the words make (then it comes first)."""
    terms: Terms = query.terms
    key = title_key(query.text) if query.sort is Sort.RELEVANCE and not query.author else ""
    key = key if key and titled(key) else ""
    lone = _lone_token(query)
    if lone is not None and not key:
        # One word and nothing else: a plain union of its fields, which tantivy answers by
        # skipping the postings that cannot reach the top (block-max WAND), not by scoring
        # every match: the same ranking, several times faster for a frequent word.
        return tantivy.Query.boolean_query(_fields(lone))
    clauses: list[tantivy.Query] = []
    for position, word in enumerate(terms.words):
        if terms.prefix and position == len(terms.words) - 1:
            clauses.append(_prefix(word))
            continue
        tokens = index_tokens(word)
        if not tokens:
            if terms.any:
                continue
            return None
        clauses.append(_phrase(tokens))
    for words in terms.phrases:
        tokens = [t for w in words for t in index_tokens(w)]
        if not tokens:
            return None
        clauses.append(_phrase(tokens))
    occur = tantivy.Occur.Should if terms.any else tantivy.Occur.Must
    parts: list[tuple[tantivy.Occur, tantivy.Query]] = [(occur, c) for c in clauses]
    for name in _author_words(query.author):
        author = tantivy.Query.term_query(SCHEMA, "authors", name)
        parts.append((tantivy.Occur.Must, tantivy.Query.boost_query(author, WEIGHTS["authors"])))
    if not parts:
        return None
    for word in terms.excluded:
        for token in index_tokens(word):
            parts.append((tantivy.Occur.MustNot, _any_field(token)))
    low = _day_start(query.since) if query.since else None
    high = _day_start(query.until + timedelta(days=1)) - 1 if query.until else None
    if low is not None or high is not None:
        published = tantivy.Query.range_query(
            SCHEMA, "published", tantivy.FieldType.Integer, low, high
        )
        parts.append(_filter(published))
    if query.category:
        category = tantivy.Query.term_query(SCHEMA, "category", query.category.lower())
        parts.append(_filter(category))
    if key:  # a paper whose exact title was typed comes first, however old
        exact = tantivy.Query.term_query(SCHEMA, "title_key", key)
        parts.append((tantivy.Occur.Should, tantivy.Query.const_score_query(exact, EXACT_TITLE)))
    return tantivy.Query.boolean_query(parts)


def _lone_token(query: SearchQuery) -> str | None:
    """The one indexed token of a query of one whole word with no filter, else None."""
    terms = query.terms
    if terms.phrases or terms.excluded or terms.prefix or len(terms.words) != 1:
        return None
    if query.author or query.since or query.until or query.category:
        return None
    tokens = index_tokens(terms.words[0])
    return tokens[0] if len(tokens) == 1 else None


def _author_words(author: str | None) -> list[str]:
    return [t for w in _PREFIX_SAFE.findall(author or "") for t in index_tokens(w)]
