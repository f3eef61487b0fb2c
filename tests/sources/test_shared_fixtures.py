"""Every recorded real response in ../shared/fixtures/sources parses into the fields it holds.

Each file has its own check below; a file added to the folder without one fails
`test_every_recorded_file_has_a_check`, so none is silently left untested.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.domain import Origin
from bot.errors import ArxivQueryError, UnreadableResponse
from bot.saved import Format, detect, parse_saved
from bot.sources.base import Batch

pytestmark = pytest.mark.shared_fixtures


def _utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)  # type: ignore[arg-type, misc]


def docs_example(b: Batch) -> None:
    (p,) = b.papers
    assert (p.arxiv_id, p.version, b.total) == ("hep-ex/0307015", 1, 1000)
    assert (
        p.title == "Multi-Electron Production at High Transverse Momenta in ep Collisions at HERA"
    )
    assert p.authors == ("H1 Collaboration",)
    assert p.published == _utc(2003, 7, 7, 17, 46, 39)  # -04:00 in the feed
    assert p.journal_ref == "Eur.Phys.J. C31 (2003) 17-29"
    assert p.comment == "23 pages, 8 figures and 4 tables"
    assert p.categories == ("hep-ex",)
    assert p.abstract
    assert p.abstract.startswith("Multi-electron production is studied")
    assert "0.30 ± 0.04" in p.abstract  # TeX \pm made readable


def empty_idlist(b: Batch) -> None:
    assert (b.papers, b.total) == ((), 0)


def idlist_1605(b: Batch) -> None:
    (p,) = b.papers
    assert (p.arxiv_id, p.version) == ("1605.08386", 1)
    assert p.title == "Heat-bath random walks with Markov bases"
    assert p.authors == ("Caprice Stanley", "Tobias Windisch")
    assert p.categories == ("math.CO", "math.ST")
    assert p.comment == "20 pages, 3 figures"
    assert p.published == p.updated == _utc(2016, 5, 26, 17, 59, 46)


def idlist_oldstyle(b: Batch) -> None:
    (p,) = b.papers
    assert (p.arxiv_id, p.version) == ("quant-ph/0201082", 1)
    assert p.categories == ("quant-ph", "cs.PL")
    assert p.authors == ("Stephen Blaha",)


def query_transformer(b: Batch) -> None:
    assert (len(b.papers), b.total, b.start) == (5, 28946, 0)
    first = b.papers[0]
    assert (first.arxiv_id, first.title) == (
        "2606.13677",
        "Mana: Dexterous Manipulation of Articulated Tools",
    )
    assert first.categories[0] == "cs.RO"
    assert all(p.published and p.abstract and p.authors for p in b.papers)


def query_attention(b: Batch) -> None:
    assert (len(b.papers), b.total) == (3, 314000)
    assert b.papers[0].title
    assert b.papers[0].title.startswith("Déjà vu: A Contextualized Temporal")


def query_legacy(b: Batch) -> None:
    assert (len(b.papers), b.total) == (2, 5619)
    p = b.papers[0]
    assert p.arxiv_id == "2510.14968"
    # Hard wraps joined, the legacy two-space indent gone.
    assert (
        p.title
        == "RDD: Retrieval-Based Demonstration Decomposer for Planner Alignment in Long-Horizon Tasks"
    )
    assert p.abstract
    assert p.abstract.startswith("To tackle long-horizon tasks, recent hierarchical")
    assert "\n" not in p.abstract
    assert p.comment == (
        "39th Conference on Neural Information Processing Systems (NeurIPS 2025); "
        "Project Website: rdd-neurips.github.io"
    )
    assert p.categories == ("cs.RO", "cs.AI", "cs.CV", "cs.LG", "cs.SY", "eess.SY")


def query_testing_page1(b: Batch) -> None:
    assert (len(b.papers), b.total, b.start) == (10, 214881, 0)
    ids = [p.arxiv_id for p in b.papers]
    assert ids[:3] == ["2202.12139", "2405.13786", "2005.14124"]
    first = b.papers[0]
    assert first.doi == "10.1109/ICSTW55395.2022.00035"
    assert first.journal_ref
    assert first.journal_ref.startswith("Artificial Intelligence in Software Testing @ 2022")
    assert {p.version for p in b.papers} == {1, 2, 3}
    # The recording holds UTF-8 that was once read as Latin-1 ("RamÃ­rez"); we repair it.
    assert any("Aurora Ramírez" in p.authors for p in b.papers)


def query_testing_page2(b: Batch) -> None:
    assert (len(b.papers), b.start) == (10, 10)
    hypothesis = next(p for p in b.papers if p.arxiv_id == "2403.16981")
    assert hypothesis.version == 2
    assert hypothesis.abstract
    assert "type-I error at most α" in hypothesis.abstract


def rss_ai(b: Batch) -> None:
    assert len(b.papers) == 3
    assert b.built == _utc(2026, 4, 27, 4)
    p = b.papers[0]
    assert (p.arxiv_id, p.version, p.announce_type) == ("2604.21935", 1, "new")
    assert p.authors == ("Michael Cooper", "Samuel Cooper")
    assert p.categories == ("cs.AI", "cs.LG")
    assert p.announced == p.published == _utc(2026, 4, 27, 4)
    assert p.abstract
    assert p.abstract.startswith("Although language models demonstrate")
    assert "Announce Type" not in p.abstract
    assert b.papers[1].abstract
    assert "\\textbf" not in b.papers[1].abstract
    assert all(p.sources == {Origin.ARXIV_RSS} and not p.is_update for p in b.papers)


def rss_cl(b: Batch) -> None:
    assert len(b.papers) == 3
    cow = b.papers[0]
    assert cow.arxiv_id == "2604.22002"
    # "Ratna Kandala,  Deepti" — a mononym leaves a double space in dc:creator.
    assert cow.authors[:3] == ("Anamta Khan", "Ratna Kandala", "Deepti")


def hf_daily_june(b: Batch) -> None:
    assert len(b.papers) == 30
    assert not b.skipped
    first = b.papers[0]
    assert first.arxiv_id == "2606.00467"
    assert first.organization == "California institute of technology"
    assert first.hf_daily_date == _utc(2026, 6, 12)
    assert first.published == _utc(2026, 5, 30)
    assert (
        first.thumbnail_url
        == "https://cdn-thumbnails.huggingface.co/social-thumbnails/papers/2606.00467.png"
    )
    assert all(p.ai_summary and p.ai_keywords and p.on_hf for p in b.papers)
    assert sum(1 for p in b.papers if p.github_url) == 16
    assert sum(1 for p in b.papers if p.project_url) == 13
    hidden = next(p for p in b.papers if p.arxiv_id == "2606.12575")
    assert len(hidden.authors) == 9
    assert "Dengyang Jiang" not in hidden.authors


def hf_daily_july(b: Batch) -> None:
    assert len(b.papers) == 5
    assert all(p.ai_summary is None and p.ai_keywords == () for p in b.papers)  # not generated yet
    assert all(p.upvotes is not None and p.hf_daily_date for p in b.papers)


def hf_paper(b: Batch) -> None:
    (p,) = b.papers
    assert (p.arxiv_id, p.upvotes, p.github_stars) == ("2608.09888", 782, 11184)
    assert p.github_url == "https://github.com/pathwaycom/arc-task-gen"
    assert p.project_url
    assert p.project_url.startswith("https://pathway.com/blog/")
    assert p.organization == "Pathway"
    assert len(p.ai_keywords) == 5
    assert p.authors[0] == "Björn Engdahl"
    assert p.abstract
    assert "$0.0007" in p.abstract
    assert "\\$" not in p.abstract
    assert p.sources == {Origin.HF_PAPER}


def hf_search(b: Batch) -> None:
    assert len(b.papers) == 9
    p = b.papers[0]
    assert (p.arxiv_id, p.title) == (
        "2404.04487",
        "KazQAD: Kazakh Open-Domain Question Answering Dataset",
    )
    assert p.thumbnail_url
    assert p.num_comments == 0
    assert p.authors[:2] == ("Rustem Yeshpanov", "Pavel Efimov")
    assert all(p.sources == {Origin.HF_SEARCH} for p in b.papers)


Check = Callable[[Batch], None]
PARSED: dict[str, tuple[Format, Check]] = {
    "arxiv_api_docs-example_all-electron_hep-ex-0307015_legacy-2007.atom.xml": (
        Format.ARXIV_API,
        docs_example,
    ),
    "arxiv_api_idlist_0000.0000_empty_2026-04-12.atom.xml": (Format.ARXIV_API, empty_idlist),
    "arxiv_api_idlist_1605.08386_2026-04-12.atom.xml": (Format.ARXIV_API, idlist_1605),
    "arxiv_api_idlist_quant-ph_0201082v1_oldstyle_2026-04-12.atom.xml": (
        Format.ARXIV_API,
        idlist_oldstyle,
    ),
    "arxiv_api_query_all-transformer_AND_cat-cs.LG_sorted-submittedDate_2026-06-14.atom.xml": (
        Format.ARXIV_API,
        query_transformer,
    ),
    "arxiv_api_query_attention-OR-mechanism_2026-03-26.atom.xml": (
        Format.ARXIV_API,
        query_attention,
    ),
    "arxiv_api_query_cat-cs.RO_AND_neural_2025-10-17_legacy-format.atom.xml": (
        Format.ARXIV_API,
        query_legacy,
    ),
    "arxiv_api_query_testing_start0_max10_2026-04-12.atom.xml": (
        Format.ARXIV_API,
        query_testing_page1,
    ),
    "arxiv_api_query_testing_start10_max10_2026-04-12.atom.xml": (
        Format.ARXIV_API,
        query_testing_page2,
    ),
    "arxiv_rss_cs_AI_2026-04-27_first3-new.xml": (Format.ARXIV_RSS, rss_ai),
    "arxiv_rss_cs_CL_2026-04-27_first3-new.xml": (Format.ARXIV_RSS, rss_cl),
    "hf_daily_papers_2026-06-12_limit100.json": (Format.HF_DAILY, hf_daily_june),
    "hf_daily_papers_2026-07-31_first5.json": (Format.HF_DAILY, hf_daily_july),
    "hf_paper_2608.09888.json": (Format.HF_PAPER, hf_paper),
    "hf_papers_search_q-kazakh_2025-05.json": (Format.HF_SEARCH, hf_search),
}
# Not paper-source responses: recognised as such and refused with a clear error.
ERROR_FEEDS = {"arxiv_api_error_docs-example_id_list-1234.12345_legacy-2007.atom.xml"}
NOT_A_SOURCE = {
    "arxiv_html_latexml_0.8.6_split-cycle_2022.html",  # full text, for the thread answerer
    "openalex_works_filter-title.search_chemcrow_2025-09-11.json",
    "semantic_scholar_paper_DOI-10.48550-arxiv.2312.07559_2025-09-23.json",
    "semantic_scholar_paper_search_match_chemcrow_2025-09-11.json",
    "semantic_scholar_paper_search_q-transformer_2026-06-14.json",
}


def test_every_recorded_file_has_a_check(sources_dir: Path) -> None:
    files = {p.name for p in sources_dir.iterdir() if p.name != "README.md"}
    assert files == set(PARSED) | ERROR_FEEDS | NOT_A_SOURCE


@pytest.mark.parametrize("name", sorted(PARSED))
def test_recorded_response_parses_into_its_fields(sources_dir: Path, name: str) -> None:
    fmt, check = PARSED[name]
    body = (sources_dir / name).read_bytes()
    assert detect(body) is fmt
    batch = parse_saved(body)
    assert batch == parse_saved(body, fmt)
    assert not batch.skipped
    check(batch)


def test_arxiv_error_feed_is_a_typed_error(sources_dir: Path) -> None:
    (name,) = ERROR_FEEDS
    with pytest.raises(ArxivQueryError, match="incorrect id format for 1234.12345"):
        parse_saved((sources_dir / name).read_bytes())


@pytest.mark.parametrize("name", sorted(NOT_A_SOURCE))
def test_other_responses_are_refused_clearly(sources_dir: Path, name: str) -> None:
    with pytest.raises(
        UnreadableResponse, match="not a Hugging Face JSON, arXiv Atom or arXiv RSS"
    ):
        parse_saved((sources_dir / name).read_bytes())
