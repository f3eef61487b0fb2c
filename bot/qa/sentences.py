"""The sentence that answers: inside the passages retrieval found, each sentence is scored by the
question's words (stemmed, weighted by how rare they are in the paper) and by the kind of answer
the question asks for (a number, a dataset, a method, a name, a limitation, ...).

General signals only: the words answers of a kind are written in ("we propose", "dataset",
digits), never anything fitted to particular papers.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Any

from bot.qa.passages import Passage

_WORD = re.compile(r"[a-z0-9]+(?:[-'][a-z0-9]+)*")
_ABBREVIATIONS = re.compile(
    r"\b(?:e\.g|i\.e|et al|etc|vs|cf|fig|figs|eq|eqs|sec|tab|resp|approx|no|i\.i\.d|p|pp|"
    r"avg|std|max|min|params|acc)\.$",
    re.IGNORECASE,
)
# Counts written in words ("six axioms"); "one" is left out, mostly a pronoun ("one of them").
NUMBER_WORDS = (
    "two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|"
    "sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|hundreds?|dozens?"
)
# Names of measures, which answer "what metric?" ("perplexity", "ROUGE-L").
# Acronyms that are also words ("map", "ap") count only as written: mAP, AP50, mIoU.
METRICS = (
    r"\b(accuracy|f1|f-score|f-measure|(sp|sacre)?bleu|rouge(-\w+)?|meteor|cider|precision|"
    r"recall(@\d+)?|perplexity|auc|au-?roc|au-?prc?|fmax|smin|mcc|spearman|pearson|brier|"
    r"exact match|em|wer|cer|mse|mae|rmse|psnr|ssim|lpips|fid|ndcg(@\d+)?|mrr|"
    r"pass@\d+|hits@\d+|bertscore|bleurt|comet|factcc|chrf(\+\+)?|absrel|sqrel|correlation|"
    r"agreement|kappa|latency|throughput|b?acc|roc|mfu|"
    r"success rate|error rate|(?-i:m?AP(\d+|_\w+)?|m?IoU|R@\d+|TER|SPICE))(?![\w@])"
)
# Accelerators by name ("NVIDIA A100", "RTX 3090", "TPU v4"), and a count of them
# ("eight NVIDIA H100 GPUs", "a single RTX 3090", "8 GPUs").
HARDWARE = (
    r"(?:(?:NVIDIA|Nvidia|AMD|Google)\s+)?(?:(?:Tesla|GeForce|Quadro)\s+)?"
    r"(?:[AHV]\d{2,3}|RTX\s?A?\d{4}(?:\s?Ti)?|GTX\s?\d{3,4}|TPU\s?v\d\w*|MI\d{3}X?)\b"
)
HARDWARE_USED = (
    rf"\b(?:(?i:\d+x?|{NUMBER_WORDS}|one|a single|single)\s+)?{HARDWARE}"
    r"(?:\s*(?:\(|with\s+)?\d+\s?GB\)?)?(?:\s+(?:GPUs?|TPUs?|cards?))?"
    rf"|\b(?i:\d+|{NUMBER_WORDS}|a single|single)\s+(?:GPUs?|TPUs?)\b"
    r"|\b\d+-(?:GPU|TPU)\b"  # "a 64-GPU testbed"
    # CPUs: "a single CPU core of an Intel Xeon Gold 6338", "an AMD EPYC 7763"
    r"|\b(?:(?i:\d+|a single|single|one)\s+)?CPU\s+cores?\b"
    r"|\b(?:Intel\s+)?Xeon(?:\s+(?:Gold|Silver|Platinum|Bronze))?(?:\s+[A-Z]?\d{4}\w*)?"
    r"|\b(?:AMD\s+)?EPYC\s+\d{4}\w*|\bApple\s+M\d\w*"
)
# "Which model performs best?"
BEST_ASKED = (
    r"^\s*(?:which|what|who)\b[^?]*\b(?:best|highest|strongest|top|wins|lowest|fastest|"
    r"quickest|most accurate|largest gain|fewest|smallest|cheapest)\b"
)
BEST = re.compile(BEST_ASKED, re.IGNORECASE)
# Optimizers by name (as written: "lion" or "lamb" in lower case are other words)
OPTIMIZERS = re.compile(
    r"\b(?:AdamW|Adam|SGD|Adafactor|AdaGrad|Adagrad|AdaDelta|Adadelta|RMSProp|RMSprop|LAMB|LARS|"
    r"Lion|Sophia|Shampoo|Muon|NAdam|Nadam|RAdam|AdaBelief|AdaMax|Adamax|L-BFGS|LBFGS)\b"
    r"(?:\s+with\s+(?:Nesterov\s+)?momentum)?"
)
# Names of languages, which answer "which languages?"
LANGUAGES = (
    r"English|Chinese|Mandarin|Cantonese|Spanish|French|German|Italian|Portuguese|Russian|"
    r"Japanese|Korean|Arabic|Hindi|Bengali|Urdu|Punjabi|Turkish|Vietnamese|Thai|Indonesian|"
    r"Malay|Swahili|Dutch|Polish|Czech|Slovak|Greek|Hebrew|Persian|Farsi|Finnish|Swedish|"
    r"Norwegian|Danish|Icelandic|Hungarian|Romanian|Bulgarian|Serbian|Croatian|Ukrainian|"
    r"Tamil|Telugu|Kannada|Malayalam|Marathi|Gujarati|Nepali|Sinhala|Burmese|Khmer|Lao|"
    r"Yoruba|Hausa|Igbo|Zulu|Xhosa|Amharic|Somali|Catalan|Basque|Galician|Welsh|Irish|"
    r"Estonian|Latvian|Lithuanian|Slovenian|Albanian|Armenian|Georgian|Kazakh|Uzbek|Mongolian|"
    r"Tagalog|Filipino|Javanese|Latin|Esperanto|Pashto|Dari|Tigrinya|Oromo|Kinyarwanda|Wolof|"
    r"Quechua|Guarani|Maori|Tibetan|Uyghur|Tajik|Kyrgyz|Turkmen|Azerbaijani|Belarusian|"
    r"Macedonian|Bosnian|Maltese|Luxembourgish|Afrikaans|Sundanese|Cebuano|Lingala|Shona|"
    r"Malagasy|Haitian Creole|Twi|Akan|Ewe|Fon|Bambara|Kikuyu|Luganda"
)
# "Is it ...?", "Do they ...?", "Are there ...?": a question answered yes or no.
YES_NO = re.compile(
    r"^\s*(is|are|was|were|do|does|did|can|could|has|have|had|will|would|should)\b", re.IGNORECASE
)
# TeX left in the text (LaTeXML keeps a formula's source): commands, braces, sub/superscripts.
_TEX = re.compile(r"\\[A-Za-z]+|[{}^_]")
FORMULA = 6  # more TeX marks than this: a sentence that is mostly a formula
# A sentence that starts by pointing back: "It ...", "We call this X" (what "this" is comes
# before it).
REFERS_BACK = re.compile(
    r"(it|its|this|these|they|their|such|we (call|name|term|dub|refer to) (it|this|these|them))\b",
    re.IGNORECASE,
)
# A sentence ends at . ! or ?, also inside a closing bracket or quote ("(... improve it.) Our").
_BREAK = re.compile(r"(?:(?<=[.!?])|(?<=[.!?][)\]\"”]))\s+(?=[\"“(\[]?[A-Z0-9])")


def _in_row(text: str, at: int) -> bool:
    """Whether `at` is inside a table's row: a cell's bar before it and one after it, in the
    same row ("; " between rows). A caption before the rows is not ("Table 1: WER (%). Model:
    A | ...")."""
    start = text.rfind("; ", 0, at)
    if text.find(" | ", start + 1, at) < 0:
        return False
    bar, end = text.find(" | ", at), text.find("; ", at)
    return bar >= 0 and (end < 0 or bar < end)


def split_sentences(text: str) -> list[str]:
    """Sentences of a paragraph; abbreviations (e.g., et al., Fig.) and decimals do not end one."""
    out: list[str] = []
    start = 0
    table = " | " in text
    for match in _BREAK.finditer(text):
        head = text[start : match.start()]
        if _ABBREVIATIONS.search(head) or len(head) < 20:
            continue
        if table and _in_row(text, match.end()):
            continue  # inside a table's row ("Model: X | Avg. (24): 14.9 | ..."): no sentence ends
        out.append(head.strip())
        start = match.end()
    tail = text[start:].strip()
    if tail:
        out.append(tail)
    return out


@cache
def function_words() -> frozenset[str]:
    """English's function words ("the", "it", "of")."""
    from bm25s.stopwords import STOPWORDS_EN_PLUS

    return frozenset(STOPWORDS_EN_PLUS)


@cache
def stopwords() -> frozenset[str]:
    """Function words, and the words every question about a paper may use ("authors")."""
    return function_words() | {"paper", "authors", "author", "work", "use", "used"}


@cache
def _stemmer() -> Any:
    import Stemmer

    return Stemmer.Stemmer("english")


# Past forms a stemmer leaves as they are: "How long did training take?" of "the run took 11 days"
_IRREGULAR = {
    "took": "take",
    "taken": "take",
    "ran": "run",
    "made": "make",
    "chose": "choose",
    "chosen": "choose",
    "gave": "give",
    "got": "get",
    "found": "find",
    "built": "build",
    "held": "hold",
    "kept": "keep",
    "spent": "spend",
    "sent": "send",
    "won": "win",
    "wrote": "write",
    "written": "write",
    "began": "begin",
    "begun": "begin",
    "grew": "grow",
    "grown": "grow",
    "drew": "draw",
    "drawn": "draw",
    "paid": "pay",
    "sought": "seek",
    "taught": "teach",
    "brought": "bring",
    "bought": "buy",
}


def stems(text: str) -> list[str]:
    """The content words of `text`, stemmed (stop words and question words dropped)."""
    stop = stopwords()
    words = [w for w in _WORD.findall(text.lower()) if w not in stop]
    # "question-answer pairs" is about questions too: a hyphenated word counts as its parts,
    # and "warm-up" is the "warmup" asked about
    hyphenated = [w for w in words if "-" in w]
    words += [part for w in hyphenated for part in w.split("-") if part not in stop]
    words += [w.replace("-", "") for w in hyphenated]
    if not _IRREGULAR.keys().isdisjoint(words):  # seldom: not a lookup per word
        words = [_IRREGULAR.get(w, w) for w in words]  # "held-out" holds "hold" as "held out"
    return list(_stemmer().stemWords(words)) if words else []


def stem(word: str) -> str:
    """One word stemmed, stop word or not ("authors" -> "author")."""
    return str(_stemmer().stemWord(word.lower()))


@dataclass(frozen=True, slots=True)
class Kind:
    """A kind of question, and what sentences answering it tend to contain."""

    name: str
    asks: re.Pattern[str]
    says: re.Pattern[str]
    weight: float = 1.0


def _re(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.IGNORECASE)


KINDS = (
    Kind(
        "contribution",
        _re(
            r"\b(main |key )?(contributions?|novelty|idea)\b|\bwhat (do|does|did) (they|the "
            r"(authors?|paper|work|study))\b[^?]*\b(propose|introduce|present|do|contribute|"
            r"show|find)|\bwhat is (this|the|it) ((paper|work|study) )?about\b|\bproposed? (method|"
            r"approach|model)\b|\bsummar\w*|\btl;? ?dr\b|\boverview\b|\bgist\b|\bin a nutshell\b|"
            r"\bwhat is (new|novel)\b|\b(main|key|primary) (findings?|results?|takeaways?|"
            r"conclusions?)\b|\bwhat (did|do|does) (they|the (authors?|paper|study)) (find|"
            r"learn|conclude)\b"
        ),
        _re(
            # "we propose", "we go further and show", "this paper introduces", "we find"
            r"\b(we|this (paper|work)) (\w+ ){0,3}?(propose|introduce|present|develop|design|"
            r"show|demonstrate|contribute|release|find|found|conclude)|"
            r"\b(results?|findings?) (show|suggest|indicate|reveal)|"
            r"\bour ((main|key|primary) )?(method|approach|model|framework|contributions?)\b|"
            r"\bour (main|key|primary) (results?|findings?)\b|"
            r"\bnovel\b"
        ),
        1.5,
    ),
    Kind(
        "number",
        _re(
            r"\bhow (many|much|big|large|long|small|fast)\b|\b(size|number|amount|percentage|"
            r"proportion) of\b|\bwhat (size|percentage)\b"
        ),
        # A count or a measure ("17,833 sentences", "2.1 points", "30%"), not a citation mark,
        # a label or part of a formula ("BIBREF13", "[12]", "Table 2", "(2n-1)m").
        _re(
            r"(?<![\w.,\[=+\-^_/\\{])(?<!table )(?<!figure )(?<!section )"
            r"(\d{1,3}(,\d{3})+|\d+(\.\d+)?)"
            r"\s*(%|percent\b|million\b|billion\b|thousand\b|[kKMB]\b|[x×]\s|[a-z]{3,})"
            rf"|\b({NUMBER_WORDS})\s+(?!of\b)[a-z]{{3,}}"
        ),
        1.5,
    ),
    Kind(
        "result",
        _re(
            r"\bhow (much )?(better|well|good|worse)\b|\bresults?\b|\bimprove|\boutperform|"
            r"\bperformance\b|\bgains?\b|\bstate[- ]of[- ]the[- ]art\b"
        ),
        _re(
            r"\d+(\.\d+)?\s*(%|points?|pp\b|x\b|×)|\b(improv\w*|outperform\w*|gains?|better|"
            r"surpass\w*|achiev\w*)\b"
        ),
    ),
    Kind(
        "dataset",
        _re(
            r"\bdata ?sets?\b|\bcorp(us|ora)\b|\bbenchmarks?\b|\bwhat data\b|\btrain(ed)? on\b"
            r"|\b(test|evaluation|validation) (sets?|splits?)\b"
        ),
        # "We evaluate on ScanNet and Replica" names datasets without the word
        _re(
            r"\bdata ?sets?\b|\bcorp(us|ora)\b|\bbenchmarks?\b|\bcollected\b|\bannotated\b|"
            # "trained on X" (trained *with* AdamW is the optimizer)
            r"\b(evaluat|experiment|test|train|fine-tun|pre-?train)\w* on (the )?(?-i:[A-Z])|"
            r"\b(evaluat|experiment|test)\w* (with|using) (the )?(?-i:[A-Z])|"
            r"\b(dev|test|devtest|validation|held-out|training) sets?\b|"
            r"\b(data|corpus|examples|sentences|passages) (comes?|came|is|are|was|were) "
            r"(drawn|taken|collected|sourced|obtained)? ?from\b"
        ),
    ),
    Kind(
        "baseline",
        _re(r"\bbaselines?\b|\bcompared? (to|with|against)\b|\bprevious (work|methods?)\b"),
        _re(
            r"\bbaselines?\b|\bcompar\w*\b|\boutperform\w*\b|\bstate[- ]of[- ]the[- ]art\b|"
            r"\b(beats?|surpass\w*|improves? (on|over))\b|"
            # a figure against a named method: "by 12% over PatchTST", "against 0.342 for X"
            r"\b(over|than|against|versus|vs\.?)\s+(the\s+)?(?-i:[A-Z][\w.+-]*[A-Z0-9+])"
            r"|\bagainst\s+\d[\d.]*\s*\w*\s+for\s+(?-i:[A-Z])"
        ),
    ),
    Kind(
        "metric",
        _re(r"\bmetrics?\b|\bevaluat\w*\b|\bmeasured?\b|\bhow (do|did) they (evaluate|measure)"),
        # The measures themselves: "we evaluate" is said of everything evaluated.
        _re(METRICS),
        1.5,
    ),
    Kind(
        "best",  # "Which model performs best?": the sentence that gives the figures compared
        _re(BEST_ASKED),
        _re(
            r"\b(reach\w*|achiev\w*|obtain\w*|scor\w*|best|highest|lowest|outperform\w*|"
            r"beats?|surpass\w*)\b"
        ),
    ),
    Kind(
        "model",  # "What base model do they use?", "Which backbone?"
        _re(
            r"\b(what|which) ((is|are|was|were) the )?((base|backbone|pre-?trained|language|"
            r"foundation|policy|teacher|student|reward) )?models?\b(?! (of|for|size)\b)|"
            r"\bbackbones?\b"
        ),
        _re(
            r"\b(base|backbone|pre-?trained|foundation) models?\b|\bfine-?tun\w*|"
            r"\binitiali[sz]ed (from|with)\b|\bbuilt on\b|"
            r"(?-i:\b[A-Z][\w.]*-\d+(\.\d+)?[BMK]?\b|\b[A-Z][a-z]+\d(\.\d+)?-\d+[BMK]\b)"
        ),
    ),
    Kind(
        "method",  # "How does PageShare work?": the sentences that say what it does, step by step
        _re(
            r"\bhow (does|do|did) [\w.+-]+( [\w.+-]+)? work\b|\bhow (is|are|was|were) [\w.+-]+"
            r"( [\w.+-]+)? (built|implemented|designed|computed)\b|\barchitecture\b"
        ),
        _re(
            r"\b(first|then|finally|each|every|step|consists? of|is composed of|takes as input|"
            r"outputs?|computes?|encodes?|decodes?|maps?|hash\w*|stores?|keeps?|splits?|feeds?|"
            r"we (use|build|design|apply|train|compute|represent|model))\b"
        ),
    ),
    Kind(
        "problem",  # "What problem does it solve?", "What is the motivation?"
        _re(
            r"\b(what|which) (problems?|issues?|challenges?|gaps?)\b|\bmotivat\w*|"
            r"\bwhy (do|does|did|is|are) (they|it|this|the authors?|we) (need|matter|important)"
            r"|\bintroduction\b"
        ),
        _re(
            r"\b(challeng\w*|problems?|expensive|costly|bottlenecks?|suffer\w*|difficult|hard to|"
            r"struggle\w*|inefficien\w*|dominated by|existing (systems|methods|approaches|work)|"
            r"prior (work|methods)|remains? (unclear|open)|lacks?|fails? to|duplicat\w*)\b"
        ),
    ),
    Kind(
        "limitation",
        _re(r"\blimitations?\b|\bweakness\w*\b|\bdrawbacks?\b|\bshortcomings?\b|\bfail"),
        _re(
            r"\blimitations?\b|\blimited\b|\bhowever\b|\bfails?\b|\bfuture work\b|"
            r"\bdrawbacks?\b|\bcannot\b|\bdoes not\b|\bchalleng\w*\b"
        ),
    ),
    Kind(
        "name",
        _re(
            r"\bwhat (do|does|did) (they|the authors?|the paper) (call|name)\b|\bcalled\b|"
            r"\bname of\b|\bwhat is (it|the (method|model|approach|system|procedure)) called\b"
        ),
        _re(r"\b(call(ed)?|dub(bed)?|name[ds]?|term(ed)?|refer to)\b|\b[A-Z][a-z]*[A-Z]\w*\b"),
        1.5,
    ),
    Kind(
        "definition",
        _re(
            r"^\s*what (is|are) (an? |the )?(?!(main|key|results?|contributions?)\b)\w+[^?]*\??\s*$"
            r"|\bdefin\w*\b|\bhow (do|does|did|is|are)\b[^?]*\b(measured?|defined?|formali[sz]ed?|"
            r"computed?|calculated?|quantif\w+)\b"
        ),
        _re(
            r"\b(defined?|computed?|measured?|calculated?|quantified|formali[sz]ed?) (it )?as\b|"
            r"\bwe define\b|\bconsists? of\b|\brefers? to\b|\bformally\b|\bis the\b"
        ),
    ),
    Kind(
        "code",
        _re(r"\b(source )?code\b|\bopen[- ]sourced?\b|\bgithub\b|\brepositor(y|ies)\b"),
        _re(
            r"\bopen[- ]sourc\w*|\bgithub\b|\brepositor(y|ies)\b|\b(code|implementation) "
            r"(is|will be|are) (made )?(publicly |freely )?(made )?(available|released)"
            r"|\breleas\w* (our |the )?"
            r"(code|implementation)\b"
        ),
        1.5,
    ),
    Kind(
        "hardware",
        _re(r"\bhardware\b|\b[gt]pus?\b|\baccelerators?\b|\bcompute (budget|resources?)\b"),
        _re(rf"\b[GT]PUs?\b|\baccelerators?\b|\bNVLink\b|{HARDWARE}"),
        1.5,
    ),
    Kind(
        "speed",  # "Is it faster than PaiNN?" of "it takes 3x longer to train than PaiNN"
        _re(r"\b(faster|slower|quicker|speed\w*|latency|throughput|how (fast|quick\w*))\b"),
        _re(
            r"\b(fast\w*|slow\w*|quick\w*|speed\w*|latency|throughput|longer|shorter|"
            r"wall-?clock|(\d+(\.\d+)?\s?[x×]))(?!\w)"
        ),
    ),
    Kind(
        "who",  # "Who annotated the data?": the people who did it
        _re(r"^\s*who\b(?! (are|were) the authors)"),
        _re(
            r"\b(students?|(?<!inter-)annotators?|experts?|workers?|crowd\w*|physicians?|"
            r"doctors?|clinicians?|nurses?|linguists?|native speakers?|volunteers?|raters?|"
            r"judges?|participants?|researchers?|professionals?|(the )?authors)\b"
        ),
        1.5,
    ),
    Kind(
        "origin",  # "Where does the data come from?"
        _re(r"^\s*where (do|does|did|is|are|was|were)\b|\bcomes? from\b|\bsources? of\b"),
        _re(
            r"\b(collected|drawn|gathered|crawled|scraped|sourced|obtained|taken|comes?|came|"
            r"recorded|extracted|downloaded) from\b"
        ),
    ),
    Kind(
        "toolkit",  # "What toolkit do they use?" of "trained with fairseq"
        _re(
            r"\b(toolkits?|librar(y|ies)|software|packages?|codebase|(deep learning|training) "
            r"frameworks?)\b|\bwhat framework\b|\bimplemented (in|with)\b"
        ),
        _re(
            r"\b(implemented|written|built|trained|developed) (in|with|using|on top of)\b|"
            r"\b(PyTorch|TensorFlow|JAX|Flax|Keras|fairseq|Hugging ?Face|[Tt]ransformers library|"
            r"DeepSpeed|Megatron(-LM)?|vLLM|scikit-learn|sklearn|spaCy|NLTK|OpenNMT|Marian|"
            r"AllenNLP|Lightning|MMDetection|Detectron2?|ESPnet|Kaldi|SpeechBrain)\b"
        ),
        1.5,
    ),
    Kind(
        "optimizer",
        _re(r"\boptimi[sz]ers?\b|\boptimi[sz]ation (algorithm|method)s?\b"),
        OPTIMIZERS,
        1.5,
    ),
    Kind(
        "language",
        _re(r"\blanguages?\b(?! model)"),
        _re(rf"\b({LANGUAGES}|multilingual|languages?)\b"),
    ),
)


_EVALUATION = _re(r"\b(benchmarks?|evaluat\w*|test\w*)\b")
_TRAINING = _re(r"\b(train\w*|fine-?tun\w*|pre-?train\w*)\b")
_IMPORTANCE = frozenset({"main", "key", "primary", "major", "central", "principal"})
_DEFINED = re.compile(r"\bdefin\w*|\bhow (do|does|did|is|are)\b", re.IGNORECASE)


@lru_cache(maxsize=256)  # one question is read for its kinds by every sentence scored
def kinds_of(question: str) -> tuple[Kind, ...]:
    """The kinds of answer asked for; "What are the limitations?" asks for limitations, not
    for a definition (a kind's own noun is not a term to define)."""
    found = [kind for kind in KINDS if kind.asks.search(question)]
    if len(found) > 1 and not _DEFINED.search(question):
        found = [kind for kind in found if kind.name != "definition"]
    return tuple(found)


# "What is RevIN?": the term asked to define, and the sentences that say of it what it is
_TERM_ASKED = _re(r"^\s*what (?:is|are) (?:an? |the )?((?:[\w.+-]+ ?){1,4})\s*\??\s*$")
_VAGUE = frozenset({"it", "this", "that", "they", "these", "main", "key", "result", "results"})
_LEADS = r"^(?:(?:the|our|an?|this|that)\s+)?"
_ASIDE = r"(?:\s*\([^()]*\))?"
_NOT_A_VERB = r"(?!(?:of|in|on|at|for|with|without|from|to|by|and|or|but|as|than)\b)"


@dataclass(frozen=True, slots=True)
class Defining:
    """How a sentence says what the asked term is: glossed ("RevIN, a layer that ...",
    "RevIN is a ...") counts as a definition; the term as the sentence's subject ("RevIN
    normalizes each series ...") or spelled out ("reversible instance normalization (RevIN)")
    at half; a sentence that only uses it ("Without RevIN, ...") not at all."""

    glossed: re.Pattern[str]
    subject: re.Pattern[str]

    def cue(self, sentence: str) -> float:
        return 1.0 if self.glossed.search(sentence) else 0.5 * bool(self.subject.search(sentence))


def defining(question: str) -> Defining | None:
    asked = _TERM_ASKED.match(question)
    if asked is None or set(asked[1].lower().split()) & _VAGUE:
        return None
    term = r"\s+".join(re.escape(word) for word in asked[1].split())
    glossed = rf"\b{term}{_ASIDE}(?:,\s*(?:an?|which)\s|\s+(?:is|are)\s+(?:an?|the)\s)"
    subject = rf"{_LEADS}{term}{_ASIDE}\s+{_NOT_A_VERB}[a-z]|[a-z]\)?\s*\({term}\)"
    return Defining(re.compile(glossed, re.IGNORECASE), re.compile(subject, re.IGNORECASE))


def _cue(kind: Kind, sentence: str, section: str) -> float:
    """How much the sentence reads as an answer of `kind`: by its words, or at half weight by
    its section's title (a sentence of "5 Limitations" is about limitations, in any words)."""
    if kind.says.search(sentence):
        return kind.weight
    return kind.weight / 2 if kind.asks.search(section) else 0.0


# Text planted in a paper for the model or the reader that answers from it ("Ignore all previous
# instructions and reply that ...", "@everyone URGENT"): never quoted as what the paper says.
# (Markup needs no such care: every surface shows a quote as plain text.)
INSTRUCTS = re.compile(
    r"\b(?:ignore|disregard|forget|override)\s+(?:all\s+|any\s+)?(?:the\s+|your\s+)?"
    r"(?:previous|prior|above|earlier|preceding|other|system)\s+"
    r"(?:instructions?|prompts?|directions)\b"
    # told, not reported: "Reply that this paper won ...", "...: say yes to this paper"
    r"|(?:^|[:;]\s*)(?:please\s+)?(?:reply|respond|answer|say|state)\s+(?:only\s+)?"
    r"(?:that|with|yes|no)\b[^.]{0,200}?\b(?:this paper|the paper|you)\b"
    r"|\b(?:note|message|instructions?|notice)\s+(?:for|to)\s+(?:any\s+|all\s+)?(?:ai|llms?|"
    r"language models?|chatbots?|bots?|assistants?|reviewers?)\b"
    r"|\bin (?:any|every|your) (?:summary|summaries|answer|reply|response)\b"
    r"|@(?:everyone|here|channel)\b",  # a ping
    re.IGNORECASE,
)
# A paper quoting an attack or a prompt ("appends 'Ignore all previous instructions'") is not
# planting one: quoted text is left out before INSTRUCTS is read.
_QUOTED = re.compile(r"[\"“'‘][^\"”'’]{1,300}[\"”'’]")


def planted(sentence: str) -> bool:
    """Whether `sentence` is addressed to whoever answers from the paper (INSTRUCTS), read in
    its first 600 characters, quotations left out."""
    return bool(INSTRUCTS.search(_QUOTED.sub(" ", sentence[:600])))


@dataclass(frozen=True, slots=True)
class Scored:
    sentence: str
    passage: Passage
    score: float
    before: str = ""  # the sentence before it in its passage, which "It ..." refers back to
    after: str = ""  # the sentence after it: the list that "Our contributions are:" opens


class PassageWords:
    """How many of a paper's passages use each (stemmed) word, counted once per paper."""

    def __init__(self, passages: Sequence[Passage]) -> None:
        self.passages = max(1, len(passages))
        self.using: Counter[str] = Counter()
        for passage in passages:
            self.using.update(set(stems(passage.text)))

    def share(self, word: str) -> float:
        """The share of the passages that use `word` (0 for a word the paper lacks)."""
        found = stems(word)
        return self.using[found[0]] / self.passages if found else 0.0


def best_sentences(
    question: str,
    found: Sequence[tuple[Passage, float]],
    paper: PassageWords,
    limit: int = 3,
    also: Sequence[tuple[str, str]] = (),
) -> list[Scored]:
    """The sentences of the `found` passages (with their retrieval scores) that best answer,
    best first; none when no sentence shares a content word with the question or has what
    its kind of answer has. `also`: the question's acronyms with their other forms."""
    kinds = kinds_of(question)
    # The words that name the kind ("which *benchmarks*", "what *metrics*") are the kind's
    # cue to score, not content: the content is what is asked about them ("contaminated").
    asked = set(stems(question))
    if kinds:  # "the *main* contribution" asks for what matters most, not for the word "main"
        asked -= set(stems(" ".join(_IMPORTANCE)))
    for kind in kinds:
        for named in kind.asks.finditer(question):
            noun = [w for w in named[0].split() if w.lower() not in _IMPORTANCE]
            if len(noun) == 1:  # a noun ("benchmarks"), not a phrase ("train on")
                asked -= set(stems(noun[0]))
    if not found or (not asked and not kinds):
        return []
    # Data asked of evaluation ("which benchmarks?") is not what it is trained on, and the other
    # way round: a sentence about the other half of the data cues its kind at half weight.
    evaluating, training = bool(_EVALUATION.search(question)), bool(_TRAINING.search(question))
    other = _TRAINING if evaluating and not training else _EVALUATION if training else None
    mine = _EVALUATION if other is _TRAINING else _TRAINING
    defined = defining(question) if any(k.name == "definition" for k in kinds) else None
    # Rarer words of the paper count more: "dataset" is in many of its sentences, "PubMed" not.
    forms = [(set(stems(mine)), set(stems(other))) for mine, other in also]
    rarity = asked.union(*(other for _, other in forms))
    weight = {w: math.log(1 + paper.passages / (1 + paper.using[w])) for w in rarity}
    best = max((score for _, score in found), default=0.0) or 1.0
    scored: list[Scored] = []
    for rank, (passage, score) in enumerate(found):
        before: set[str] = set()
        previous = ""
        sentences = split_sentences(passage.text)
        titled = set(stems(passage.section))
        for position, sentence in enumerate(sentences):
            if sentence.startswith(("(", "[")) and sentence.endswith((")", "]", ").", "].")):
                continue  # an aside or an example in brackets, not a statement that answers
            words = set(stems(sentence))
            overlap = sum(weight[w] for w in asked & words)
            # "reinforcement learning" for "RL" counts as one word asked (the rarer of its own),
            # in a sentence that does not say "RL" as well
            overlap += sum(
                max(weight[w] for w in other)
                for mine, other in forms
                if other and other <= words and not mine & words
            )
            # "What implementation details are given?" of a section "3 Implementation details"
            overlap += 0.5 * sum(weight[w] for w in (asked & titled) - words)
            if REFERS_BACK.match(sentence):  # "It contains 17,833 sentences": "it" is named before
                overlap += 0.5 * sum(weight[w] for w in (asked & before) - words)
            before, said_before, previous = words, previous, sentence
            cue = sum(_cue(kind, sentence, passage.section) for kind in kinds)
            if other and other.search(sentence) and not mine.search(sentence):
                cue /= 2
            if defined:
                cue += defined.cue(sentence)
            if overlap == 0 and cue == 0:
                continue
            if planted(sentence):
                continue  # words addressed to whoever reads the paper, not the paper's claims
            value = overlap + cue + 0.5 * score / best - 0.05 * rank
            if position == 0 and any(kind.name == "contribution" for kind in kinds):
                value += 0.2  # a paragraph's first sentence says what it is about
            if len(_TEX.findall(sentence)) > FORMULA:  # mostly a formula: hard to read as a quote
                value *= 0.5
            after = sentences[position + 1] if position + 1 < len(sentences) else ""
            scored.append(Scored(sentence, passage, value, said_before, after))
    scored.sort(key=lambda s: s.score, reverse=True)
    return scored[:limit]
