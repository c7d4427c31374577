"""Passages of a chunk that can stand as an answer line, and how well each states what a question asks.

A passage is a verbatim span of the chunk: a sentence, or a lead-in ending in "：" together with the items after
it (up to `MAX_PASSAGE_CHARS`). A heading line (第三条 补助标准, 一、申请条件: short, no sentence end) is never a
passage of its own: it is the context of the sentences under it, so its words still count when those sentences
are scored. An enumerated item shown without its lead-in is a fragment and scores lower.

Example::

    [p.text for p in passages_of("第三条 补助标准\\n每户补助1.5万元。")]    # ["每户补助1.5万元。"]
    score = PassageScorer(query_tokens, idf, intents=("amount",)).score(passage)
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, fields
from functools import lru_cache

from core.answers import intent
from core.answers.linear import LinearWeights
from core.text import split_sentences, tokenize

MAX_PASSAGE_CHARS = 160
MIN_PASSAGE_CHARS = 8
MAX_HEADING_CHARS = 30
WHOLE_RULE_CHARS = 40
MAX_TITLE_CHARS = 12  # （一）补贴标准。 names a subject; a rule says more

_ENDS = ("。", "！", "？", "；", "：", ":", "，", ",", "!", "?", ";", "…")
_ITEM = re.compile(r"^\s*(?:[（(][一二三四五六七八九十\d]+[)）]|\d+[.、．]|[一二三四五六七八九十]+、)")
_ARTICLE = re.compile(r"^\s*第[一二三四五六七八九十百零〇\d]+条")
# The sign-off (落款: issuer and date) and a web page's furniture (版权声明, 责任编辑, 来源：…) answer nothing.
_SIGN_OFF = re.compile(r"^[^，。；：:,]{0,40}\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日[）)]?\s*$")
_FURNITURE = re.compile(
    r"版权(声明|所有)|责任编辑|编辑[：:]|来源[：:]|转载|详细阅读|点击(查看|进入)|扫一扫|分享到|打印本页|关闭窗口"
)
_VALIDITY_CLAUSE = re.compile(r"(自|从).{0,16}(起施行|起执行|施行)|同时废止|负责解释")

# The `intent` feature: what stating a fact of each asked kind counts (a yes/no word counts little).
INTENT_BONUS = 0.3
YES_NO_BONUS = 0.1
MIN_TITLE_ECHO = 8
EXPANSION_WEIGHT = 0.5  # a glossary term's share of a word the question itself uses
PART_WEIGHT = 0.5  # a word that is part of a longer word of the question


@dataclass(frozen=True)
class Passage:
    """A verbatim span of a chunk, with the heading or lead-in it stands under (for scoring only)."""

    text: str
    context: str = ""
    fragment: bool = False  # an enumerated item whose lead-in is not part of it
    start: int = 0  # where the passage is in the chunk's text: text == chunk_text[start:end]
    end: int = 0


def is_heading(sentence: str) -> bool:
    """A heading line: short and without a sentence end (第四条 申请时间和材料, 二、补助标准), or a numbered
    title that only names its subject (（一）补贴标准。 第八条 医疗救助对象和标准。)."""
    s = sentence.strip()
    if 0 < len(s) <= MAX_HEADING_CHARS and not s.endswith(_ENDS):
        return True
    marker = _ITEM.match(s) or _ARTICLE.match(s)
    rest = s[marker.end() :].strip().rstrip("。") if marker else ""
    return bool(marker) and 0 < len(rest) <= MAX_TITLE_CHARS and not re.search(r"[\d，,：:；;、]", rest)


def _whole_rule(passage: str) -> bool:
    """An enumerated item that states a whole rule on its own (6.对于…的，按照…给予支持。), not a list entry."""
    return len(passage) >= WHOLE_RULE_CHARS and passage.rstrip().endswith(("。", "！", "？"))


@lru_cache(maxsize=65536)
def _words(text: str) -> frozenset[str]:
    return frozenset(tokenize(text))


@lru_cache(maxsize=16384)
def passages_of(text: str) -> tuple[Passage, ...]:
    """The answerable passages of `text`, in order; headings become the context of what follows them."""
    spans = split_sentences(text)
    out: list[Passage] = []
    heading = ""
    lead_in = ""
    i = 0
    while i < len(spans):
        start, end = spans[i]
        sentence = text[start:end]
        if is_heading(sentence):
            heading, lead_in = sentence, ""
            i += 1
            continue
        if _ARTICLE.match(sentence):
            heading = ""  # a new article: the previous article's heading no longer applies
        j = i
        if sentence.rstrip().endswith(("：", ":")):
            # the lead-in takes the items after it while they fit (the first one even if it is not numbered)
            while j + 1 < len(spans):
                nxt_start, nxt_end = spans[j + 1]
                following = text[nxt_start:nxt_end]
                if (
                    nxt_end - start > MAX_PASSAGE_CHARS
                    or (j == i and is_heading(following))  # （一）申请。 opens a sub-section, not a list
                    or (j > i and not _ITEM.match(following))
                ):
                    break
                end = nxt_end
                j += 1
        passage = text[start:end]
        item = bool(_ITEM.match(passage))
        if passage.rstrip().endswith(("：", ":")):
            lead_in = passage  # its items did not fit: they follow as passages of their own
        elif not item:
            lead_in = ""
        out.append(
            Passage(
                passage,
                context=f"{heading} {lead_in if item else ''}".strip(),
                # an item without its lead-in, or a lead-in without its items: half a statement
                fragment=(item and j == i and not _whole_rule(passage))
                or passage.rstrip().endswith(("：", ":")),
                start=start,
                end=end,
            )
        )
        i = j + 1
    return tuple(out)


def continued(chunk_text: str, i: int, limit: int) -> tuple[str, list[int]]:
    """Passage `i` of `chunk_text` and the passages right after it (nothing but whitespace between them) while
    the span stays within `limit` characters: the answer often comes in the sentence after the one that echoes
    the question. Returns the verbatim span and the passage indexes it took."""
    ps = passages_of(chunk_text)
    first, taken = ps[i], [i]
    end = first.end
    for j in range(i + 1, len(ps)):
        nxt = ps[j]
        if chunk_text[end : nxt.start].strip() or nxt.end - first.start > limit:
            break
        end = nxt.end
        taken.append(j)
    return chunk_text[first.start : end], taken


# The features a passage is scored on, in the order of `PassageWeights`' fields. All but the last two are the
# passage's own (PassageScorer.features); `rank` (the retriever's fused score of its chunk, over the best) and
# `lapsed` (its document is no longer in force) are added by the lead picker.
FEATURES = (
    "words",  # IDF-weighted share of the question's words the passage uses
    "context",  # ... that only its heading or lead-in uses
    "bigrams",  # share of the question's character pairs in the passage (words jieba splits differently)
    "run",  # the longest run of the question's characters in the passage, over the question's length
    "before",  # the words share of the sentence right before it (the echo the answer follows)
    "intent",  # it states the kind of fact asked for (who, how, what to bring …)
    "figure",  # an amount or a time was asked and it states one (a number with its unit: 1.5万元, 10个工作日)
    "fragment",  # an item without its lead-in, or a lead-in without its items
    "validity",  # 本办法自…起施行, when validity was not asked
    "short",  # under MIN_PASSAGE_CHARS
    "furniture",  # a sign-off or a web page's furniture
    "title_echo",  # the header that repeats the document's title
    "length",  # log of its length in characters, over log(MAX_PASSAGE_CHARS)
    "overlong",  # how far it runs past MAX_PASSAGE_CHARS (a table or a page without sentence ends), over that
    "opening",  # it starts within the first OPENING_CHARS of its document (title, 文号, addressees)
    "preamble",  # a notice's purpose, basis or hand-over sentence (为…，特制定…; 现将…印发给你们)
    "lead_words",
    "lead_bigrams",
    "lead_intent",
    "rank",
    "lapsed",
)


# What answers nothing (a few characters, a sign-off or page furniture, the header that repeats the title) is not
# weighed against the question's words: it never leads, whatever words it shares. These weights are not fitted.
NEVER_LEADS = -10.0
FIXED = ("short", "furniture", "title_echo")


@dataclass(frozen=True)
class PassageWeights(LinearWeights):
    """Linear weights of FEATURES. Fitted with `python -m benchmarks.fit_passages` on the DEV splits of three
    corpora (policies/, realdocs, NCP tuning questions): the lead passage that holds the answer key."""

    words: float = 2.060
    context: float = 0.652
    bigrams: float = 1.585
    run: float = 0.998
    before: float = 0.231
    intent: float = 1.475
    figure: float = 0.989
    fragment: float = -0.130
    validity: float = -0.507
    short: float = NEVER_LEADS
    furniture: float = NEVER_LEADS
    title_echo: float = NEVER_LEADS
    length: float = 0.317
    overlong: float = -0.218
    opening: float = -0.518
    preamble: float = -0.047
    lead_words: float = 1.313
    lead_bigrams: float = 1.837
    lead_intent: float = 0.601
    rank: float = 2.608
    lapsed: float = -0.564


assert tuple(f.name for f in fields(PassageWeights)) == FEATURES


OPENING_CHARS = 200
_PREAMBLE = re.compile(
    r"^(?:为(?:了)?|根据|按照|依据)[^。]{0,160}(?:特制定|制定本|现(?:就|将)|通知如下|如下[：:。]|措施如下)"
    r"|现将.{0,80}印发给你们|请认真(?:贯彻|遵照)执行|^各[^。]{0,80}[：:]\s*$"
)
_CJK_RUN = re.compile(r"[\u4e00-\u9fff\w]+")


def char_bigrams(text: str) -> frozenset[str]:
    return frozenset(run[k : k + 2] for run in _CJK_RUN.findall(text) for k in range(len(run) - 1))


def longest_run(question: str, text: str) -> int:
    """Length of the longest substring of `question` that `text` contains (a phrase the question copies)."""
    best = 0
    n = len(question)
    for i in range(n):
        k = best + 1
        while i + k <= n and question[i : i + k] in text:
            best = k
            k += 1
    return best


def halve_compound_parts(weights: dict[str, float]) -> None:
    """jieba's search mode gives a compound and its parts (危房改造, 危房, 改造): the parts count PART_WEIGHT, so
    one word of the question does not count three times (in place)."""
    for t in list(weights):
        if any(t != other and t in other for other in weights):
            weights[t] *= PART_WEIGHT


class PassageScorer:
    """Scores passages for one question: the question's words and phrases in the passage, the kind of fact it
    asks for, what the passage is (fragment, sign-off …); weighted by `PassageWeights`."""

    def __init__(
        self,
        query_tokens: Iterable[str],
        idf: Callable[[str], float],
        intents: Sequence[str],
        expansion_tokens: Iterable[str] = (),
        question: str = "",
        weights: PassageWeights | None = None,
    ) -> None:
        # The asked words say which sentence answers; a glossary's policy terms only point at the document.
        self.weights = {t: EXPANSION_WEIGHT * idf(t) for t in set(expansion_tokens)}
        self.weights.update({t: idf(t) for t in set(query_tokens)})
        halve_compound_parts(self.weights)
        self.total = sum(self.weights.values()) or 1.0
        self.intents = tuple(intents)
        self.wants_validity = intent.VALIDITY in self.intents
        self.question = "".join(_CJK_RUN.findall(question.lower()))
        self.bigrams = char_bigrams(self.question)
        self.model = weights or PassageWeights()

    def _share(self, text: str) -> float:
        words = _words(text)
        return sum(w for t, w in self.weights.items() if t in words) / self.total

    def features(
        self,
        passage: Passage,
        title: str = "",
        before: Passage | None = None,
        offset: int = 0,
        lead: str = "",
    ) -> list[float]:
        """The passage's own features (FEATURES but `rank` and `lapsed`). `before`: the passage right before it;
        `offset`: where its chunk starts in the document; `lead`: the span an answer would show when it leads
        (`continued`; the passage itself when not given)."""
        text = passage.text
        words = _words(text)
        context = _words(passage.context) if passage.context else frozenset()
        in_words = in_context = 0.0
        for token, weight in self.weights.items():
            if token in words:
                in_words += weight
            elif token in context:
                in_context += weight  # the heading says what the sentence is about
        lead = lead or text
        return [
            in_words / self.total,
            in_context / self.total,
            self._bigram_share(text),
            longest_run(self.question, text.lower()) / len(self.question) if self.question else 0.0,
            self._share(before.text) if before is not None else 0.0,
            self._intent(text),
            self._figure(text),
            float(passage.fragment),
            float(not self.wants_validity and bool(_VALIDITY_CLAUSE.search(text))),
            float(len(text) < MIN_PASSAGE_CHARS),
            float(bool(_SIGN_OFF.match(text) or _FURNITURE.search(text))),
            float(len(title) >= MIN_TITLE_ECHO and title in text),
            math.log(max(len(text), 1)) / math.log(MAX_PASSAGE_CHARS),
            max(0, len(text) - MAX_PASSAGE_CHARS) / MAX_PASSAGE_CHARS,
            float(offset + passage.start < OPENING_CHARS),
            float(bool(_PREAMBLE.search(text))),
            self._share(lead),
            self._bigram_share(lead),
            self._intent(lead),
        ]

    def _bigram_share(self, text: str) -> float:
        return len(self.bigrams & char_bigrams(text.lower())) / len(self.bigrams) if self.bigrams else 0.0

    def _figure(self, text: str) -> float:
        return float(any(intent.states_figure(kind, text) for kind in self.intents))

    def _intent(self, text: str) -> float:
        bonus = 0.0
        for kind in self.intents:
            if intent.states(kind, text):
                bonus += YES_NO_BONUS if kind == intent.YES_NO else INTENT_BONUS
        return min(bonus, INTENT_BONUS * 1.5)

    def score(
        self,
        passage: Passage,
        title: str = "",
        before: Passage | None = None,
        rank: float = 0.0,
        lapsed: bool = False,
        offset: int = 0,
    ) -> float:
        """How well `passage` answers the question (higher is better); `title`: its document's; `before`: the
        passage right before it; `rank`: its chunk's fused score over the best; `lapsed`: not in force today."""
        return self.model.score([*self.features(passage, title, before, offset), rank, float(lapsed)])
