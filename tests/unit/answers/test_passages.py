"""core.answers.intent and core.answers.passages: what a question asks, and which verbatim passage states it."""

from __future__ import annotations

import pytest

from core.answers import intent
from core.answers.intent import classify
from core.answers.passages import Passage, PassageScorer, continued, is_heading, passages_of
from core.text import tokenize

DOC = (
    "第三条 补助标准\n"
    "C级危房维修加固每户补助1.5万元。\n"
    "第四条 申请时间和材料\n"
    "农户应当在每年3月31日前向村民委员会提出申请。\n"
    "申请需提供下列材料：\n"
    "（一）身份证；\n"
    "（二）户口簿。\n"
    "第五条 有下列情形之一的，取消补助资格：\n"
    "（一）因身体原因不能胜任岗位工作的；\n"
    "第六条 本办法自2023年1月1日起施行。"
)


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("雨露计划一学期给多少", intent.AMOUNT),
        ("啥时候报名", intent.TIME),
        ("补贴何时发放", intent.TIME),  # the written form a notice's reader uses
        ("多大岁数能干", intent.WHO),
        ("残疾娃做康复 多大的娃能申请", intent.AGE),
        ("多少岁能领高龄津贴", intent.AGE),
        ("要带啥材料", intent.MATERIALS),
        ("申请低保得交些啥", intent.MATERIALS),
        ("去了要拿点啥", intent.MATERIALS),
        ("找谁申请", intent.CONTACT),
        ("这个文件还管用不 还有效吗", intent.VALIDITY),
        ("公益岗干活受伤了有保险不", intent.YES_NO),
    ],
)
def test_questions_are_classified_by_what_they_ask(question: str, kind: str) -> None:
    assert kind in classify(question)


@pytest.mark.parametrize(
    "passage", ["每半年核查一次。", "低保金按季发放。", "每季复核一次。", "每周报送一次。"]
)
def test_a_frequency_states_a_time(passage: str) -> None:
    assert intent.states(intent.TIME, passage)


@pytest.mark.parametrize(
    ("passage", "stated"),
    [
        ("救助对象为0—6岁残疾儿童。", True),
        ("年满60周岁的农村老年人。", True),
        ("不满十六周岁的儿童。", True),
        ("救助对象为符合条件的残疾儿童。", False),
    ],
)
def test_an_age_is_stated_by_a_figure_in_years(passage: str, stated: bool) -> None:
    assert intent.states_figure(intent.AGE, passage) is stated
    assert intent.states(intent.AGE, passage) is stated


def test_the_office_an_application_goes_to_states_whom_to_contact() -> None:
    assert intent.states(intent.CONTACT, "由学生家长持材料向户籍所在村民委员会申请，经乡镇审核。")
    assert intent.states(intent.CONTACT, "可以向县民政局提出复核。")
    assert not intent.states(intent.CONTACT, "申请人应当如实提供家庭收入情况。")
    # where to complain is whom to turn to; the person in charge of an offending employer is not
    assert intent.states(
        intent.CONTACT, "被拖欠工资的农民工有权依法投诉，或者申请劳动争议调解仲裁和提起诉讼。"
    )
    assert not intent.states(
        intent.CONTACT, "将该用人单位及其法定代表人或者主要负责人列入失信联合惩戒对象名单。"
    )


def test_materials_and_contact_win_over_a_bare_apply() -> None:
    assert classify("申请要带什么材料") == (intent.MATERIALS,)
    assert intent.HOW not in classify("找谁申请")
    assert classify("在重庆申请低保得交些啥") == (intent.MATERIALS,)
    assert classify("交啥时候") == (intent.TIME,)


def test_a_heading_is_never_a_passage_but_the_context_of_the_sentences_under_it() -> None:
    found = passages_of(DOC)
    texts = [p.text for p in found]
    assert "第三条 补助标准" not in texts and "第四条 申请时间和材料" not in texts
    amount = next(p for p in found if "1.5万元" in p.text)
    assert amount.text == "C级危房维修加固每户补助1.5万元。" and amount.context == "第三条 补助标准"
    assert all(p.text in DOC for p in found)  # verbatim spans
    assert is_heading("二、补助标准") and not is_heading("（一）身份证；")


def test_a_lead_in_keeps_its_items_and_a_lone_item_is_a_fragment() -> None:
    found = {p.text: p for p in passages_of(DOC)}
    assert "申请需提供下列材料：\n（一）身份证；\n（二）户口簿。" in found
    assert "第五条 有下列情形之一的，取消补助资格：\n（一）因身体原因不能胜任岗位工作的；" in found
    long_list = "有下列情形之一的，取消补助资格：\n" + "".join(
        f"（{n}）{'某种情形' * 40}；\n" for n in "一二三"
    )
    items = [p for p in passages_of(long_list) if p.text.startswith("（二）")]
    assert items and items[0].fragment and "取消补助资格" in items[0].context


def _best(question: str, kinds: tuple[str, ...]) -> str:
    scorer = PassageScorer(tokenize(question), lambda t: 1.0, kinds)
    return max(passages_of(DOC), key=scorer.score).text


def test_the_passage_that_states_the_asked_kind_of_fact_leads() -> None:
    assert "1.5万元" in _best("危房维修补助多少钱", classify("危房维修补助多少钱"))
    assert "3月31日前" in _best("危房改造啥时候申请", classify("危房改造啥时候申请"))
    assert "身份证" in _best("申请要带什么材料", classify("申请要带什么材料"))


def test_the_commencement_clause_answers_only_validity_questions() -> None:
    clause = Passage("本办法自2023年1月1日起施行。")
    asked = PassageScorer(tokenize("办法什么时候施行"), lambda t: 1.0, classify("办法什么时候施行 还有效吗"))
    not_asked = PassageScorer(tokenize("办法什么时候施行"), lambda t: 1.0, (intent.TIME,))
    assert asked.score(clause) > not_asked.score(clause)


def test_passages_know_where_they_are_in_the_chunk() -> None:
    assert all(DOC[p.start : p.end] == p.text for p in passages_of(DOC))


def test_the_best_passage_goes_on_with_the_sentences_right_after_it() -> None:
    text = "二、到食堂的就餐人员，要做好自我防护。就餐前按规定洗手，坐下吃饭前才脱口罩。\n三、其他事项。"
    found = passages_of(text)
    span, taken = continued(text, 0, 160)
    assert span == "二、到食堂的就餐人员，要做好自我防护。就餐前按规定洗手，坐下吃饭前才脱口罩。"
    assert taken == [0, 1]
    assert continued(text, 0, len(found[0].text))[0] == found[0].text  # no room: the passage alone
    # a heading between two sentences ends the run: the next article is another matter
    assert continued(DOC, 0, 160)[0] == "C级危房维修加固每户补助1.5万元。"


def test_an_item_that_states_a_whole_rule_is_not_a_fragment() -> None:
    rule = "6.对于因疫情影响暂停举办的展会项目，年内继续举办的，按照不超过实际场租费用50%的标准给予支持。"
    assert not passages_of(rule)[0].fragment
    assert passages_of("有下列情形之一的：\n" + "（一）身份证；" * 30)[-1].fragment


def test_headers_sign_offs_and_page_furniture_never_lead() -> None:
    scorer = PassageScorer(tokenize("青禾县危房改造补助办法 补助多少"), lambda t: 1.0, (intent.AMOUNT,))
    rule = Passage("C级危房维修加固每户补助1.5万元。")
    header = Passage("青禾县危房改造补助办法 为做好危房改造工作，制定本办法，补助标准如下。")
    assert scorer.score(header, "青禾县危房改造补助办法") < scorer.score(header)
    sign_off = Passage("青禾县住房和城乡建设局 2023年3月1日")
    assert scorer.score(sign_off) < scorer.score(Passage("青禾县住房和城乡建设局负责危房改造。"))
    furniture = Passage("来源：青禾县危房改造补助办法 责任编辑：张三")
    assert scorer.score(furniture) < scorer.score(rule)


def test_glossary_terms_count_less_than_the_words_asked() -> None:
    """五保户 asked, 特困人员 from the glossary: a passage with the asked word beats one with only the term."""
    scorer = PassageScorer(tokenize("五保户 住哪"), lambda t: 1.0, (), expansion_tokens=tokenize("特困人员"))
    asked = Passage("五保户可以在家分散供养。")
    term = Passage("特困人员可以选择集中供养。")
    assert scorer.score(asked) > scorer.score(term) > 0
