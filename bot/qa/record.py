"""Questions the paper's record answers exactly: its code, project page, authors, dates,
version, venue, categories, upvotes and comments. "Is the code available?" is answered with the
link (and its stars), never with a paragraph of the abstract.

    about_the_record("Is the code available?", paper)
    -> "Yes: the code is at https://github.com/o/r (★ 1.2k)."
"""

from __future__ import annotations

import re
from collections.abc import Callable

from bot.cards import compact_count
from bot.domain import Paper

NAMES_SHOWN = 12

# Each pattern asks about one fact of the record; they are anchored on the question's intent
# ("is the code available", "who wrote it"), not on a word that papers use for other things
# ("code-switching", "which authors' dataset").
_CODE = re.compile(
    r"\b(github|repo(sitory)?|open[- ]sourced?)\b"
    # "the code of QANet" is another work's code, not this paper's
    # nor are "implementation details" a repository
    r"|\b(code|implementation|source code|weights|checkpoints?)\b"
    r"(?!\s+(of|for)\s+(?-i:[A-Z])|\s+details)"
    r"[^?]*\b(available|released?|"
    r"public|open|link|url|find|get|download|share[ds]?|provided?)\b"
    r"|\b(where|is there|do they (release|share|provide|publish)|did they (release|share))\b"
    r"[^?]*\b(code|implementation)\b",
    re.IGNORECASE,
)
_PROJECT = re.compile(r"\bproject (page|site|website)\b|\bhome ?page\b|\bdemo\b", re.IGNORECASE)
_AUTHORS = re.compile(
    # "How many authors annotated the data?" asks about the annotation
    r"\bwho (wrote|authored|are the authors|is the author)\b"
    r"|\bhow many authors\b(?!\s+(?!(does|do|did|are|is|has|have|wrote|there)\b)\w)"
    r"|\bwho (made|did) (it|this|the paper|this paper)\b"
    r"|\b(list|name|names) (of )?(all )?the authors\b|\bwho are (they|the writers)\b"
    r"|^\s*(the )?authors\s*\??\s*$",
    re.IGNORECASE,
)
_DATE = re.compile(
    r"\bwhen (was|did|is) (it|this|(the|this) (paper|preprint|article|work))\b[^?]*"
    r"\b(publish|release|submit|post|appear|out|come)"
    r"|\b(publication|submission|release) date\b|\bhow (old|recent|new) is\b",
    re.IGNORECASE,
)
# "which version of BERT" asks about another thing's version
_VERSION = re.compile(
    r"\b(which|what|latest|how many|newest) versions?\b"
    r"(?!\s+of\s+(?!(the |this )?(paper|preprint|article)\b))",
    re.IGNORECASE,
)
_VENUE = re.compile(
    # not "What journal articles were used as evidence?"
    r"\bvenue\b|\b(journal|conference|proceedings)\b(?!\s+(articles?|papers?|data|texts?))"
    r"|\bpublished (in|at)\b"
    r"|\baccepted (at|to|by|in)\b|\bpeer[- ]reviewed\b",
    re.IGNORECASE,
)
# "what categories of questions" asks about the paper's data, not its arXiv category
_CATEGORY = re.compile(
    r"\barxiv categor(y|ies)\b|\b(subject areas?|subfield|primary class)\b"
    r"|\bcategor(y|ies)\b(?!\s+of\b)[^?]*\b(it|this paper|the paper)\b"
    r"|\b(its|the paper's|this paper's) categor(y|ies)\b",
    re.IGNORECASE,
)
_POPULAR = re.compile(
    # not "what does the loss look like", nor "a popular approach"
    # not "How many comments does the dataset contain?", "How popular are its claims?"
    r"\bupvotes?\b|\bcomments? on hugging"
    r"|\bhow many (votes|likes|comments)\b(?=\s*\??\s*$|\s+(does|did|do|has) (it|this|this "
    r"paper|the paper) (have|get|got)\b)"
    r"|\bhow popular is (it|this|this paper|the paper)\b|\bis (it|this|this paper|the paper) "
    r"popular\b",
    re.IGNORECASE,
)


def _code(paper: Paper) -> str:
    if not paper.github_url:
        return ""  # nothing on record: the paper's text is searched instead (see `preface`)
    stars = f" (★ {compact_count(paper.github_stars)})" if paper.github_stars else ""
    return f"Yes: the code is at {paper.github_url}{stars}."


def _project(paper: Paper) -> str:
    if paper.project_url:
        return f"The project page is {paper.project_url}."
    return ""


def _authors(paper: Paper) -> str:
    names = list(paper.authors)
    if not names:
        return "The record lists no authors."
    shown = ", ".join(names[:NAMES_SHOWN])
    more = f", and {len(names) - NAMES_SHOWN} more" if len(names) > NAMES_SHOWN else ""
    count = f"{len(names)} author{'s' if len(names) != 1 else ''}"
    org = f" ({paper.organization})" if paper.organization else ""
    return f"{count}{org}: {shown}{more}."


def _day(paper: Paper) -> str:
    parts = []
    if paper.published:
        parts.append(f"first posted on arXiv on {paper.published:%Y-%m-%d}")
    if paper.updated and (paper.version or 1) > 1:
        parts.append(f"its version v{paper.version} on {paper.updated:%Y-%m-%d}")
    elif paper.announced and not paper.published:
        parts.append(f"announced by arXiv on {paper.announced:%Y-%m-%d}")
    if paper.hf_daily_date:
        parts.append(f"featured in Hugging Face Daily Papers on {paper.hf_daily_date:%Y-%m-%d}")
    return ("It was " + "; ".join(parts) + ".") if parts else ""


def _version(paper: Paper) -> str:
    if not paper.version:
        return ""
    when = f", posted {paper.updated:%Y-%m-%d}" if paper.updated else ""
    return f"The newest version known is v{paper.version}{when}."


def _venue(paper: Paper) -> str:
    if paper.journal_ref:
        return f"Published in {paper.journal_ref}."
    if paper.comment:
        return f"No journal reference is recorded; its arXiv comment says: {paper.comment}"
    return ""


def _categories(paper: Paper) -> str:
    if not paper.categories:
        return ""
    primary, *others = paper.categories
    also = f" (also {', '.join(others)})" if others else ""
    return f"Its arXiv category is {primary}{also}."


def _popular(paper: Paper) -> str:
    if paper.upvotes is None and paper.num_comments is None:
        return ""
    votes = f"{paper.upvotes or 0} upvote{'s' if paper.upvotes != 1 else ''}"
    comments = paper.num_comments or 0
    return f"On Hugging Face: {votes} and {comments} comment{'s' if comments != 1 else ''}."


FACTS: tuple[tuple[re.Pattern[str], Callable[[Paper], str]], ...] = (
    (_CODE, _code),
    (_PROJECT, _project),
    (_AUTHORS, _authors),
    (_VENUE, _venue),
    (_DATE, _day),
    (_VERSION, _version),
    (_CATEGORY, _categories),
    (_POPULAR, _popular),
)


def about_the_record(question: str, paper: Paper) -> str | None:
    """The answer from the record when the question asks for one of its facts and the record
    has it; None otherwise (the paper's text is searched then)."""
    for pattern, answer in FACTS:
        if pattern.search(question) and (said := answer(paper)):
            return said
    return None


def preface(question: str, paper: Paper) -> str | None:
    """What to say before searching the text for a fact the record lacks."""
    if _CODE.search(question) and not paper.github_url:
        return "No code link is known for this paper (Hugging Face and arXiv list none)."
    if _PROJECT.search(question) and not paper.project_url:
        return "No project page is known for this paper."
    return None
