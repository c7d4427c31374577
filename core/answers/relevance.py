"""Should the service answer at all? Hostile requests, and whether the retrieved passages are about the question.

Two checks run before an answer is composed:

* `is_hostile` — general patterns for instructions smuggled into a question (ignore your rules, role-play,
  system markers, reveal your prompt), requests for other people's personal data in bulk, and how-to requests
  for fraud against the aid programmes. The question is refused whatever else it asks.
* `RelevanceConfig.relevant` — a five-feature logistic model over `relevance_features(view, aq, hits)`:

  ``dense``          best cosine between the question and a retrieved passage (semantic closeness);
  ``unexplained``    share of the question's information that the knowledge base does not explain: each content
                     word is weighted by its surprisal in general Chinese (jieba's dictionary frequencies), and
                     counts as explained when the documents, the measure catalog or a glossary match use it;
  ``concentration``  share of the top five passages that come from the best passage's document (an answerable
                     question pulls passages from one document; an unanswerable one scatters them);
  ``referral``       1 when the question names a matter another office handles (`view.referrals`: the list that
                     ships with the product, core/knowledge/referrals.yaml — 天气, 公积金, 离婚, 驾照, 考公务员 … —
                     plus a county glossary's `referrals:`), so it means the same on any corpus: such a question is
                     answered only when the passages match it clearly; otherwise `AnswerService` names the office;
  ``focus``          share of the question's information that the top passages themselves say (on a corpus of
                     thousands of notices every word is used somewhere; the passages for 刘德华多大了 still lack it).

  Dense cosine alone does not separate in-scope from out-of-scope questions (e5 cosines crowd into 0.8–0.9),
  but out-of-scope questions talk about things the corpus never names (月饼, 考研, 车险 …), while colloquial
  in-scope ones mostly reuse the corpus's or the glossary's words. The weights are fitted on the DEV sets of three
  corpora — `tests/eval/dev_questions.yaml` over policies/, the dev split of benchmarks/sets/realdocs.yaml over
  the real national texts, and NCPPolicies' tuning-origin questions — by `python -m benchmarks.fit_relevance
  --realdocs DIR --ncp DIR` and frozen here; the held-out `tests/eval/questions.yaml`, the realdocs test split and
  NCPPolicies' other origins are never used for fitting.

Example::

    aq = retriever.analyze(view, "比特币还会涨吗")
    hits = retriever.search(view, aq, k=8)
    features = relevance_features(view, aq, hits, catalog)   # catalog: the generation's measures
    RelevanceConfig().relevant(features)  # False: 比特币 is nowhere in the corpus
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from core.answers.measures import MeasureCard
from core.answers.retrieval import AnalyzedQuery, RetrievedChunk
from core.knowledge.live import KnowledgeView
from core.text import STOP_WORDS, load_jieba, normalize_query

# -- hostile requests ------------------------------------------------------------------------------------------

_INJECTION = re.compile(
    # "ignore / forget your previous rules": a verb, what it points at, then the rules themselves
    r"(忽略|无视|忘记|忘掉|抛开|绕过|不要理会|不用理会|别管|不用管)[^。？！?!]{0,6}"
    r"(之前|以上|上面|前面|所有|全部|你的|原来|原有|先前|系统|既定)[^。？！?!]{0,6}"
    r"(指令|指示|提示|规则|设定|限制|约束|命令)"
    r"|\b(ignore|disregard|forget|override)\b.{0,30}\b(instructions?|rules|prompts?|guidelines|restrictions)\b"
    # role-play and persona switches
    r"|你现在(是|扮演|变成|作为)|你(已经)?不再是|从现在(开始|起)[，,\s]*你|假装你是|角色扮演"
    r"|(扮演|充当|假装|假设你是|模拟)(一个|一名|一位)"
    r"|\byou are now\b|\bact as\b|\bpretend (to be|you)\b|\brole-?play\b"
    # jailbreak vocabulary and chat-template / system markers
    r"|越狱|jailbreak|developer mode|开发者模式|调试模式|管理员模式|上帝模式|\bDAN\b"
    r"|(不受任何|没有任何|不受|没有|无)(限制|约束|审查)的?(ai|助手|机器人|模型|人工智能)"
    r"|\[/?(system|inst|admin)\]|<\|?im_(start|end)\|?>|<<\s*sys\s*>>|^\s*(system|系统)\s*[:：]"
    # asking for the prompt, the configuration or secrets
    r"|提示词|\bprompt\b|系统提示的?(原文|内容|全文)|(你的|隐藏的?|内部|初始)(提示|指令|设定)"
    r"|密钥|口令|\btoken\b|api ?key|配置文件|源代码|管理员密码|后台密码"
    r"|\b(reveal|print|show|leak)\b.{0,20}\b(instructions|key|password|secret)s?\b"
    # computer misuse
    r"|(盗取?|黑进|入侵|破解)(别人|他人|人家)?的?(微信|qq|账号|帐号|密码|银行|系统|数据库)|盗号",
    re.IGNORECASE,
)

# Other people's personal data: what is asked for, in bulk or about someone else, and a request to hand it over.
_PERSONAL_DATA = re.compile(
    r"身份证号|身份证信息|银行卡号|银行账号|银行帐号|手机号|家庭住址|住址|户籍信息|个人信息|隐私"
)
_MANY_OR_OTHERS = re.compile(
    r"所有|全部|全体|全村|全乡|全镇|全县|整个|每个|每户|一批|批量|名单|花名册|清单|别人|他人|隔壁|邻居|某某"
    r"|张三|李四|王五|老[王李张刘陈赵]|[王李张刘陈赵]某"
)
_BULK_HAND_OVER = r"导出|发给我|发我|给我发|发过来|传给我|打包|下载|拷贝|复制"
_HAND_OVER = re.compile(rf"{_BULK_HAND_OVER}|列出|列一下|告诉我|查一下|查查|帮我查|汇总")
_PEOPLE_LIST = re.compile(
    rf"(名单|花名册)[^。？！?!]{{0,12}}({_BULK_HAND_OVER})|({_BULK_HAND_OVER})[^。？！?!]{{0,12}}(名单|花名册)"
)

# Fraud against the programmes asked as a how-to; questions about penalties, reporting or avoiding scams are fine.
_FRAUD_ACT = (
    r"(伪造|造假|编造|捏造|瞎编|编一?[个份张]|弄一?[个份张]假|做一?[个份张]假|开一?[个份张]假|骗取|骗领|骗补"
    r"|套取|虚报|谎报|瞒报|冒领|冒名|假冒|隐瞒收入|不被(发现|查出|查到)"
    r"|假的?(病历|证明|材料|发票|诊断|证件|合同|户口|残疾证))"
)
_FRAUD = re.compile(
    rf"(教我|教教|帮我|帮忙|替我|给我|我想|想要|打算|准备|怎么|咋|如何|怎样|有啥办法|有什么办法)[^。？！?!]{{0,12}}{_FRAUD_ACT}"
    rf"|{_FRAUD_ACT}[^。？！?!]{{0,16}}(办法|方法|技巧|窍门|攻略|才不会被|咋弄|怎么弄|怎么做)"
)
# Asking the service itself to do it (帮我编个假病历) is a how-to whatever follows (怎么处理 reads as consequences).
_FRAUD_REQUEST = re.compile(
    rf"(帮我|替我|给我|教我|教教我|帮俺|替俺|给俺|教俺)[^。？！?!]{{0,4}}{_FRAUD_ACT}"
)
_REPORTING_WORDS = r"举报|投诉|反映"
_REPORTING = re.compile(_REPORTING_WORDS)
_ABOUT_FRAUD = re.compile(
    rf"{_REPORTING_WORDS}|处罚|处理|处置|查处|惩处|严惩|打击|整治|后果|违法|犯法|追回|追究|会不会被|坐牢|判刑|防止|防范"
    r"|识别|小心|被骗|上当"
)


def is_hostile(question: str) -> bool:
    """True for smuggled instructions, requests for others' personal data, and how-to requests for fraud."""
    q = normalize_query(question)
    if _INJECTION.search(q):
        return True
    if _PERSONAL_DATA.search(q) and _MANY_OR_OTHERS.search(q) and _HAND_OVER.search(q):
        return True
    if _PEOPLE_LIST.search(q):
        return True
    if _FRAUD_REQUEST.search(q) and not _REPORTING.search(q):
        return True
    return bool(_FRAUD.search(q)) and not _ABOUT_FRAUD.search(q)


# -- relevance -------------------------------------------------------------------------------------------------

# Interrogatives, fillers and dialect pronouns of villagers' questions: closed-class words, no topic.
_QUESTION_WORDS_TEXT = """
    多少 多久 多长 多大 多高 多长时间 几个 几时 几回 几次 哪个 哪儿 哪家 哪种 哪些 哪里 去哪 去哪儿 找谁 谁 为啥
    啥时候 什么时候 是不是 有没有 能不能 行不行 中不中 管不管 给不给 要不要 咋样 咋整 咋弄 咋回事 咋个 怎么弄
    还能 还是 就是 一下 好不好 对不对 行吗 可以吗 是否 有无 能否 到底 究竟 俺 俺们 俺家 咱家
    """
_QUESTION_WORDS = frozenset(_QUESTION_WORDS_TEXT.split())
# Quantity expressions (七十多岁, 三头, 一万多) say how much, not what about.
_QUANTITY = re.compile(r"[0-9〇零一二三四五六七八九十百千万亿两几半]")
_WORD = re.compile(r"\w")
_CONCENTRATION_DEPTH = 5
FOCUS_DEPTH = 3  # the passages an answer is composed from, most of the time


@dataclass(frozen=True)
class RelevanceFeatures:
    """What the relevance model sees of one question and its hits."""

    dense: float
    unexplained: float
    concentration: float
    referral: float = 0.0  # 1.0 when the question names a topic another office handles (glossary `referrals`)
    focus: float = (
        1.0  # share of the question's information the top passages themselves say (see `focus_share`)
    )


@dataclass(frozen=True)
class RelevanceConfig:
    """Frozen logistic model: the question is answered when the logit reaches `threshold`.

    Fitted by `python -m benchmarks.fit_relevance --realdocs DIR --ncp DIR` (L2-regularised logistic regression on
    the in-scope vs out-of-scope DEV questions of three corpora: policies/, realdocs, and NCPPolicies' tuning-origin
    questions with the product's DEV out-of-scope questions asked of that corpus); `threshold` is the cross-
    validated logit at which 96% of DEV in-scope questions are answered, lowered as far as that answers no more
    out-of-scope DEV questions. In cross-validation: policies/ answers 97.8% of in-scope and refuses 96.5% of
    out-of-scope DEV questions, realdocs 100% and 100%, NCPPolicies 96.0% and 93.8%. Coefficients apply to the
    raw feature values.
    """

    intercept: float = -73.61
    w_dense: float = 83.45
    w_unexplained: float = -2.3
    w_concentration: float = 3.04
    w_referral: float = -4.97
    w_focus: float = 1.82
    threshold: float = -0.14

    def logit(self, f: RelevanceFeatures) -> float:
        """The model's log-odds that the passages answer the question."""
        return (
            self.intercept
            + self.w_dense * f.dense
            + self.w_unexplained * f.unexplained
            + self.w_concentration * f.concentration
            + self.w_referral * f.referral
            + self.w_focus * f.focus
        )

    def relevant(self, f: RelevanceFeatures) -> bool:
        """True when the question should be answered from these passages."""
        return self.logit(f) >= self.threshold


@dataclass(frozen=True)
class Lexicon:
    """Words the knowledge base uses (documents, titles, measure catalog), built once per generation."""

    vocabulary: frozenset[str]

    @classmethod
    def build(cls, view: KnowledgeView, catalog: Iterable[MeasureCard]) -> Lexicon:
        """The words of the generation's documents and of its measures."""
        texts = [f"{d.meta.title}\n{d.text}" for d in view.snapshot.documents.values()]
        texts.extend(_catalog_text(m) for m in catalog)
        jieba = load_jieba()
        vocab: set[str] = set()
        for text in texts:
            norm = normalize_query(text).lower()
            vocab.update(jieba.lcut(norm, HMM=False))
            vocab.update(jieba.lcut_for_search(norm, HMM=False))  # parts of compounds: 养老 of 养老保险
        return cls(frozenset(t for t in vocab if _WORD.search(t)))

    def unexplained_share(self, aq: AnalyzedQuery) -> float:
        """Share of the question's information (word surprisal) carried by words the knowledge base lacks."""
        explained = unexplained = 0.0
        for word, surprisal in _content_words(aq.normalized, quantities=True).items():
            if word in self.vocabulary or any(word in hit or hit in word for hit in aq.glossary_hits):
                explained += surprisal
            elif not _QUANTITY.search(word):
                unexplained += surprisal
        if explained + unexplained <= 0:
            return 1.0  # nothing to look up at all
        return unexplained / (explained + unexplained)


def _content_words(text: str, *, quantities: bool = False) -> dict[str, float]:
    """The question's content words with their surprisal in general Chinese, in order (question words and
    fillers left out; quantities such as 七十多岁 too unless `quantities`)."""
    jieba = load_jieba()
    total = math.log(jieba.dt.total)
    words: dict[str, float] = {}
    for word in jieba.lcut(text.lower(), HMM=False):
        if not _WORD.search(word) or word in STOP_WORDS or word in _QUESTION_WORDS:
            continue
        if quantities or not _QUANTITY.search(word):
            words[word] = total - math.log((jieba.get_FREQ(word) or 0) + 1)
    return words


def focus_share(aq: AnalyzedQuery, hits: Sequence[RetrievedChunk]) -> float:
    """Share of the question's information (word surprisal) that the top passages themselves say.

    The corpus-wide `unexplained` share cannot tell 刘德华今年多大了 from a policy question on a corpus of
    thousands of news-like notices that use every word somewhere; the passages retrieved for it still do not
    say 刘德华. A colloquial word counts as said when a glossary term it expands to is in the passages.
    """
    words = _content_words(aq.normalized)
    total = sum(words.values())
    if total <= 0:
        return 0.0
    text = normalize_query(" ".join(h.chunk.text for h in hits[:FOCUS_DEPTH])).lower()
    expanded = any(t.lower() in text for t in aq.expansions)
    said = sum(
        w
        for word, w in words.items()
        if word in text or (expanded and any(word in hit for hit in aq.glossary_hits))
    )
    return said / total


def relevance_features(
    view: KnowledgeView, aq: AnalyzedQuery, hits: Sequence[RetrievedChunk], catalog: Iterable[MeasureCard]
) -> RelevanceFeatures:
    """The features of `aq` and its ranked `hits` (as ranked for the answer).

    `catalog` is the generation's measures; the lexicon is built from the documents and it once per generation.
    """
    lexicon = view.derived("relevance_lexicon", lambda v: Lexicon.build(v, catalog))
    dense = max((h.dense for h in hits if h.dense is not None), default=0.0)
    top = [h.chunk.doc_id for h in hits[:_CONCENTRATION_DEPTH]]
    concentration = sum(d == top[0] for d in top) / len(top) if top else 0.0
    return RelevanceFeatures(
        dense=float(dense),
        unexplained=lexicon.unexplained_share(aq),
        concentration=concentration,
        referral=float(view.referrals.match(aq.normalized) is not None),
        focus=focus_share(aq, hits),
    )


def _catalog_text(measure: MeasureCard) -> str:
    parts: list[str] = [measure.name, measure.summary, measure.benefit]
    if measure.amount:
        parts.append(measure.amount)
    for values in (measure.target_groups, measure.keywords, measure.materials, measure.how_to_apply):
        parts.extend(str(v) for v in values)
    return "\n".join(p for p in parts if p)
