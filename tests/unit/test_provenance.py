"""ingest.readers.provenance: what a notice's text says about its status, each finding with its line."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from ingest.readers import ParsedDocument, read_document
from ingest.readers.common import document_from_text
from ingest.readers.provenance import NamedDocument, doc_number_key, read_text, title_key, title_keys

NEW_RULE = """某县最低生活保障审核确认办法

第一条 为规范审核确认工作，根据《社会救助暂行办法》，制定本办法。
第二条 对收入来源不固定、家庭成员有劳动能力的家庭，每半年核查一次。
第三十条 本办法自2021年7月1日起施行，2012年12月12日某县民政局印发的《某县最低生活保障审核审批办法（试行）》（某民发〔2012〕220号）同时废止。
"""


def _named(text: str) -> list[NamedDocument]:
    return [n for clause in read_text(text).repeals for n in clause.named]


# ------------------------------------------------------------------------------------------- repeal clauses


def test_repeal_clause_names_title_number_issuer_and_date_and_its_line() -> None:
    reading = read_text(NEW_RULE)
    assert len(reading.repeals) == 1
    clause = reading.repeals[0]
    assert clause.verb == "同时废止" and clause.lineno == 5 and clause.line.startswith("第三十条")
    assert clause.named == (
        NamedDocument(
            "某县最低生活保障审核审批办法（试行）", "某民发〔2012〕220号", "某县民政局", date(2012, 12, 12)
        ),
    )
    # the document it is based on (根据《社会救助暂行办法》) is not repealed
    assert reading.found["effective_from"].value == date(2021, 7, 1)
    assert reading.found["effective_from"].lineno == 5


@pytest.mark.parametrize(
    ("sentence", "verb", "named"),
    [
        ("《青禾县甲办法》（青政办[2019]3号）停止执行。", "停止执行", [("青禾县甲办法", "青政办[2019]3号")]),
        ("原《青禾县乙规定》不再执行。", "不再执行", [("青禾县乙规定", None)]),
        ("本规定施行后，青政办［2018］7号文件同时废止。", "同时废止", [(None, "青政办［2018］7号")]),
        (
            "此前印发的《青禾县丙意见》与本办法不一致的，以本办法为准。",
            "以本办法为准",
            [("青禾县丙意见", None)],
        ),
        (
            "《财政部、民政部关于印发〈农村医疗救助基金管理试行办法〉》（财社〔2004〕1号）、"
            "《财政部、民政部关于加强城市医疗救助基金管理的意见》（财社〔2005〕39号）同时废止。",
            "同时废止",
            [
                ("财政部、民政部关于印发〈农村医疗救助基金管理试行办法〉", "财社〔2004〕1号"),
                ("财政部、民政部关于加强城市医疗救助基金管理的意见", "财社〔2005〕39号"),
            ],
        ),
        ("原到户产业奖补办法同时废止。", "同时废止", [("到户产业奖补办法", None)]),
        ("同时废止《青禾县丁细则》。", "同时废止", [("青禾县丁细则", None)]),
    ],
)
def test_each_repeal_pattern(sentence: str, verb: str, named: list[tuple[str | None, str | None]]) -> None:
    reading = read_text(f"青禾县某办法\n第九条 {sentence}")
    assert [c.verb for c in reading.repeals] == [verb]
    assert [(n.title, n.doc_number) for n in reading.repeals[0].named] == named


@pytest.mark.parametrize(
    "sentence",
    [
        "此前有关规定与本办法不一致的，以本办法为准。",  # names no document: nothing to link
        "根据《国务院关于废止部分行政法规的决定》，制定本办法。",  # 废止 inside a title
        "对不符合条件的，决定停止低保，并责令退回。",
        "第六条 按照《某县社会救助实施办法》（某政发〔2020〕5号）规定执行。",
    ],
)
def test_sentences_that_repeal_nothing(sentence: str) -> None:
    assert read_text(f"青禾县某办法\n{sentence}").repeals == []


# ------------------------------------------------------------------------------------------------ validity


@pytest.mark.parametrize(
    ("line", "effective_to"),
    [
        ("第二十条 本办法自2022年1月1日起施行，有效期3年。", date(2024, 12, 31)),
        ("第二十条 本办法自2022年3月1日起施行，有效期为五年。", date(2027, 2, 28)),
        ("第十六条 本办法自2023年4月1日起施行，有效期至2027年12月31日。", date(2027, 12, 31)),
        ("本通知自2024年1月1日起执行，执行至2024年6月30日。", date(2024, 6, 30)),
        ("本方案有效期至2026年底。", date(2026, 12, 31)),
        ("本意见有效期2年，自2023年7月1日起施行。", date(2025, 6, 30)),
    ],
)
def test_effective_to_from_validity_statements(line: str, effective_to: date) -> None:
    path = Path("notice.txt")
    doc = _doc_from(f"青禾县某办法\n第一条 正文。\n{line}", path)
    assert doc.meta.effective_to == effective_to
    found = doc.reading.found["effective_to"]
    assert found.value == effective_to and found.lineno == 3 and found.line == line


@pytest.mark.parametrize(
    "line",
    [
        "第十条 经审核认定为刚性支出困难家庭的，有效期一般不超过十二个月。",
        "第十一条 在农业保险合同有效期内，不得增加保险费。",
        "第十二条 本办法所称监测对象认定有效期为1年。",
        "第十三条 低保证有效期至2025年12月31日的，应当换发。",
    ],
)
def test_validity_of_other_things_is_not_the_documents(line: str) -> None:
    doc = _doc_from(f"青禾县某办法\n{line}\n第二十条 本办法自2022年1月1日起施行。", Path("a.txt"))
    assert doc.meta.effective_to is None and "effective_to" not in doc.reading.found


def test_trial_from_title_or_sentence() -> None:
    titled = _doc_from("某县低保审核审批办法（试行）\n第一条 正文。", Path("a.txt"))
    assert titled.meta.trial and titled.reading.found["trial"].lineno == 1
    stated = _doc_from("某县低保审核审批办法\n第九条 本办法自2023年1月1日起试行。", Path("b.txt"))
    assert stated.meta.trial and stated.reading.found["trial"].lineno == 2
    other = _doc_from("某县规划\n第九条 试行以经常居住地登记户口制度。", Path("c.txt"))
    assert not other.meta.trial


# ------------------------------------------------------------------------------------- header and closing


def test_closing_lines_give_issuers_date_and_number_and_on_issue_becomes_the_start() -> None:
    text = (
        "某县关于做好临时救助工作的通知\n\n各乡镇：\n一、对遭遇突发困难的家庭及时救助。\n"
        "本通知自印发之日起施行。\n\n某县民政局\n某县财政局\n2023年5月8日\n某民发〔2023〕11号\n"
    )
    doc = _doc_from(text, Path("a.txt"))
    meta, found = doc.meta, doc.reading.found
    assert meta.issuer == "某县民政局、某县财政局" and found["issuer"].lineno == 7
    assert meta.issued == date(2023, 5, 8) and found["issued"].lineno == 9
    assert meta.doc_number == "某民发〔2023〕11号" and found["doc_number"].lineno == 10
    assert meta.effective_from == date(2023, 5, 8) and found["effective_from"].lineno == 5


@pytest.mark.parametrize("number", ["民发〔2021〕57号", "民发[2021]57号", "民发［2021］57号"])
def test_header_number_in_every_bracket_style(number: str) -> None:
    doc = _doc_from(f"民政部文件\n{number}\n\n最低生活保障审核确认办法\n第一条 正文。", Path("a.txt"))
    assert doc.meta.doc_number == number and doc.meta.issuer == "民政部"
    assert doc.reading.found["doc_number"].lineno == 2
    assert doc_number_key(number) == "民发〔2021〕57号"


def test_labelled_header_of_a_government_site() -> None:
    text = "发文机关：民政部\n成文日期：2021年06月11日\n发文字号：民发〔2021〕57号\n最低生活保障审核确认办法\n第一条 正文。"
    meta = _doc_from(text, Path("a.txt")).meta
    assert (meta.issuer, meta.issued, meta.doc_number) == ("民政部", date(2021, 6, 11), "民发〔2021〕57号")


def test_a_laws_enactment_lines_give_its_body_and_latest_date() -> None:
    text = (
        "某省乡村振兴促进条例\n\n2019年5月31日 某省第十三届人民代表大会常务委员会第十次会议通过\n"
        "2024年5月31日 某省第十四届人民代表大会常务委员会第九次会议修订\n第一章 总则\n第一条 正文。\n"
    )
    doc = _doc_from(text, Path("a.txt"))
    assert doc.meta.issuer == "某省人民代表大会常务委员会"
    assert doc.meta.issued == date(2024, 5, 31) and doc.reading.found["issued"].lineno == 4
    decree = _doc_from(
        "某条例\n1999年9月28日 国务院第21次常务会议通过\n1999年9月28日 中华人民共和国国务院令第271号发布\n第一条 正文。",
        Path("b.txt"),
    )
    assert decree.meta.issuer == "国务院" and decree.meta.doc_number == "中华人民共和国国务院令第271号"


# ------------------------------------------------------------------------------------------- front matter


def test_front_matter_wins_the_text_fills_gaps_and_a_conflict_is_named(tmp_path: Path) -> None:
    path = tmp_path / "a.md"
    path.write_text(
        "---\ntitle: 某县临时救助办法\ndoc_number: 某民发〔2023〕9号\nissued: 2023-02-01\n---\n"
        "某县临时救助办法\n某民发〔2023〕8号\n第一条 正文。\n第九条 本办法自2023年3月1日起施行，有效期至2025年12月31日。\n",
        encoding="utf-8",
    )
    doc = read_document(path)
    assert doc.meta.doc_number == "某民发〔2023〕9号"  # front matter wins
    assert doc.meta.effective_from == date(2023, 3, 1) and doc.meta.effective_to == date(2025, 12, 31)
    assert doc.reading.conflicts == [
        "doc_number: front matter says 某民发〔2023〕9号, the text says 某民发〔2023〕8号 (line 2)"
    ]
    assert "doc_number" in doc.reading.front_matter and "effective_to" not in doc.reading.front_matter


def test_front_matter_in_other_bracket_style_is_no_conflict(tmp_path: Path) -> None:
    path = tmp_path / "a.md"
    path.write_text(
        "---\ntitle: 某县办法\ndoc_number: 某民发[2023]9号\ntrial: true\n---\n某县办法\n某民发〔2023〕9号\n第一条 正文。\n",
        encoding="utf-8",
    )
    doc = read_document(path)
    assert doc.reading.conflicts == [] and doc.meta.trial is True


# --------------------------------------------------------------------------------------------------- keys


def test_title_keys_put_marks_trial_brackets_and_spaces_aside() -> None:
    assert title_key("《最低生活保障审核审批办法（试行）》") == title_key("最低生活保障审核审批办法")
    assert title_key("中共中央 国务院关于X的意见") == title_key("中共中央、国务院关于X的意见")
    assert "关于加强孤儿保障工作的意见" in title_keys("国务院办公厅关于加强孤儿保障工作的意见")
    assert "农村医疗救助基金管理办法" in title_keys(
        "财政部、民政部关于印发〈农村医疗救助基金管理试行办法〉的通知"
    )
    assert doc_number_key("中华人民共和国主席令第七十七号") == doc_number_key("主席令77号")


def _doc_from(text: str, path: Path) -> ParsedDocument:
    return document_from_text(text, path)
