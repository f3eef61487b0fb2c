"""A paper's text as paragraph-level passages with their section titles."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import zip_longest

from lxml import html as lxml_html

from bot.text import squash


@dataclass(frozen=True, slots=True)
class Passage:
    index: int  # position in the paper, for neighbours and citation order
    section: str  # "3.2 Training data"; "Abstract"; "Figure 2" for captions
    text: str


def from_sections(sections: Iterable[tuple[str, Iterable[str]]]) -> list[Passage]:
    """Passages from (section title, paragraphs) pairs, in order; empty paragraphs dropped."""
    out: list[Passage] = []
    for title, paragraphs in sections:
        for paragraph in paragraphs:
            text = squash(paragraph)
            if text:
                out.append(Passage(len(out), squash(title) or "", text))
    return out


def labelled_row(header: Sequence[str], row: Sequence[str]) -> str:
    """A table row as text a reader can quote: each cell after its column's header
    ("model: MaskAlign | AP: 41.2"); empty cells left out."""
    cells = zip_longest(header, row, fillvalue="")
    return " | ".join(f"{h}: {c}" if h else c for h, c in cells if c)


def labelled_rows(text: str) -> list[list[tuple[str, str]]]:
    """A table's rows as `labelled_row` wrote them and `_table` joined them ("; "), each as its
    (header, cell) pairs; "" for a cell without a header."""
    rows = []
    for row in text.split("; "):
        cells = [cell.strip().partition(": ") for cell in row.split(" | ")]
        rows.append([(h, c.strip()) if sep else ("", h) for h, sep, c in cells])
    return rows


def _replace(element: lxml_html.HtmlElement, text: str) -> None:
    parent = element.getparent()
    if parent is None:  # inside something already replaced
        return
    span = lxml_html.Element("span")
    span.text, span.tail = text, element.tail
    parent.replace(element, span)


def _table(table: lxml_html.HtmlElement) -> str:
    def cells(row: lxml_html.HtmlElement) -> list[str]:
        return [squash(cell.text_content()) or "" for cell in row.xpath("./td|./th")]

    heads = table.xpath("./thead/tr")
    header = cells(heads[-1]) if heads else []
    rows = [labelled_row(header, cells(r)) for r in table.xpath("./tbody/tr|./tr")]
    return f" {'; '.join(r for r in rows if r)} "


def _text(element: lxml_html.HtmlElement) -> str:
    # A drawing's labels are not sentences: the node names and edge weights of a graph would
    # read "acbd957531".
    for picture in element.xpath(".//*[local-name()='svg']"):
        _replace(picture, " ")
    # Math keeps its TeX source (alttext) rather than the MathML soup around it.
    for math in element.xpath(".//math"):
        _replace(math, math.get("alttext") or "")
    for table in element.xpath(".//table[contains(@class,'ltx_tabular')]"):
        _replace(table, _table(table))
    return squash(element.text_content()) or ""


def _footnotes(element: lxml_html.HtmlElement) -> list[str]:
    """Takes the footnotes out of `element` (LaTeXML writes them inline, where their mark and
    text would run into the sentence: "rule33 3 Technically, ..."), and returns their texts."""
    notes: list[str] = []
    for note in element.xpath(".//*[contains(@class,'ltx_note ')]"):
        if note.getparent() is None:  # inside a note already taken out
            continue
        for mark in note.xpath(
            ".//*[contains(@class,'ltx_note_mark') or contains(@class,'ltx_tag_note')]"
        ):
            mark.drop_tree()
        content = note.xpath(".//*[contains(@class,'ltx_note_content')]")
        text = _text(content[0]) if content else ""
        if text:
            notes.append(text)
        note.drop_tree()  # keeps the text after it
    return notes


def _paragraphs(elements: list[lxml_html.HtmlElement]) -> list[str]:
    """Each paragraph's text, its footnotes as paragraphs of their own after it."""
    out: list[str] = []
    for element in elements:
        notes = _footnotes(element)
        out += [_text(element), *notes]
    return out


def from_latexml(body: bytes) -> list[Passage]:
    """Passages of an arXiv HTML (LaTeXML) page: abstract, section paragraphs (each footnote a
    paragraph of its own after the one that marks it), tables where they stand (caption and
    rows), figure captions; the bibliography is left out. Selects on `ltx_*` classes only
    (arXiv's wrappers around them change)."""
    root = lxml_html.fromstring(body)
    sections: list[tuple[str, list[str]]] = []
    abstract = root.xpath("//div[contains(@class,'ltx_abstract')]//p")
    if abstract:
        sections.append(("Abstract", _paragraphs(abstract)))
    for section in root.xpath(
        "//section[contains(@class,'ltx_section') or contains(@class,'ltx_appendix')]"
    ):
        heading = section.xpath("./h2|./h3")
        title = _text(heading[0]) if heading else ""
        for sub in [section, *section.xpath(".//section[contains(@class,'ltx_subsection')]")]:
            sub_heading = sub.xpath("./h3|./h4") if sub is not section else []
            name = f"{title} › {_text(sub_heading[0])}" if sub_heading else title
            # a results table is a passage where it stands, its caption and rows together
            own = sub.xpath(
                "./div[contains(@class,'ltx_para')]|./div/div[contains(@class,'ltx_para')]"
                "|./figure[contains(@class,'ltx_table')]|./div/figure[contains(@class,'ltx_table')]"
            )
            sections.append((name, _paragraphs(own)))
    captions = root.xpath(
        "//figcaption[contains(@class,'ltx_caption')]"
        "[not(ancestor::figure[contains(@class,'ltx_table')])]"
    )
    if captions:
        sections.append(("Figures and tables", [_text(c) for c in captions]))
    return from_sections(sections)
