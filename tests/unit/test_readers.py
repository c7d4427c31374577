"""ingest.readers: one policy file of any supported format into a ParsedDocument."""

from __future__ import annotations

import dataclasses
import random
from datetime import date
from pathlib import Path

import pytest

from core.errors import CorpusError
from core.knowledge.models import DocumentMeta
from ingest.readers import ParsedDocument, decode_text, read_document, reflow_pdf_pages
from ingest.readers.common import BOOL_FIELDS, DATE_FIELDS
from tests.helpers.docs import PDF_SKIP_REASON, cjk_pdf_font, write_docx, write_pdf, write_text

FRONT_MATTER_DOC = """---
title: 青禾县农村低收入群体住房安全保障实施办法
doc_number: 青政办〔2023〕12号
issuer: 青禾县人民政府办公室
issued: 2023-03-15
effective_from: "2023-04-01"
effective_to: null
region: 青禾县
category: 住房安全
supersedes: null
reviewed_by: 县住建局
tags: [危房改造, 住房安全]
---

第一条 为保障农村低收入群体住房安全，制定本办法。
第二条 本办法适用于本县。

"""

NOTICE = """青禾县人民政府办公室文件

青政办〔2023〕12号

青禾县人民政府办公室关于印发
青禾县农村低收入群体住房安全保障实施办法的通知

各乡镇人民政府，县直各单位：
按照《关于做好农村危房改造工作的通知》（建村〔2019〕8号）要求，现将实施办法印发给你们，请认真贯彻执行。
本办法自2023年4月1日起施行。

青禾县人民政府办公室
二〇二三年三月十五日
"""


@pytest.fixture
def pdf_font() -> str:
    font = cjk_pdf_font()
    if font is None:
        pytest.skip(PDF_SKIP_REASON)
    return font


def _assert_clean(doc: ParsedDocument) -> None:
    assert "\r" not in doc.text and "\x00" not in doc.text
    assert all(line == line.rstrip() for line in doc.text.split("\n"))
    assert doc.text == doc.text.strip("\n")


# ---------------------------------------------------------------------------------------------- front matter


def test_front_matter_fields_dates_nulls_and_extra(tmp_path: Path) -> None:
    path = tmp_path / "qinghe-housing-safety-2023.md"
    path.write_text(
        FRONT_MATTER_DOC.replace("\n", "\r\n").replace("制定本办法。", "制定本办法。  "), encoding="utf-8"
    )
    doc = read_document(path)
    assert doc.meta.title == "青禾县农村低收入群体住房安全保障实施办法"
    assert doc.meta.doc_number == "青政办〔2023〕12号"
    assert doc.meta.issuer == "青禾县人民政府办公室"
    assert doc.meta.issued == date(2023, 3, 15)
    assert doc.meta.effective_from == date(2023, 4, 1)
    assert doc.meta.effective_to is None
    assert doc.meta.supersedes is None and doc.meta.superseded_by is None
    assert (doc.meta.region, doc.meta.category) == ("青禾县", "住房安全")
    assert doc.extra == {"reviewed_by": "县住建局", "tags": ["危房改造", "住房安全"]}
    assert doc.text == "第一条 为保障农村低收入群体住房安全，制定本办法。\n第二条 本办法适用于本县。"
    _assert_clean(doc)


def test_front_matter_states_every_documentmeta_field_but_the_placed_ones(tmp_path: Path) -> None:
    stated = {f.name for f in dataclasses.fields(DocumentMeta)} - {"doc_id", "source"}
    values = {
        name: ("2023-03-15" if name in DATE_FIELDS else "true" if name in BOOL_FIELDS else f"值{name}")
        for name in stated
    }
    path = tmp_path / "all-fields.md"
    lines = "".join(f"{k}: {v}\n" for k, v in values.items())
    path.write_text(f"---\n{lines}doc_id: ignored\n---\n第一条 正文。\n", encoding="utf-8")
    doc = read_document(path)
    assert isinstance(doc.meta, DocumentMeta)
    for name, value in values.items():
        expected = date(2023, 3, 15) if name in DATE_FIELDS else True if name in BOOL_FIELDS else value
        assert getattr(doc.meta, name) == expected, name
    assert (doc.meta.doc_id, doc.meta.source) == ("all-fields", path.as_posix())  # the pipeline places it
    assert doc.extra == {"doc_id": "ignored"}


def test_front_matter_accepts_chinese_date_strings(tmp_path: Path) -> None:
    path = tmp_path / "a.md"
    path.write_text(
        "---\ntitle: 办法\nissued: 2023年3月5日\neffective_to: 2027/12/31\n---\n第一条 正文。\n",
        encoding="utf-8",
    )
    doc = read_document(path)
    assert doc.meta.issued == date(2023, 3, 5)
    assert doc.meta.effective_to == date(2027, 12, 31)


def test_front_matter_without_title_takes_it_from_the_body(tmp_path: Path) -> None:
    path = tmp_path / "untitled.md"
    path.write_text("---\nregion: 青禾县\n---\n青禾县教育资助办法\n第一条 正文。\n", encoding="utf-8")
    assert read_document(path).meta.title == "青禾县教育资助办法"


def test_markdown_without_front_matter_loses_its_markup_and_chunks_quote_the_stored_text(
    tmp_path: Path,
) -> None:
    from ingest.chunking import chunk_text

    path = tmp_path / "plain.md"
    path.write_text(
        "# 某县残疾人两项补贴发放办法\n\n## 第三条 补助标准\n\n**困难残疾人生活补贴**每人每月80元。\n\n"
        "## 第四条 申请材料\n\n- 身份证；\n- 残疾人证。\n",
        encoding="utf-8",
    )
    doc = read_document(path)
    assert "#" not in doc.text and "**" not in doc.text and "- " not in doc.text
    assert doc.meta.title == "某县残疾人两项补贴发放办法"
    assert "困难残疾人生活补贴每人每月80元。" in doc.text
    chunks = chunk_text(doc.text)
    assert chunks and all("#" not in c.text and c.text in doc.text for c in chunks)


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        ("---\ntitle: [unclosed\n---\n正文。\n", "not valid YAML"),
        ("---\ntitle: a\n  bad: indent\n---\n正文。\n", "not valid YAML"),
        ("---\n- just\n- a list\n---\n正文。\n", "mapping"),
        ("---\ntitle: 办法\nissued: next spring\n---\n正文。\n", "'issued' is not a date"),
        ("---\ntitle: 办法\neffective_from: 2024-01-01\neffective_to: 2023-01-01\n---\n正文。\n", "before"),
        ("---\ntitle: 办法\nregion: [a, b]\n---\n正文。\n", "'region' must be text"),
        ("---\ntitle: 办法\n正文没有结束的分隔线。\n", "never closed"),
        ("---\ntitle: 办法\n---\n\n  \n", "no text"),
    ],
)
def test_bad_front_matter_is_a_corpus_error_naming_the_file(
    tmp_path: Path, content: str, reason: str
) -> None:
    path = tmp_path / "broken-doc.md"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(CorpusError) as err:
        read_document(path)
    assert "broken-doc.md" in err.value.detail
    assert reason in err.value.detail


# ---------------------------------------------------------------------------------------------- encodings

PLAIN = "青禾县临时救助实施细则\n第一条 对遭遇突发困难的家庭给予临时救助，每户最高5000元。\n第二条 申请人向村委会提出申请。\n"


@pytest.mark.parametrize(
    "encoding", ["utf-8", "utf-8-sig", "gb18030", "gbk", "gb2312", "utf-16", "utf-16-le", "utf-16-be"]
)
def test_plain_text_encodings_are_detected(tmp_path: Path, encoding: str) -> None:
    path = write_text(tmp_path / f"notice-{encoding}.txt", PLAIN, encoding)
    doc = read_document(path)
    assert doc.text == PLAIN.strip()
    assert doc.meta.title == "青禾县临时救助实施细则"


def test_gb18030_only_characters_and_big5(tmp_path: Path) -> None:
    text = "第一条 𠮷家村的低保户可以申请。"  # 𠮷 is outside GBK: only GB18030 has it
    assert read_document(write_text(tmp_path / "a.txt", text, "gb18030")).text == text
    traditional = "青禾縣臨時救助實施細則\n第一條 對遭遇突發困難的家庭給予臨時救助。"
    assert read_document(write_text(tmp_path / "b.txt", traditional, "big5")).text == traditional


def test_decode_text_rejects_binary_data() -> None:
    garbage = random.Random(7).randbytes(4096)
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256))
    for raw in (garbage, png, bytes(range(256)) * 4, b"abc\x00def\x00ghi"):
        with pytest.raises(CorpusError, match="not a text file or uses an unknown encoding"):
            decode_text(raw)


def test_decode_text_tolerates_a_truncated_last_character() -> None:
    raw = "第一条 申请低保需要身份证和户口簿。".encode("gb18030") * 20 + "补".encode("gb18030")[:1]
    assert decode_text(raw).startswith("第一条 申请低保需要身份证和户口簿。")


def test_binary_file_named_txt_is_rejected_with_its_name(tmp_path: Path) -> None:
    path = tmp_path / "photo.txt"
    path.write_bytes(random.Random(3).randbytes(2048) + b"\x00")
    with pytest.raises(CorpusError, match=r"photo\.txt is not a text file"):
        read_document(path)


@pytest.mark.parametrize(
    "raw", [b"", b"   \r\n\t\n", "\ufeff  \n".encode("utf-16"), "\u3000\u3000\n".encode("gb18030")]
)
def test_empty_files_are_rejected(tmp_path: Path, raw: bytes) -> None:
    path = tmp_path / "empty.txt"
    path.write_bytes(raw)
    with pytest.raises(CorpusError, match=r"empty\.txt is empty"):
        read_document(path)


# ---------------------------------------------------------------------------------------------- header of a notice


def test_notice_header_gives_title_doc_number_issuer_and_dates(tmp_path: Path) -> None:
    doc = read_document(write_text(tmp_path / "notice.txt", NOTICE, "gb18030"))
    assert doc.meta.title == "青禾县人民政府办公室关于印发青禾县农村低收入群体住房安全保障实施办法的通知"
    assert doc.meta.doc_number == "青政办〔2023〕12号"  # not the 建村〔2019〕8号 cited in the body
    assert doc.meta.issuer == "青禾县人民政府办公室"
    assert doc.meta.issued == date(2023, 3, 15)
    assert doc.meta.effective_from == date(2023, 4, 1)
    assert doc.text.startswith("青禾县人民政府办公室文件\n\n青政办〔2023〕12号")


@pytest.mark.parametrize(
    ("header", "title", "number", "issuer"),
    [
        (
            "民政部 财政部\n关于进一步加强和改进临时救助工作的意见\n民发〔2018〕23号\n",
            "关于进一步加强和改进临时救助工作的意见",
            "民发〔2018〕23号",
            "民政部 财政部",
        ),
        (
            "国办发[2023]39号\n国务院办公厅关于加强低收入人口动态监测的意见\n",
            "国务院办公厅关于加强低收入人口动态监测的意见",
            "国办发[2023]39号",
            "国务院办公厅",
        ),
        ("国发（2021）5号\n青禾县帮扶办法（试行）\n", "青禾县帮扶办法（试行）", "国发（2021）5号", None),
        (
            "城市居民最低生活保障条例\n\n1999年9月28日 中华人民共和国国务院令第271号发布\n",
            "城市居民最低生活保障条例",
            "中华人民共和国国务院令第271号",
            "国务院",  # the body whose decree promulgated it
        ),
    ],
)
def test_notice_header_variants(
    tmp_path: Path, header: str, title: str, number: str, issuer: str | None
) -> None:
    doc = read_document(write_text(tmp_path / "n.txt", header + "\n各有关单位：\n第一条 正文。\n", "utf-8"))
    assert (doc.meta.title, doc.meta.doc_number, doc.meta.issuer) == (title, number, issuer)


def test_doc_number_cited_in_the_body_is_not_the_documents_own(tmp_path: Path) -> None:
    text = "关于做好临时救助工作的意见\n根据国发〔2014〕47号文件，制定本意见。\n（国发〔2014〕47号）\n"
    doc = read_document(write_text(tmp_path / "n.txt", text, "utf-8"))
    assert doc.meta.title == "关于做好临时救助工作的意见"
    # A line that is only a bracketed 文号 still counts; the sentence citing one does not.
    assert doc.meta.doc_number == "国发〔2014〕47号"
    doc = read_document(write_text(tmp_path / "m.txt", text.replace("\n（国发〔2014〕47号）", ""), "utf-8"))
    assert doc.meta.doc_number is None


def test_title_falls_back_to_the_file_name(tmp_path: Path) -> None:
    text = "为巩固拓展脱贫攻坚成果，现就有关事项通知如下，请各地认真抓好落实，确保各项政策措施落地见效。\n一、正文。\n"
    doc = read_document(write_text(tmp_path / "loose-notice.txt", text, "utf-8"))
    assert doc.meta.title == "loose-notice"
    assert doc.meta.doc_number is None


_PASTED_BODY = "为做好春耕生产，县农业农村局对购买农机的农户给予补贴，每台最高补贴3000元。" * 3


@pytest.mark.parametrize(
    ("first_line", "title", "issuer", "head"),
    [
        # a web page pasted as one line: title, a gap, the body
        (
            "清河县关于做好春耕农机补贴工作的通知  ",
            "清河县关于做好春耕农机补贴工作的通知",
            None,
            ["清河县关于做好春耕农机补贴工作的通知"],
        ),
        # issuers before the title stay with it; a date segment gets a line of its own
        (
            "县农业农村局 县财政局关于农机补贴的通知\u3000\u30002024年3月1日 ",
            "县农业农村局 县财政局关于农机补贴的通知",
            "县农业农村局 县财政局",
            ["县农业农村局 县财政局关于农机补贴的通知", "2024年3月1日"],
        ),
        # a news headline and its dateline
        (
            "农机补贴惠及千家万户 清河日报讯 ",
            "农机补贴惠及千家万户",
            None,
            ["农机补贴惠及千家万户", "清河日报讯"],
        ),
    ],
)
def test_a_title_run_into_the_body_on_one_line_is_set_off(
    tmp_path: Path, first_line: str, title: str, issuer: str | None, head: list[str]
) -> None:
    text = first_line + _PASTED_BODY + "\n二、其他事项。\n"
    doc = read_document(write_text(tmp_path / "0a1b2c3d.txt", text, "utf-8"))
    assert (doc.meta.title, doc.meta.issuer) == (title, issuer)
    lines = doc.text.split("\n")
    assert lines[: len(head)] == head
    assert lines[len(head)] == _PASTED_BODY  # the body is untouched, only the gaps became line breaks


@pytest.mark.parametrize(
    "first_line",
    [
        "第一条 ",  # an article, not a title
        "一、总体要求 ",  # a list item
        "（记者 王某）",  # a bracket closed only in the body
        "据报道，县里 ",  # a sentence
    ],
)
def test_a_long_first_line_that_opens_with_no_title_is_left_as_it_is(tmp_path: Path, first_line: str) -> None:
    text = first_line + _PASTED_BODY
    doc = read_document(write_text(tmp_path / "loose.txt", text, "utf-8"))
    assert doc.text == text
    assert doc.meta.title == "loose"


def test_unsupported_and_missing_files(tmp_path: Path) -> None:
    with pytest.raises(CorpusError, match=r"sheet\.xls has an unsupported file type '\.xls'"):
        read_document(tmp_path / "sheet.xls")
    with pytest.raises(CorpusError, match=r"missing\.txt cannot be read"):
        read_document(tmp_path / "missing.txt")


# ---------------------------------------------------------------------------------------------- Word


def test_docx_paragraphs_and_tables_in_order(tmp_path: Path) -> None:
    path = write_docx(
        tmp_path / "subsidy.docx",
        [
            "青财农〔2024〕7号",
            "青禾县小额信贷贴息管理办法",
            "第一条 为规范小额信贷贴息，制定本办法。",
            [["对象", "额度", "期限"], ["脱贫户", "5万元以下", "3年以内"]],
            "第二条 贴息资金由县财政承担。",
        ],
        core_title="Microsoft Word - draft",
    )
    doc = read_document(path)
    assert doc.meta.title == "青禾县小额信贷贴息管理办法"
    assert doc.meta.doc_number == "青财农〔2024〕7号"
    assert doc.text.split("\n") == [
        "青财农〔2024〕7号",
        "青禾县小额信贷贴息管理办法",
        "第一条 为规范小额信贷贴息，制定本办法。",
        "对象\t额度\t期限",
        "脱贫户\t5万元以下\t3年以内",
        "第二条 贴息资金由县财政承担。",
    ]
    _assert_clean(doc)


@pytest.mark.parametrize(
    ("core_title", "expected"),
    [
        ("青禾县就业帮扶通知", "青禾县就业帮扶通知"),
        ("Microsoft Word - 草稿.doc", "jobs"),
        ("untitled", "jobs"),
    ],
)
def test_docx_title_property_is_a_fallback(tmp_path: Path, core_title: str, expected: str) -> None:
    blocks = ["为促进监测户就业，现就有关事项通知如下。", "一、开发公益性岗位。"]
    doc = read_document(write_docx(tmp_path / "jobs.docx", blocks, core_title=core_title))
    assert doc.meta.title == expected


@pytest.mark.parametrize("damage", ["random", "truncated"])
def test_corrupt_docx_is_rejected(tmp_path: Path, damage: str) -> None:
    path = tmp_path / "broken.docx"
    if damage == "random":
        path.write_bytes(random.Random(1).randbytes(3000))
    else:
        good = write_docx(tmp_path / "good.docx", ["第一条 正文。"]).read_bytes()
        path.write_bytes(good[: len(good) // 2])
    with pytest.raises(CorpusError, match=r"broken\.docx is not a valid Word \(\.docx\) file"):
        read_document(path)


def test_docx_without_text_is_rejected(tmp_path: Path) -> None:
    path = write_docx(tmp_path / "blank.docx", ["", "  "])
    with pytest.raises(CorpusError, match=r"blank\.docx contains no text"):
        read_document(path)


# ---------------------------------------------------------------------------------------------- HTML

HTML = """<!DOCTYPE html>
<html><head><meta charset="gb2312"><title>青禾县医疗救助办法_青禾县人民政府网</title>
<style>p { color: red }</style><script>var secret = "不要读我";</script></head>
<body>
<header>网站首页 | 政务公开</header>
<nav><a href="/">首页</a></nav>
<h1>青禾县医疗救助办法</h1>
<p>青政发〔2022〕3号</p>
<p>第一条　为保障困难群众
基本医疗，制定本办法。</p>
<div>第二条 救助比例<b>不低于</b>70%。<br>年度限额2万元。</div>
<table><tr><th>对象</th><th>比例</th></tr><tr><td>特困人员</td><td>100%</td></tr></table>
<!-- 注释不要 -->
<footer>版权所有 青禾县人民政府</footer>
</body></html>
"""


def test_html_keeps_body_text_and_drops_page_furniture(tmp_path: Path) -> None:
    path = tmp_path / "medical.html"
    path.write_bytes(HTML.encode("gb18030"))
    doc = read_document(path)
    assert doc.meta.title == "青禾县医疗救助办法"
    assert doc.meta.doc_number == "青政发〔2022〕3号"
    lines = doc.text.split("\n")
    assert "第一条　为保障困难群众基本医疗，制定本办法。" in lines
    assert "第二条 救助比例不低于70%。" in lines
    assert "年度限额2万元。" in lines
    assert "对象\t比例" in lines and "特困人员\t100%" in lines
    for junk in ("不要读我", "color", "首页", "版权所有", "注释不要", "青禾县人民政府网"):
        assert junk not in doc.text
    _assert_clean(doc)


def test_html_title_falls_back_to_the_title_element(tmp_path: Path) -> None:
    path = tmp_path / "page.htm"
    path.write_text(
        "<html><head><title>帮扶政策问答 - 青禾县</title></head><body><p>问：怎么申请？</p></body></html>",
        encoding="utf-8",
    )
    assert read_document(path).meta.title == "帮扶政策问答"


# ---------------------------------------------------------------------------------------------- PDF


def test_pdf_rejoins_wrapped_lines_and_drops_page_numbers(tmp_path: Path, pdf_font: str) -> None:
    article_1 = "第一条 为保障农村低收入群体住房安全，根据有关规定，结合本县实际，制定本办法。"
    article_2 = "第二条 本办法适用于本县行政区域内农村低收入群体的住房安全保障工作，由县住房和城乡建设局会同各乡镇人民政府负责组织实施和"
    assert len(article_2) % 20 == 0  # its last line on page 1 is a full line
    path = write_pdf(
        tmp_path / "housing.pdf",
        [
            ["青政办〔2023〕12号", "青禾县住房安全保障实施办法", "第一章 总则", article_1, article_2],
            ["监督检查。", "（一）脱贫户；", "第三条 D级危房每户补助3.5万元。"],
        ],
        chars_per_line=20,
    )
    doc = read_document(path)
    assert doc.meta.title == "青禾县住房安全保障实施办法"
    assert doc.meta.doc_number == "青政办〔2023〕12号"
    lines = doc.text.split("\n")
    assert article_1 in lines
    # article 2 ends a page at a full line mid-sentence: it continues on the next page.
    assert article_2 + "监督检查。" in lines
    assert "第一章 总则" in lines and "（一）脱贫户；" in lines and "第三条 D级危房每户补助3.5万元。" in lines
    assert not any(line.strip("- ").isdigit() for line in lines)
    _assert_clean(doc)


def test_pdf_without_text_layer_needs_ocr(tmp_path: Path, pdf_font: str) -> None:
    path = write_pdf(tmp_path / "scan.pdf", [[], []])
    with pytest.raises(CorpusError, match=r"scan\.pdf has no text layer .* needs OCR"):
        read_document(path)


def test_pdf_page_without_text_is_skipped(tmp_path: Path, pdf_font: str) -> None:
    path = write_pdf(tmp_path / "mixed.pdf", [["青禾县饮水安全办法", "第一条 正文。"], []])
    assert read_document(path).text == "青禾县饮水安全办法\n第一条 正文。"


def test_corrupt_and_encrypted_pdfs_are_rejected(tmp_path: Path, pdf_font: str) -> None:
    from pypdf import PdfReader, PdfWriter

    good = write_pdf(tmp_path / "good.pdf", [["青禾县饮水安全办法", "第一条 正文。"]])
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(b"%PDF-1.7\n" + random.Random(5).randbytes(2000))
    with pytest.raises(CorpusError, match=r"broken\.pdf"):
        read_document(broken)

    writer = PdfWriter(clone_from=PdfReader(good))
    writer.encrypt(user_password="secret", algorithm="RC4-128")
    locked = tmp_path / "locked.pdf"
    with locked.open("wb") as fh:
        writer.write(fh)
    with pytest.raises(CorpusError, match=r"locked\.pdf is encrypted"):
        read_document(locked)


def test_reflow_keeps_short_lines_headings_and_sentence_ends() -> None:
    pages = [
        "青禾县帮扶办法\n一、总体要求\n这一行很长很长很长很长很长很长没有标点结\n尾所以接上\n短行不接\n（一）下一项\n3\n"
    ]
    assert reflow_pdf_pages(pages).split("\n") == [
        "青禾县帮扶办法",
        "一、总体要求",
        "这一行很长很长很长很长很长很长没有标点结尾所以接上",
        "短行不接",
        "（一）下一项",
    ]


def test_reflow_joins_numbers_without_a_space_and_words_with_one() -> None:
    assert reflow_pdf_pages(["资金来源为中央财政衔接推进乡村振兴补助资金20\n24年度预算。"]) == (
        "资金来源为中央财政衔接推进乡村振兴补助资金2024年度预算。"
    )
    assert (
        reflow_pdf_pages(["申请表格式详见附件 application\nform。"])
        == "申请表格式详见附件 application form。"
    )
