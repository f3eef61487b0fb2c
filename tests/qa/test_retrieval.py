from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.qa.acronyms import defined, other_forms
from bot.qa.passages import from_latexml, from_sections, labelled_row, labelled_rows
from bot.qa.retrieve import Retriever

PAPER = from_sections(
    [
        ("Introduction", ["We study sparse attention for long documents.", ""]),
        (
            "Data",
            [
                "We train on the PubMed corpus of 2 million abstracts.",
                "Documents are split into chunks.",
            ],
        ),
        ("Results", ["Sparse attention halves memory use.", "Accuracy drops by 0.3 points."]),
    ]
)


def test_sections_give_ordered_passages_without_blanks() -> None:
    assert [(p.index, p.section) for p in PAPER] == [
        (0, "Introduction"),
        (1, "Data"),
        (2, "Data"),
        (3, "Results"),
        (4, "Results"),
    ]


def test_retriever_finds_the_answering_paragraph() -> None:
    retriever = Retriever(PAPER)
    assert retriever.top("What corpus do they train on?", 1)[0].passage.text.startswith(
        "We train on the PubMed"
    )
    assert retriever.top("how much memory is saved", 1)[0].passage.index == 3  # "memory" in Results
    assert retriever.top("what are the the of", 3) == []  # stop words only: nothing, not noise
    assert Retriever([]).top("anything") == []


def test_a_questions_kind_finds_answers_written_in_other_words() -> None:
    paper = from_sections(
        [
            ("Introduction", ["Large corpora of clinical notes are hard to share."]),
            ("Data", ["The resulting collection contains 17,833 annotated sentences in total."]),
            ("Related Work", ["Prior corpora of clinical notes were small."]),
        ]
    )
    question = "How big is the corpus of clinical notes?"
    assert Retriever(paper, expand=0.0).top(question, 1)[0].passage.section != "Data"
    assert Retriever(paper).top(question, 1)[0].passage.section == "Data"


def test_peripheral_sections_count_for_less() -> None:
    paper = from_sections(
        [
            ("Related Work", ["Graph attention networks were applied to molecules before."]),
            ("4 Method", ["Our model applies graph attention networks to proteins."]),
        ]
    )
    question = "Do they apply graph attention networks?"
    assert Retriever(paper, peripheral=1.0).top(question, 1)[0].passage.section == "Related Work"
    assert Retriever(paper).top(question, 1)[0].passage.section == "4 Method"


ACRONYMS = from_sections(
    [
        ("Abstract", ["We train provers for Lean with reinforcement learning (RL)."]),
        ("2 Background", ["Provers search for proofs step by step."]),
        ("3 Method", ["Reinforcement learning rewards each step the checker accepts."]),
        ("4 Results", ["Our RL prover closes 41% of the problems."]),
    ]
)


def test_an_acronym_the_paper_defines_is_read_as_its_long_form_too() -> None:
    """ "RL" finds the passage that says "reinforcement learning", and the other way round."""
    method = 2
    found = [f.passage.index for f in Retriever(ACRONYMS).top("Tell me about RL", 5)]
    assert method in found
    bare = [f.passage.index for f in Retriever(ACRONYMS, acronyms=False).top("Tell me about RL", 5)]
    assert method not in bare
    long = [f.passage.index for f in Retriever(ACRONYMS).top("reinforcement learning", 5)]
    assert 3 in long  # "Our RL prover closes 41% ..."


def test_acronyms_are_read_with_their_long_forms() -> None:
    found = defined(
        [
            "We study large language models (LLMs) with reinforcement learning (RL) and "
            "Bidirectional Encoder Representations from Transformers (BERT), as the Department "
            "of Energy (DOE) asks, with a pre-trained language model (PTLM); see Table (A1) "
            "and the results (Fig. 2) of the (ABC) group."
        ]
    )
    assert found == {
        "LLMs": "large language models",
        "RL": "reinforcement learning",
        "BERT": "Bidirectional Encoder Representations from Transformers",
        "DOE": "Department of Energy",
        "PTLM": "pre-trained language model",
    }
    assert other_forms("How are llms trained?", found) == [("LLMs", "large language models")]
    assert other_forms("Is it reinforcement  learning?", found) == [
        ("reinforcement learning", "RL")
    ]
    assert other_forms("Is the URL given?", found) == []  # "rl" inside a word


@given(st.text(max_size=300))
def test_any_text_gives_acronyms_that_its_words_spell(text: str) -> None:
    for short, long in defined([text]).items():
        assert f"({short})" in text
        assert long.split()[0] in text


_CELL_TEXT = st.text(
    st.characters(blacklist_categories=["Cs", "Cc"], blacklist_characters=";|:"), max_size=12
).map(lambda t: " ".join(t.split()))


@given(st.lists(st.tuples(_CELL_TEXT, _CELL_TEXT), min_size=1, max_size=5), st.integers(1, 3))
def test_labelled_rows_read_back_what_labelled_row_wrote(
    cells: list[tuple[str, str]], count: int
) -> None:
    header, row = [h for h, _ in cells], [c for _, c in cells]
    text = "; ".join([labelled_row(header, row)] * count)
    kept = [(h, c) for h, c in cells if c]
    assert all(read == kept for read in labelled_rows(text)) or not kept


def test_latexml_page_becomes_passages(sources_dir: Path) -> None:
    passages = from_latexml(
        (sources_dir / "arxiv_html_latexml_0.8.6_split-cycle_2022.html").read_bytes()
    )
    assert passages[0].section == "Abstract"
    assert passages[0].text.startswith(
        "A number of rules for resolving majority cycles in elections"
    )
    sections = {p.section for p in passages}
    assert "1 Introduction" in sections
    assert not any("Bibliography" in s or "References" in s for s in sections)
    assert len(passages) == 207
    # Footnotes are paragraphs of their own, not run into the sentence that marks them.
    assert not any("rule33" in p.text or "rule3 3" in p.text for p in passages)
    (footnote,) = [p for p in passages if p.text.startswith("Technically, they characterize")]
    assert footnote.section == "1 Introduction"
    assert "2 Preliminaries › 2.2 Split Cycle" in sections  # subsections keep their parent's title
    assert sum(p.section == "Figures and tables" for p in passages) == 6
    # Math keeps its TeX source instead of MathML fragments.
    assert any("\\" in p.text for p in passages)
    # A drawing's node labels are not text; a table's cells are read under their header.
    assert not any("acbd957531" in p.text for p in passages)
    (profile,) = [p.text for p in passages if p.text.startswith("Consider the following anon")]
    assert "1: a | 6: a | 6: c | 4: b | 4: b; 1: d" in profile


def test_latexml_tables_and_drawings_read_as_words() -> None:
    html = b"""<html><body><section class="ltx_section"><h2>5 Results</h2>
    <div class="ltx_para"><p class="ltx_p">MaskAlign wins.
    <svg class="ltx_picture"><g><text>acbd</text><text>957531</text></g></svg>
    <table class="ltx_tabular"><thead><tr><th>model</th><th>AP</th></tr></thead>
    <tbody><tr><td>MaskAlign</td><td>41.2</td></tr><tr><td>DINO</td><td></td></tr></tbody>
    </table> It is the best.</p></div></section></body></html>"""
    assert [p.text for p in from_latexml(html)] == [
        "MaskAlign wins. model: MaskAlign | AP: 41.2; model: DINO It is the best."
    ]


def test_latexml_results_tables_are_passages_where_they_stand() -> None:
    html = b"""<html><body><section class="ltx_section"><h2>5 Results</h2>
    <div class="ltx_para"><p class="ltx_p">Table 1 shows accuracy.</p></div>
    <figure class="ltx_table"><figcaption class="ltx_caption">Table 1: Accuracy on XNLI.
    </figcaption><table class="ltx_tabular"><thead><tr><th>model</th><th>acc</th></tr></thead>
    <tbody><tr><td>mBERT</td><td>66.0</td></tr></tbody></table></figure>
    </section></body></html>"""
    assert [(p.section, p.text) for p in from_latexml(html)] == [
        ("5 Results", "Table 1 shows accuracy."),
        ("5 Results", "Table 1: Accuracy on XNLI. model: mBERT | acc: 66.0"),
    ]


@pytest.mark.parametrize(
    "html", [b"<html><body><p>No LaTeXML here.</p></body></html>", b"<html></html>"]
)
def test_pages_without_latexml_give_no_passages(html: bytes) -> None:
    assert from_latexml(html) == []
