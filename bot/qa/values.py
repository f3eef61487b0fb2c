"""The value a question asks for by name, read off a sentence: a setting ("What learning rate?"
-> "3e-5"), a score ("What is the WER of X?" -> X's figure), or a symbol's value ("What is the
value of k?" of "$k=8$"; "\\lambda = 10^{-3}" -> "10^-3"), in words or in TeX.
"""

from __future__ import annotations

import re

from bot.qa.names import FOR_NAME, NAME, a_measure, capitals, names_asked, owner
from bot.qa.passages import labelled_rows
from bot.qa.qualifiers import qualified
from bot.qa.sentences import BEST_ASKED, METRICS, stems

_SETTINGS = (
    r"\b(?:learning rate|batch size|dropout(?: rate)?|weight decay|warm-?up(?: steps)?|"
    r"temperature|beam (?:size|width)|(?:sequence|context) length|hidden size|momentum|top-[pk])\b"
)
_VALUE_ASKED = re.compile(
    rf"^\s*(?:what|which)\b[^?]*?({_SETTINGS}|{METRICS})"
    r"(?=\s*(?:\?|$|\b(?:of|for|on|in|with|during|at|when|does|do|did|is|was|are|they|it)\b))",
    re.IGNORECASE,
)
# A number as papers write one: 0.1, 3e-5, 81.4%, and in TeX 10^{-3} or 3 \times 10^{-4}
_TEN = r"10\s*\^\s*\{?\s*[-−]?\s*\d+\s*\}?"
_AMOUNT = (
    rf"(?:(?:\d{{1,3}}(?:,\d{{3}})+|\d+(?:\.\d+)?)(?:\s*(?:\\times|\\cdot|×|·)\s*{_TEN}|e-?\d+)?"
    rf"|{_TEN})"
)  # 0.1, 3e-5, 2,048, 10^{-3}, 3 \times 10^{-4}
_VALUE = rf"({_AMOUNT}%?)(?!\w|\.\d|\s*\^)"
# "learning rate $\eta = 10^{-3}$": the setting's symbol, between its name and its value
_NAMED_SYMBOL = r"(?:\(?\$?\\?[A-Za-z]{1,3}\$?\)?\s*(?==))?"
_VALUE_AFTER = re.compile(
    r"\s*(?:\(\w+\)\s*)?(?:of\s+(?=\$))?"
    + _NAMED_SYMBOL
    + r"(?:(?:is |was )?(?:set to|of|=|:|at|to|is|was)\s*)?"
    r"(?:about |around |approximately |~)?\$?\s*" + _VALUE,
    re.IGNORECASE,
)
_VALUE_NAMES = re.compile(rf"{_SETTINGS}|{METRICS}", re.IGNORECASE)
_VALUE_BEFORE = re.compile(r"(?<![\w.])" + _VALUE + r"\s*(?:[\w-]+\s+)?$")
# The symbols papers write for a setting: "$lr = 10^{-3}$" answers "What learning rate?"
_SYMBOLS_OF = {"learning": ("lr",)}

_GREEK = [
    "alpha",
    "beta",
    "gamma",
    "delta",
    "epsilon",
    "zeta",
    "eta",
    "theta",
    "iota",
    "kappa",
    "lambda",
    "mu",
    "nu",
    "xi",
    "pi",
    "rho",
    "sigma",
    "tau",
    "phi",
    "chi",
    "psi",
    "omega",
]
_GREEK_LETTERS = "αβγδεζηθικλμνξπρστφχψω"
_SYMBOL = r"\$?(\\?[A-Za-z]{1,8}|[α-ω])\$?"
_SYMBOL_ASKED = re.compile(
    rf"\b(?i:values? of (?:the )?(?:(?:hyper)?parameters? )?){_SYMBOL}(?![\w-])"
    rf"|^\s*(?i:what (?:is|was) (?:the )?){_SYMBOL}(?i:\s+(?:set to|used|chosen))?\s*\??\s*$"
    rf"|^\s*(?i:what ){_SYMBOL} (?i:do|does|did|is|was)\b",
)


def _symbol_asked(question: str) -> str | None:
    """The symbol the question asks the value of: "value of k", "What is λ?", "What k do
    they use?" (a word as short as a symbol: "What is it?" asks nothing of the kind)."""
    asked = _SYMBOL_ASKED.search(question)
    if asked is None:
        return None
    symbol = next(group for group in asked.groups() if group)
    plain = symbol.lstrip("\\").lower()
    if asked[1] is None and len(plain) > 2 and plain not in _GREEK:
        return None  # "What is RevIN?" asks what it is, not its value
    if plain in {"it", "a", "an", "the", "this", "that", "they", "he", "she", "we"}:
        return None
    return symbol


def _written(symbol: str) -> re.Pattern[str]:
    """The symbol given a value in a sentence, in words or TeX: "k = 8", "$\\lambda=0.1$",
    "\\mathrm{lr} = 10^{-3}", "λ = 0.1"."""
    plain = symbol.lstrip("\\")
    if plain.lower() in _GREEK:
        letter = _GREEK_LETTERS[_GREEK.index(plain.lower())]
        ways = [re.escape("\\" + plain.lower()), letter]
    elif plain in _GREEK_LETTERS:
        ways = [plain, re.escape("\\" + _GREEK[_GREEK_LETTERS.index(plain)])]
    else:
        ways = [re.escape(plain)]
    wrapped = rf"(?:\\(?:mathrm|text|mathit|operatorname)\{{\s*)?(?:{'|'.join(ways)})\s*\}}?"
    return re.compile(rf"(?<![\w\\]){wrapped}(?![A-Za-z])\s*:?=\s*\$?\s*{_VALUE}")


def _readable(value: str) -> str:
    """ "3 \\times 10^{-4}" -> "3×10^-4"."""
    value = value.replace("\\times", "×").replace("\\cdot", "·").replace("−", "-")
    return re.sub(r"[{}\s]", "", value)


def _symbol_value(symbols: tuple[str, ...], sentence: str) -> str | None:
    """Every value the sentence gives the symbol ("$\\beta=2.0$ for locomotion and
    $\\beta=0.5$ for AntMaze" -> "2.0, 0.5"), a few at most."""
    for symbol in symbols:
        said = [
            m
            for m in _written(symbol).finditer(sentence)
            if not _TRIED.search(sentence, 0, m.start())
        ]
        if values := list(dict.fromkeys(_readable(m[1]) for m in said)):
            return ", ".join(values[:3])
    return None


# A value tried rather than used: "Setting $\lambda = 1.0$ degrades training", "if k = 4"
_TRIED = re.compile(
    r"\b(?:setting|if|when|increasing|decreasing|raising|lowering|varying|with a larger|"
    r"with a smaller)\s+(?:\S+\s+){0,2}\S*$",
    re.IGNORECASE,
)


_SETTING_ASKED = re.compile(rf"^\s*(?:what|which)\b[^?]*?({_SETTINGS})", re.IGNORECASE)


def setting_asked(question: str) -> re.Pattern[str] | None:
    """What a sentence must say to give the setting the question asks for: its name ("batch
    size") or a symbol papers write for it ("lr"); None when no setting is asked."""
    asked = _SETTING_ASKED.search(question)
    if asked is None:
        return None
    words = asked[1].split()
    name = r"\s*".join(re.escape(w) for w in words)
    symbols = _SYMBOLS_OF.get(words[0].lower(), ())
    # "beam size" said "a beam of 4"
    head = [rf"\b{re.escape(words[0])}\s+of\s+\$?\d"] if len(words) > 1 else []
    return re.compile("|".join([name, *head, *(rf"\b{s}\b" for s in symbols)]), re.IGNORECASE)


def asks_value(question: str) -> bool:
    """Whether the question asks a setting's, a score's or a symbol's value."""
    return bool(_VALUE_ASKED.search(question) or _symbol_asked(question))


def value_asked(question: str, sentence: str) -> str | None:
    """The value of the setting, score or symbol the question names, in `sentence` ("a
    learning rate of 3e-5", "81.4% top-1 accuracy", "$k=8$"); of the name the question asks
    about where several."""
    asked = _VALUE_ASKED.search(question)
    # "What is the mIoU of EATA on snow?" of rows "Method: EATA | ... | Snow: 54.1": the cell
    if (
        " | " in sentence
        and _CELL_ASKED.match(question)
        and (cell := _labelled_cell(question, sentence))
    ):
        return cell
    if asked is None:
        symbol = _symbol_asked(question)
        return _symbol_value((symbol,), sentence) if symbol else None
    # "Which dropout rate?" of "Dropout is set to 0.1": the setting by its first word
    first = asked[1].split()[0].lower()
    found: list[tuple[int, str]] = []
    # "What is the actor learning rate?" of "The actor learning rate is 1e-4 and the critic
    # learning rate is 3e-4": the setting of the word before its name
    whose = _word_before(question, asked.start(1))
    said_of = [_word_before(sentence, m.start()) for m in _VALUE_NAMES.finditer(sentence)]
    for said in _VALUE_NAMES.finditer(sentence):
        if said[0].split()[0].lower() != first:
            continue
        if whose and whose in said_of and _word_before(sentence, said.start()) != whose:
            continue
        if after := _VALUE_AFTER.match(sentence, said.end()):
            found.append((after.start(1), _readable(after[1])))
        elif before := _VALUE_BEFORE.search(sentence, max(0, said.start() - 24), said.start()):
            found.append((before.start(1), _readable(before[1])))
    names = names_asked(question) - {w.lower() for w in asked[1].split()}
    if not found and " " in asked[1]:  # "What beam size?" of "a beam of 4"
        head = re.search(rf"\b{re.escape(first)}\s+of\s+\$?\s*{_VALUE}", sentence, re.I)
        found = [(head.start(1), _readable(head[1]))] if head else []
    if not found:
        if names and (row := _in_row(first, names, sentence)):
            return row
        return _symbol_value(_SYMBOLS_OF.get(first, ()), sentence)
    # "What is the MAE on QM9?": QM9 must be in the sentence (not an ablation's "gap MAE")
    phrase = set(stems(asked[1])) | _JUDGING  # "the best F1" is an F1
    if not set(stems(question)) - phrase <= set(stems(sentence)):
        return None
    if not names:  # "a learning rate of 1e-4 for the gate and 3e-5 for the reader"
        return _for_qualifier(question, sentence, found) or ", ".join(
            list(dict.fromkeys(value for _, value in found))[:3]
        )
    # "the top-1 accuracy of TokenFold" is not a figure said of something else; nor is a
    # measure's name ("model: X | MAE: 0.3") what it is said of
    capitalised = [m for m in capitals(sentence) if not _VALUE_NAMES.fullmatch(m[0])]
    return next((value for at, value in found if owner(capitalised, at) in names), None)


def _for_qualifier(question: str, sentence: str, found: list[tuple[int, str]]) -> str | None:
    """ "What learning rate for fine-tuning?" of "The learning rate is 3e-4 for pre-training
    and 1e-5 for fine-tuning": of the values from the setting's first on, the one stated with
    the question's qualifier, where one is."""
    later = [(m.start(1), _readable(m[1])) for m in _LATER.finditer(sentence, found[0][0] + 1)]
    values = found[:1] + [v for v in later if v[0] > found[0][0]]
    fits = qualified(question, sentence, [at for at, _ in values])
    best = max(fits)
    return (
        next(value for (_, value), fit in zip(values, fits, strict=True) if fit == best)
        if best
        else None
    )


_LATER = re.compile(r"(?<![\w.^{-])" + _VALUE)


def _word_before(text: str, at: int) -> str:
    """The content word just before `at` ("actor" in "the actor learning rate"), stemmed."""
    word = re.search(r"([\w-]+)\s*$", text[max(0, at - 40) : at])
    found = stems(word[1]) if word else []
    return found[-1] if found else ""


# A table's short headers, in the words a question uses: "Acc." is the accuracy asked about
_SHORT_HEADERS = {
    "acc": "accuracy",
    "prec": "precision",
    "rec": "recall",
    "params": "parameters",
    "param": "parameters",
    "thpt": "throughput",
    "lat": "latency",
    "mem": "memory",
    "avg": "average",
    "perf": "performance",
}


def _header(header: str) -> set[str]:
    """A column header's words (stemmed), its short forms read as their words too."""
    words = re.findall(r"[a-z]+", header.lower())
    return set(stems(header)) | set(stems(" ".join(_SHORT_HEADERS.get(w, "") for w in words)))


_WHAT = re.compile(r"^\s*(?:what|which)\b", re.IGNORECASE)  # asks a value, not a change
_CELL_ASKED = re.compile(r"^\s*(?:what|which|how many)\b", re.IGNORECASE)
_JUDGING = frozenset(stems("best highest top lowest reported final overall average"))


def _labelled_cell(question: str, sentence: str) -> str | None:
    """ "What is CEQ's AntMaze score?" of "method: CEQ | AntMaze avg: 61.0": the cell in the
    row of the name asked, under the column whose words the question uses; of rows with two
    labels ("Variable: T850 | Model: GraphCast | Day 5: 1.41"), the one whose other labels the
    question says too."""
    names = names_asked(question)
    asked = set(stems(question))
    best: tuple[int, int, int] = (0, 0, 0)
    found = None
    for row in labelled_rows(sentence):
        labels = [cell for _, cell in row if cell and not _CELL_VALUE.match(cell)]
        said = set(stems(" ".join(labels)))
        told = len(said & asked)
        if not names & {label.lower() for label in labels}:
            # or the name is a column's ("Metric: Total parameters | PolyRoute: 142M"): the
            # row whose labels the question says
            cells = [c for h, c in row if h.lower() in names and _CELL_VALUE.match(c)]
            if told and cells and (told, 1, 0) > best:
                best, found = (told, 1, 0), cells[0]
            continue
        for at, (header, cell) in enumerate(row):
            # the column that says most of the question ("ClaimSum AUC", not "ClaimSum BAcc")
            fit = len((_header(header) - said) & asked) if header and _CELL_VALUE.match(cell) else 0
            if fit and (told, fit, -at) > best:
                best, found = (told, fit, -at), cell
    return found


def _named_rows(text: str) -> list[tuple[str, dict[str, tuple[float, str]]]]:
    """A table's rows, each by its name (its first cell that is no figure) with its figures by
    column: ("CEQ", {"AntMaze avg": (61.0, "61.0")})."""
    named = []
    for row in labelled_rows(text):
        name = next((cell for _, cell in row if cell and not _CELL_VALUE.match(cell)), "")
        figures = {h: (_amount(f), c) for h, c in row if h and (f := _CELL_VALUE.match(c))}
        if name:
            named.append((name, figures))
    return named


# A table written as plain text rows (from a PDF): "Model MAE RMSE TideNet 0.301 0.412 ..."
_HEADER = re.compile(rf"(?:(?:{METRICS})(?:\s*\|\s*|\s+)){{1,12}}(?:{METRICS})\b", re.IGNORECASE)
_CELL = re.compile(r"\s+(\d+(?:\.\d+)?%?)(?![\w.])")


def _in_row(first: str, names: set[str], sentence: str) -> str | None:
    """The figure in the asked name's row, under the column of the asked measure, where each
    row gives one figure per measure of the header."""
    for header in _HEADER.finditer(sentence):
        columns = [m[0].split()[0].lower() for m in _VALUE_NAMES.finditer(header[0])]
        if first not in columns:
            continue
        for name in capitals(sentence[header.end() :]):
            if name[0].lower() not in names:
                continue
            cells: list[str] = []
            at = header.end() + name.end()
            while len(cells) < len(columns) and (cell := _CELL.match(sentence, at)):
                cells.append(cell[1])
                at = cell.end()
            if len(cells) == len(columns) and not _CELL.match(sentence, at):
                return cells[columns.index(first)]
    return None


# "Which model performs best?": of the names a sentence gives figures of, the best by one measure
_BEST_ASKED = re.compile(BEST_ASKED, re.IGNORECASE)
_SCORE = re.compile(r"(?<![\w.])(\d+(?:\.\d+)?)(%?)\s*([A-Za-z][\w@-]*)?")
_FIGURE_WORDS = frozenset({"and", "or", "while", "whereas", "but", "on", "in", "for", "with"})


def best_of(question: str, sentence: str, caption: str = "") -> str | None:
    """ "XLM-R Large (61.3 F1, against 52.0 for mBERT)" for "Which model performs best?" of a
    sentence that gives two names' figures in one measure; the lowest for an error measure."""
    if not _BEST_ASKED.search(question):
        return None
    if " | " in sentence:  # a table's rows, each cell after its column's header
        # "Table 1: WER (%) on FLEURS": the caption says what a bare column measures
        caption = f"{caption} {sentence[: sentence.find(' | ')]}"
        return _best_in_rows(question, sentence, _lower_said(caption))
    # "MAE" is the measure, not what it measures, and so is "a CA of 81.2%"; the name asked
    # about is what is measured on ("the HOMO target"), not a candidate ("the HOMO-LUMO gap")
    asked = names_asked(question)
    named = [
        (m.end(), " ".join(m[0].split()))
        for m in NAME.finditer(sentence)
        if not _VALUE_NAMES.fullmatch(m[0])
        and not a_measure(sentence, m.start(), m.end())
        and not any(a in m[0].lower() for a in asked)
    ]
    by_measure: dict[str, dict[str, tuple[float, str]]] = {}
    speed = bool(_SPEED_ASKED.search(question))
    for score in _SCORE.finditer(sentence):
        unit = score[3] if score[3] and score[3].lower() not in _FIGURE_WORDS else ""
        measure = "%" if score[2] else unit
        # "13.7 meV for PaiNN": said of the name after it; else of the name last named
        after = FOR_NAME.match(sentence, score.end())
        said_of = (
            after[1]
            if after
            else next((n for end, n in reversed(named) if end <= score.start()), None)
        )
        if said_of is None or not measure or said_of.lower() == measure.lower():
            continue
        if speed and not _TIME_UNIT.match(measure):  # "the fastest" is read in times, not in %
            continue
        if _DIFFERENCE.match(sentence, score.end()):  # "0.4 s longer" is a gap, not a time
            continue
        by_measure.setdefault(measure, {}).setdefault(
            said_of, (float(score[1]), score[1] + score[2])
        )
    errors = [m[0] for m in _VALUE_NAMES.finditer(sentence)]
    lower = bool(errors) and all(map(_less_is_better, errors))
    for measure, figures in by_measure.items():
        if len(figures) >= 2:
            said = "{}" if measure == "%" else f"{{}} {measure}"
            return _ranked(figures, lower or _less_is_better(measure), said)
    return None


def _ranked(figures: dict[str, tuple[float, str]], least: bool, said: str) -> str:
    """The best name with its figure (written by `said`), against the next few."""
    ranked = sorted(figures.items(), key=lambda item: item[1][0], reverse=not least)
    (best, (_, shown)), rest = ranked[0], ranked[1:]
    against = ", ".join(f"{figure} for {name}" for name, (_, figure) in rest[:3])
    return f"{best} ({said.format(shown)}, against {against})"


def _best_in_a_row(question: str, sentence: str, lower: bool = False) -> str | None:
    """ "CoVE (AntMaze avg (6): 71.3, against 63.4 for IQL ...)" for "Which method is best on
    AntMaze?" of rows "Domain: AntMaze avg (6) | BC: 20.6 | ... | CoVE: 71.3": the row the
    question names, its best cell by column."""
    asked = set(stems(question))
    rows = [(len(set(stems(name)) & asked), name, cells) for name, cells in _named_rows(sentence)]
    fit, name, cells = max(rows, key=lambda row: row[0], default=(0, "", {}))
    if not fit or len(cells) < 2:
        return None
    least = _less_is_better(name) or bool(_FEWEST.search(question)) or lower
    return _ranked(cells, least, f"{name}: {{}}")


_CELL_VALUE = re.compile(r"^(\d+(?:\.\d+)?)(%|[KMB])?$")  # 61.0, 18%, 8.7M
_SCALE = {"K": 1e3, "M": 1e6, "B": 1e9}


def _amount(cell: re.Match[str]) -> float:
    return float(cell[1]) * _SCALE.get(cell[2] or "", 1.0)


_FEWEST = re.compile(r"\b(lowest|smallest|least|fewest|cheapest|shortest)\b", re.I)
_SPEED_ASKED = re.compile(r"\b(fastest|quickest|slowest)\b", re.I)
_DIFFERENCE = re.compile(
    r"\s*(?:[A-Za-z]{1,4}\s+)?(?:longer|shorter|more|less|fewer|faster|slower|higher|lower|"
    r"better|worse|above|below)\b",
    re.IGNORECASE,
)
_TIME_UNIT = re.compile(r"^(?:ms|s|sec|seconds?|minutes?|min|hours?|h)$", re.IGNORECASE)
_SPEED = re.compile(r"\b(latency|ms|time|throughput|speed)\b|/s\b", re.I)
# Measures where less is better: an error, a loss, a time, memory
_LESS_IS_BETTER = re.compile(
    r"\b(?:error|loss|perplexity|ppl|wer|cer|ter|mae|mse|rmse|fid|ece|latency|time|memory|gb|"
    r"ms|s|sec|seconds?|minutes?|min|hours?|h)\b",
    re.IGNORECASE,
)
_RATE = re.compile(r"throughput|/s\b|\bper (?:second|sec)\b", re.IGNORECASE)


_LOWER_SAID = re.compile(r"\blower (?:is|=) better\b|\bthe lower the better\b|↓", re.I)
_HIGHER_SAID = re.compile(r"\bhigher (?:is|=) better\b|\bthe higher the better\b|↑", re.I)


def _lower_said(caption: str) -> bool:
    """Whether a table's caption says its figures are better lower: in so many words, or by
    naming an error or a time and no score ("WER (%) on FLEURS test sets")."""
    if _HIGHER_SAID.search(caption):
        return False
    if _LOWER_SAID.search(caption):
        return True
    scores = [m[0] for m in _VALUE_NAMES.finditer(caption) if not _less_is_better(m[0])]
    return _less_is_better(caption) and not scores


def _less_is_better(measure: str) -> bool:
    """An error, a loss, a time or memory; not a rate ("throughput (im/s)")."""
    return bool(_LESS_IS_BETTER.search(measure)) and not _RATE.search(measure)


def _best_in_rows(question: str, sentence: str, lower: bool = False) -> str | None:
    """ "IQL (AntMaze avg: 63.4, against 61.0 for CEQ)" for "Which method is best on
    AntMaze?" of rows "method: CEQ | AntMaze avg: 61.0; method: IQL | AntMaze avg: 63.4": the
    column the question names (else the only one), its best figure."""
    columns: dict[str, dict[str, tuple[float, str]]] = {}
    for name, figures in _named_rows(sentence):
        for header, figure in figures.items():
            columns.setdefault(header, {}).setdefault(name, figure)
    asked = set(stems(question))
    if _SPEED_ASKED.search(question):  # "fastest" names no column: the one of time or speed
        named = [h for h in columns if _SPEED.search(h)]
    else:
        # the column that says most of the question ("ClaimSum AUC", not "ClaimSum BAcc")
        named = sorted(
            (h for h in columns if _header(h) & asked),
            key=lambda h: len(_header(h) & asked),
            reverse=True,
        )
    column = named[0] if named else next(iter(columns)) if len(columns) == 1 else None
    if column is None:  # "Which method is best on AntMaze?" of a row per domain, a column each
        return _best_in_a_row(question, sentence, lower)
    if len(columns[column]) < 2:
        return None
    # "the lowest AntMaze score", "the fewest parameters"
    least = _less_is_better(column) or bool(_FEWEST.search(question) and not _SPEED.search(column))
    least = least or (lower and not _VALUE_NAMES.search(column))  # a bare column ("Swahili")
    return _ranked(columns[column], least, f"{column}: {{}}")
