"""core.knowledge.glossary: referrals (matters other offices handle) and the glossary, loaded, matched, said."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from core.errors import CorpusError
from core.knowledge.generation import Snapshot
from core.knowledge.glossary import Glossary, Referral, Referrals
from core.knowledge.live import KnowledgeView
from core.text import normalize_query
from ingest.catalog import load_glossary

GLOSSARY = Path(__file__).resolve().parents[3] / "policies" / "glossary.yaml"


@pytest.fixture(scope="module")
def referrals() -> Referrals:
    return Referrals(load_glossary(GLOSSARY))


def _office(referrals: Referrals, question: str) -> str | None:
    found = referrals.match(normalize_query(question))
    return found.office if found else None


@pytest.mark.parametrize(
    ("question", "office_word"),
    [
        ("公积金能取出来盖房不", "公积金管理中心"),
        ("跟老婆过不下去了 想离婚", "法院"),
        ("婚姻登记处几点上班", "婚姻登记处"),
        ("离婚证丢了咋补", "婚姻登记处"),  # the longer topic wins over 离婚
        ("城镇职工退休以后每月领多少", "社保"),
        ("考公务员有年龄限制吗", "组织部"),
        ("孩子出生了去哪上户口", "派出所"),
        ("驾照扣分了咋办", "交警"),
        ("个税APP咋退税", "税务局"),
        ("房貸提前還款划算嗎", "银行"),  # traditional characters are normalised first
    ],
)
def test_questions_about_other_offices_business_name_the_office(
    referrals: Referrals, question: str, office_word: str
) -> None:
    office = _office(referrals, question)
    assert office is not None and office_word in office


@pytest.mark.parametrize(
    "question",
    [
        "城乡居民养老保险政府帮交多少",  # ours: 城乡居民养老保险 (only 城镇职工 is referred)
        "农村老人的养老金每月多少",
        "脱贫劳动力外出就业有啥补贴",  # ours: 就业帮扶 (only 公务员/事业单位招考 is referred)
        "申请低保要带身份证和户口本吗",  # materials, not 补办身份证 / 上户口
        "我家房子漏雨能修吗",
        "脱贫户贷款最多能贷多少",
        "看病住院能报多少",
    ],
)
def test_policy_questions_name_no_referral_topic(referrals: Referrals, question: str) -> None:
    assert _office(referrals, question) is None


def test_every_referral_topic_is_absent_from_the_policy_documents_and_glossary_keys() -> None:
    """A topic word the policies use would send policy questions away; keep such words out of `topics`."""
    root = GLOSSARY.parent
    corpus = "".join(p.read_text(encoding="utf-8") for p in sorted((root / "docs").glob("*.md")))
    data = yaml.safe_load(GLOSSARY.read_text(encoding="utf-8"))
    keys = [normalize_query(e["colloquial"]) for e in data["entries"]]
    in_passing = {
        "宅基地",
        "理财",
        "电费",
        "工伤",
    }  # named by the policies only in passing: left to the model
    for entry in data["referrals"]:
        for topic in entry["topics"]:
            if topic in in_passing:
                continue
            assert topic not in corpus, topic
            assert not any(topic in key for key in keys), topic


def test_referrals_travel_with_the_glossary_and_do_not_expand_queries(tmp_path: Path) -> None:
    path = tmp_path / "glossary.yaml"
    path.write_text(
        "entries:\n  - colloquial: 修房子\n    terms: [危房改造]\n"
        "referrals:\n  - office: 住房公积金管理中心\n    topics: [公积金]\n",
        encoding="utf-8",
    )
    entries = load_glossary(path)
    assert {"office": "住房公积金管理中心", "topics": ["公积金"]} in entries
    assert (
        len(Glossary(entries, product=False)) == 1
    )  # the referral is not a colloquial → policy term expansion
    assert Glossary(entries, product=False).expand("公积金")[0] == []
    assert Referrals(entries).match("公积金咋取") == Referral("住房公积金管理中心", "公积金")


def test_a_glossary_without_referrals_still_loads(tmp_path: Path) -> None:
    path = tmp_path / "glossary.yaml"
    path.write_text("entries:\n  - colloquial: 修房子\n    terms: [危房改造]\n", encoding="utf-8")
    entries = load_glossary(path)
    assert len(entries) == 1 and len(Referrals(entries, product=False)) == 0
    assert Referrals(entries).match("明天天气咋样") is not None  # the product's list holds without one


@pytest.mark.parametrize(
    ("question", "office_word"),
    [
        ("明天天气咋样", "气象台"),
        ("今晚电视上放啥电视剧", "电视台"),
        ("股票明天涨不涨", "证券公司"),
        ("娃的高考分数咋查", "招生考试"),
        ("两口子离婚了 房子咋分", "法院"),
        ("家里的狗把邻居家娃咬了 要赔多少钱", "司法所"),
        ("结婚登记要带啥证件", "婚姻登记处"),
        ("办护照要多长时间", "出入境"),
        ("麦子烂根了咋弄", "农技"),
        ("给娃起名叫啥好", "亲友"),
        ("周末去哪玩", "本服务只答帮扶政策"),
    ],
)
def test_product_referrals_hold_on_a_corpus_without_a_glossary(question: str, office_word: str) -> None:
    found = Referrals([]).match(normalize_query(question))
    assert found is not None and office_word in found.office


def test_a_county_referral_adds_to_the_product_list_and_wins_a_shared_topic() -> None:
    county = Referrals(
        [{"office": "青禾县气象局 0550-1234567", "topics": ["天气"]}, {"office": "X", "topics": ["赶集"]}]
    )
    assert county.match("明天天气咋样") == Referral("青禾县气象局 0550-1234567", "天气")
    assert county.match("哪天赶集") == Referral("X", "赶集")
    assert county.match("驾照扣分了咋办") is not None  # the product's list is still there


def test_a_referral_without_an_office_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "glossary.yaml"
    path.write_text(
        "entries:\n  - colloquial: 修房子\n    terms: [危房改造]\nreferrals:\n  - topics: [公积金]\n",
        encoding="utf-8",
    )
    with pytest.raises(CorpusError, match="referral 1"):
        load_glossary(path)


def test_a_generation_builds_its_glossary_and_referrals_once() -> None:
    entries = [
        {"colloquial": "修房子", "terms": ["危房改造"]},
        {"office": "公积金中心", "topics": ["公积金"]},
    ]
    view = KnowledgeView(snapshot=Snapshot("g1", "test", {}, [], glossary_data=entries), reader=None)  # type: ignore[arg-type]
    assert isinstance(view.glossary, Glossary) and view.glossary is view.glossary
    assert view.glossary.expand("俺想修房子") == (["危房改造"], ["修房子"])
    assert view.referrals is view.referrals
    assert view.referrals.match("公积金咋取") == Referral("公积金中心", "公积金")


def test_the_product_glossary_reads_villagers_words_on_a_corpus_without_one() -> None:
    terms, hits = Glossary([]).expand("俺村的五保户能在自个家住不")
    assert "特困人员" in terms and "五保户" in hits
    assert Glossary([], product=False).expand("五保户")[0] == []
    # 低保 alone, as villagers shorten it: national and provincial texts say 最低生活保障
    assert Glossary([]).expand("在重庆申请低保得交些啥")[0] == ["最低生活保障"]
    # the wage regulation's words for a pay slip
    assert Glossary([]).expand("工资单他得留几年")[0] == ["工资支付台账", "工资清单"]


def test_a_county_glossary_entry_wins_over_the_products_for_the_same_words() -> None:
    county = Glossary([{"colloquial": "五保户", "terms": ["农村五保供养"]}])
    assert county.expand("五保户")[0] == ["农村五保供养"]


def test_product_glossary_keys_are_unique_and_never_another_offices_topic() -> None:
    from core.knowledge.glossary import product_glossary, product_referrals

    keys = [normalize_query(e["colloquial"]) for e in product_glossary()]
    assert len(keys) == len(set(keys))
    topics = [normalize_query(t) for r in product_referrals() for t in r["topics"]]
    assert not [k for k in keys if any(t in k or k in t for t in topics)]
