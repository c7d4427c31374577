"""Follow-up questions: read a question in the context of the conversation's earlier turns.

A villager's second question often leaves its topic out (要带什么材料, 找谁办, 那监测户呢). `resolve` decides
what a question is in its context and what to retrieve for it:

* ``own`` — the question names a topic of its own (a word the previous turn's documents do not use, a measure
  or glossary term the conversation has not been about, a matter another office handles): answered alone.
* ``follow_up`` — it asks about the previous topic: the retrieval query is the question plus the previous
  turn's topic terms, and the previous documents are preferred. "那X呢" / "X呢" swaps X into the previous
  question (那C级的呢 after 房子鉴定成D级了给多少钱 asks how much for C级).
* ``orphan`` — it leaves its topic out and there is no context (no conversation, or it expired): never answered
  from a random document; the service asks back which of the two or three likeliest measures it is about.

Topic words are told from asking words by how the corpus uses them, so this works on a corpus without a glossary
or catalog too: a content word that most documents use (申请, 材料, 电话) asks *how*; a rarer one (本科, 低保,
D级) or one the corpus never uses but general Chinese rarely does (房子, 养牛) names *what*.

The state kept between turns (`ConversationContext`) holds questions, topic terms and document and measure ids,
never an answer; the records area masks ID and phone numbers before storing it. Example::

    context = None
    for question in ["小额信贷怎么申请", "要带什么材料"]:
        answer = answers.ask(view, question, context=context)
        context = answer.context          # the second answer cites the 小额信贷 notice
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Literal, Protocol

from core.answers.measures import MeasureCard
from core.answers.retrieval import AnalyzedQuery
from core.knowledge.live import KnowledgeView
from core.text import STOP_WORDS, load_jieba, normalize_query

MAX_QUESTIONS = 3  # earlier questions kept per conversation
MAX_TOPIC_TERMS = 8
# A word used by more than this share of the documents asks how, not what (申请, 材料, 电话 …).
GENERIC_SHARE = 0.6
# A word no document uses names a topic only when it is rare in general Chinese (surprisal in jieba's dictionary,
# natural log): 房子 10, 养牛 12 name something; 还有 8, 今年 9 do not.
MIN_UNKNOWN_SURPRISAL = 10.0

Kind = Literal["own", "follow_up", "orphan"]

# What a question asks (how, how much, when, who, what to bring): words that carry no topic in any corpus.
_ASKING_TEXT = """
    多少 多久 多长 多大 多高 几 几个 几天 几年 几时 几回 哪个 哪儿 哪家 哪些 哪里 去哪 上哪 找谁 谁 为啥 啥时候 什么时候
    是不是 有没有 能不能 行不行 中不中 管不管 给不给 要不要 咋样 咋整 咋弄 咋个 怎么弄 还能 还是 就是 到底 究竟 俺 俺们
    俺家 钱 给 补 带 拿 交 办 办理 申请 报 报名 申报 领 批 批下来 下来 审批 材料 资料 手续 证件 条件 标准 流程 时间
    电话 找 问 打 去 多 最 最多 最高 一般 需要 准备 能领 能补 能办 能干 行 中 不 没 有 那 那么 还有 另外 然后
    """
_ASKING = frozenset(_ASKING_TEXT.split()) | STOP_WORDS
_WORD = re.compile(r"\w")
_QUANTITY = re.compile(r"[0-9〇零一二三四五六七八九十百千万亿两几半]")
# "那…呢", "…呢", "那…": the question swaps something into the previous one.
_ELLIPTIC = re.compile(r"^(那么?|那要是|那如果|要是|如果是)|呢[\W_]*$")
_STRIP_ELLIPSIS = re.compile(r"^(那么?|那要是|那如果|要是|如果是)|(的|了)?呢?[\W_]*$")


@dataclass(frozen=True)
class ConversationContext:
    """What a conversation keeps between turns to read the next question; no answer, no household data."""

    questions: tuple[str, ...] = ()  # the earlier questions, oldest first
    query: str = ""  # the last answered turn's question as resolved (follow-ups swapped in)
    topic: tuple[str, ...] = ()  # that turn's topic terms
    doc_ids: tuple[str, ...] = ()  # the documents it cited
    measure_ids: tuple[str, ...] = ()  # the measures it was about
    pending: str = ""  # a follow-up asked without context, waiting for the clarifying answer
    lead_chunk: str = ""  # the chunk the last answer's lead passage came from

    def to_dict(self) -> dict[str, Any]:
        return {
            "questions": list(self.questions),
            "query": self.query,
            "topic": list(self.topic),
            "doc_ids": list(self.doc_ids),
            "measure_ids": list(self.measure_ids),
            "pending": self.pending,
            "lead_chunk": self.lead_chunk,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ConversationContext:
        def strings(key: str) -> tuple[str, ...]:
            return tuple(str(v) for v in data.get(key) or [] if v)

        return cls(
            questions=strings("questions"),
            query=str(data.get("query") or ""),
            topic=strings("topic"),
            doc_ids=strings("doc_ids"),
            measure_ids=strings("measure_ids"),
            pending=str(data.get("pending") or ""),
            lead_chunk=str(data.get("lead_chunk") or ""),
        )

    @property
    def has_topic(self) -> bool:
        return bool(self.query)


class ConversationStore(Protocol):
    """Where conversations live between requests (the records database, wired in by `core.services`)."""

    def load(self, conversation_id: str) -> Mapping[str, Any] | None:
        """A live conversation's state; None when unknown or expired."""
        ...

    def save(self, conversation_id: str, state: Mapping[str, Any], *, new: bool) -> None:
        """Store a turn's state (`new`: the id was just issued)."""
        ...


@dataclass(frozen=True)
class Resolution:
    """How one question is read in its conversation."""

    kind: Kind
    query: str  # what to retrieve and compose with
    topic: tuple[str, ...] = ()  # this turn's topic terms, carried to the next
    # A follow-up's previous documents and measures (打哪个电话 goes on about the measure asked before).
    prefer_docs: tuple[str, ...] = ()
    prefer_measures: tuple[str, ...] = ()
    carried: str = ""  # the words `query` adds to what was asked (the conversation's topic, carried)
    # Nothing of its own to judge (咋报名, 多久能批): the topic passed the relevance check on the earlier turn.
    topic_in_scope: bool = False
    # "那X呢" asks the previous question again about X: the passage that answered it (a list of groups, grades or
    # ages) most often names X too, so the chunk it came from stands first among the hits.
    prefer_chunk: str = ""


@dataclass
class TopicIndex:
    """How many documents use each word, and each document's text, built once per generation."""

    df: Counter[str]
    n_docs: int
    texts: dict[str, str] = field(default_factory=dict)

    @classmethod
    def build(cls, view: KnowledgeView) -> TopicIndex:
        jieba = load_jieba()
        df: Counter[str] = Counter()
        texts: dict[str, str] = {}
        for doc in view.snapshot.documents.values():
            text = normalize_query(f"{doc.meta.title}\n{doc.text}").lower()
            texts[doc.meta.doc_id] = text
            df.update(set(jieba.lcut(text, HMM=False)) | set(jieba.lcut_for_search(text, HMM=False)))
        return cls(df, len(texts), texts)

    def generic(self, word: str) -> bool:
        """Used by most documents: asks how, not what."""
        return self.n_docs > 0 and self.df[word] / self.n_docs > GENERIC_SHARE

    def in_docs(self, word: str, doc_ids: Iterable[str]) -> bool:
        return any(word in self.texts.get(d, "") for d in doc_ids)


def topic_index(view: KnowledgeView) -> TopicIndex:
    """The generation's topic index (built once)."""
    return view.derived("topic_index", TopicIndex.build)


def content_words(question: str) -> list[str]:
    """The words of `question` that are not asking words, fillers or punctuation (jieba, precise mode)."""
    jieba = load_jieba()
    words = jieba.lcut(normalize_query(question).lower(), HMM=False)
    return [w for w in dict.fromkeys(words) if _WORD.search(w) and w not in _ASKING]


def topic_words(index: TopicIndex, words: Sequence[str]) -> list[str]:
    """The words that name what a question is about (see the module docstring)."""
    out = []
    for w in words:
        if index.df[w]:
            # One character the documents use (大, 管, 算) names too little; a letter may (the C of C级).
            if not index.generic(w) and (len(w) >= 2 or w.isascii()):
                out.append(w)
        elif _surprisal(w) >= MIN_UNKNOWN_SURPRISAL:
            out.append(w)
    return out


def is_elliptic(question: str) -> bool:
    """ "那…呢"-style: the question swaps something into the previous one."""
    return bool(_ELLIPTIC.search(normalize_query(question).strip()))


def resolve(
    view: KnowledgeView,
    aq: AnalyzedQuery,
    context: ConversationContext | None,
    *,
    catalog: Iterable[MeasureCard] = (),
) -> Resolution:
    """Read `aq` in `context`: answered alone, about the previous topic, or (no context) not answerable yet."""
    index = topic_index(view)
    words = content_words(aq.normalized)
    topic = topic_words(index, words)
    if context is None or not context.has_topic:
        if context is not None and context.pending and words and not _asks(aq.normalized):
            # The answer to "which measure?": the pending follow-up, about what was just named.
            query = f"{aq.normalized} {context.pending}"
            return Resolution("own", query, tuple(topic_words(index, content_words(query))))
        if not words:
            return Resolution("orphan", aq.normalized)
        return Resolution("own", aq.normalized, tuple(topic))
    if view.referrals.match(aq.normalized) is not None:
        return Resolution("own", aq.normalized, tuple(topic))
    if is_elliptic(aq.normalized) and words:
        query = _swap_in(context.query, _ellipsis_phrase(aq.normalized))
        carried = tuple(topic_words(index, content_words(query)))
        return Resolution(
            "follow_up",
            query,
            carried[:MAX_TOPIC_TERMS],
            context.doc_ids,
            context.measure_ids,
            prefer_chunk=context.lead_chunk,
        )
    if _new_topic(view, index, aq, topic, context, catalog) or _off_the_corpus(index, aq, words):
        return Resolution("own", aq.normalized, tuple(topic))
    # The conversation's topic first; the follow-up's own words (本科, 认定) after it, numbers left out.
    own = [w for w in topic if len(w) >= 2 and not _QUANTITY.search(w)]
    carried = tuple(dict.fromkeys([*context.topic, *own]))[:MAX_TOPIC_TERMS]
    query = aq.normalized
    extra = [t for t in context.topic if t not in query]
    if extra:
        query = f"{query} {' '.join(extra)}"
    return Resolution(
        "follow_up",
        query,
        carried,
        context.doc_ids,
        context.measure_ids,
        " ".join(extra),
        topic_in_scope=not topic,
    )


def next_context(
    previous: ConversationContext | None,
    question: str,
    resolution: Resolution,
    *,
    answered: bool,
    doc_ids: Sequence[str] = (),
    measure_ids: Sequence[str] = (),
    lead_chunk: str = "",
) -> ConversationContext:
    """The conversation after this turn; an unanswered turn keeps the earlier topic."""
    base = previous or ConversationContext()
    questions = (*base.questions, question)[-MAX_QUESTIONS:]
    if resolution.kind == "orphan":
        return replace(base, questions=questions, pending=question)
    if not answered:
        return replace(base, questions=questions, pending="")
    return ConversationContext(
        questions=questions,
        query=resolution.query,
        topic=resolution.topic[:MAX_TOPIC_TERMS],
        doc_ids=tuple(dict.fromkeys(doc_ids)),
        measure_ids=tuple(dict.fromkeys(measure_ids)),
        lead_chunk=lead_chunk,
    )


# -- helpers ---------------------------------------------------------------------------------------------------


def _surprisal(word: str) -> float:
    jieba = load_jieba()
    return math.log(jieba.dt.total) - math.log((jieba.get_FREQ(word) or 0) + 1)


def _asks(question: str) -> bool:
    """Whether the question says what it asks (多少, 材料, 找谁 …) rather than only naming something."""
    jieba = load_jieba()
    return any(w in _ASKING and w not in STOP_WORDS for w in jieba.lcut(question.lower(), HMM=False))


def _new_topic(
    view: KnowledgeView,
    index: TopicIndex,
    aq: AnalyzedQuery,
    topic: Sequence[str],
    context: ConversationContext,
    catalog: Iterable[MeasureCard],
) -> bool:
    """Whether a question with the conversation open names something its previous turn was not about."""
    previous = set(context.measure_ids)
    for m in catalog:
        names = [m.name, *m.keywords]
        named = any(len(n) >= 2 and n in aq.normalized for n in names)
        if named and m.id not in previous and not any(p in context.query for p in names):
            return True
    # One character (大 of 多大, 级 of D级) is too little to tell a new topic by. A question whose words are
    # mostly the previous documents' (公示 of 贴出来公示几天, after a question on 低保) goes on about them; one
    # whose rarer words are not (养牛 of 养牛有补贴吗) is a topic of its own. Words weigh by their rarity.
    # A villager's word whose policy term they use counts as theirs (外村户口 → 户籍不在本村 after 村委会选举).
    known = [w for w in topic if len(w) >= 2 and index.df[w]]
    theirs = {w for w in known if _used_by(index, view, w, aq.glossary_hits, context.doc_ids)}
    shared = sum(_rarity(index, w) for w in theirs)
    if shared and shared >= sum(_rarity(index, w) for w in known if w not in theirs):
        return False
    # A glossary match names a topic only through a content word (修房子 does; 找谁办 only asks how).
    hits = [hit for hit in aq.glossary_hits if content_words(hit)]
    if hits and not any(index.in_docs(t, context.doc_ids) for t in [*hits, *aq.expansions]):
        return True
    return bool(known)


def _used_by(
    index: TopicIndex, view: KnowledgeView, word: str, phrases: Sequence[str], doc_ids: Sequence[str]
) -> bool:
    """Whether the documents use `word`, or a policy term the glossary gives for it or for one of the villagers'
    `phrases` it is part of."""
    sources = [word, *(p for p in phrases if word in p)]
    return index.in_docs(word, doc_ids) or any(
        index.in_docs(t, doc_ids) for s in sources for t in view.glossary.expand(s)[0]
    )


def _rarity(index: TopicIndex, word: str) -> float:
    return math.log((index.n_docs + 1) / (index.df[word] + 0.5))


def _off_the_corpus(index: TopicIndex, aq: AnalyzedQuery, words: Sequence[str]) -> bool:
    """Nothing but words no document uses, and nothing asked about them (明天天气怎么样, 比特币还会涨吗): a topic
    of its own, to be answered (or declined) alone rather than read as a follow-up."""
    if not words or aq.glossary_hits or _asks(aq.normalized):
        return False
    return not any(index.df[w] for w in words)


def _ellipsis_phrase(question: str) -> str:
    """X of "那X呢": the question without 那 … 呢 and its punctuation."""
    return _STRIP_ELLIPSIS.sub("", question.strip()).strip()


def _swap_in(previous: str, phrase: str) -> str:
    """The previous question with what `phrase` replaces taken out, and `phrase` added.

    A run of one to three words of the previous question is replaced when it ends (a single word: or starts)
    with the same character as the phrase or one of its words: D级 → C级, 脱贫户 → 监测户, 八十多岁 → 九十岁, 养牛 → 养羊.
    """
    if not phrase:
        return previous
    jieba = load_jieba()
    words = jieba.lcut(previous, HMM=False)
    parts = {phrase, *(w for w in jieba.lcut(phrase, HMM=False) if len(w) >= 2 and _WORD.search(w))}
    drop: set[int] = set()
    for size in (3, 2, 1):
        for i in range(len(words) - size + 1):
            span = "".join(words[i : i + size])
            if len(span) < 2 or not _WORD.search(span) or span in phrase:
                continue
            if any(_kin(span, p, first=size == 1) for p in parts):
                drop.update(range(i, i + size))
    kept = "".join(w for i, w in enumerate(words) if i not in drop)
    return f"{kept} {phrase}".strip()


def _kin(a: str, b: str, *, first: bool) -> bool:
    """Two different names of the same kind: the same last character (D级/C级), or for one word the same first
    character (养牛/养羊)."""
    if a == b or len(b) < 2:
        return False
    return a[-1] == b[-1] or (first and a[0] == b[0] and a[0] not in STOP_WORDS)
