from __future__ import annotations

import pytest

from bot.ids import ArxivId, find_arxiv_ids, parse_arxiv_id


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2401.12345", ArxivId("2401.12345")),
        ("2401.12345v3", ArxivId("2401.12345", 3)),
        ("0704.0001", ArxivId("0704.0001")),  # first new-style id: four digits
        ("1412.9999v2", ArxivId("1412.9999", 2)),
        ("1501.00001", ArxivId("1501.00001")),  # five digits from 2015
        ("arXiv:2401.12345", ArxivId("2401.12345")),
        ("arxiv: 2401.12345v1", ArxivId("2401.12345", 1)),
        ("https://arxiv.org/abs/2401.12345", ArxivId("2401.12345")),
        ("http://arxiv.org/abs/2401.12345v2", ArxivId("2401.12345", 2)),
        ("https://arxiv.org/pdf/2401.12345v2.pdf", ArxivId("2401.12345", 2)),
        ("https://arxiv.org/pdf/2401.12345", ArxivId("2401.12345")),
        ("https://export.arxiv.org/abs/2401.12345?context=cs", ArxivId("2401.12345")),
        ("arxiv.org/html/2401.12345v1", ArxivId("2401.12345", 1)),
        ("https://huggingface.co/papers/2606.00467", ArxivId("2606.00467")),
        ("oai:arXiv.org:2604.21935v1", ArxivId("2604.21935", 1)),
        ("hep-th/9901001", ArxivId("hep-th/9901001")),
        ("hep-th/9901001v2", ArxivId("hep-th/9901001", 2)),
        ("http://arxiv.org/abs/astro-ph/0601001v1", ArxivId("astro-ph/0601001", 1)),
        ("https://arxiv.org/abs/quant-ph/0201082v1", ArxivId("quant-ph/0201082", 1)),
        ("oai:arXiv.org:cond-mat/0102536", ArxivId("cond-mat/0102536")),
        # The subject class is not part of an old-style identifier.
        ("math.GT/0309136", ArxivId("math/0309136")),
        ("  2401.12345  ", ArxivId("2401.12345")),
    ],
)
def test_reads_every_id_form(text: str, expected: ArxivId) -> None:
    assert parse_arxiv_id(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "hello",
        "1234.12345",  # month 34
        "2401.1234",  # four digits after 2015
        "0704.00001",  # five digits before 2015
        "2413.12345",
        "2401.123456",
        "2401.12345v0",
        "x2401.12345",
        "2401.12345 and more",
        "https://example.org/abs/2401.12345",
        "9901001",
        "hep-th9901001",
    ],
)
def test_rejects_what_is_not_an_id(text: str) -> None:
    assert parse_arxiv_id(text) is None


def test_version_is_kept_apart_and_printed_back() -> None:
    aid = parse_arxiv_id("arXiv:hep-th/9901001v2")
    assert aid is not None
    assert (aid.id, aid.version, str(aid)) == ("hep-th/9901001", 2, "hep-th/9901001v2")


def test_finds_ids_in_free_text_once_each() -> None:
    text = (
        "see arXiv:2401.12345v2, https://arxiv.org/abs/hep-th/9901001 and also 2401.12345; "
        "not v1.2401.12345 nor 1234.12345"
    )
    assert find_arxiv_ids(text) == [ArxivId("2401.12345", 2), ArxivId("hep-th/9901001")]
