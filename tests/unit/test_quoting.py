"""core.answers.quoting: footnotes that quote the cited clause, and stream pieces of a reply."""

from __future__ import annotations

from core.answers import texts
from core.answers.compose import Answer
from core.answers.quoting import QUOTE_CHARS, content_pieces, footnotes, quote, reply_content
from core.knowledge.models import Citation

CLAUSE = "第五条 补助标准\n（一）C级危房每户补助1.5万元；\nD级危房每户补助3.5万元。"


def citation(
    n: int = 1,
    text: str = CLAUSE,
    *,
    doc_number: str | None = "青政办〔2023〕12号",
    section: str | None = "第五条",
) -> Citation:
    return Citation(
        n=n,
        doc_id="housing",
        title="住房安全保障办法",
        doc_number=doc_number,
        section=section,
        text=text,
        score=0.9,
    )


def test_a_footnote_names_title_doc_number_section_and_quotes_the_clause_after_its_heading() -> None:
    [note] = footnotes("可以申请补助[1]", [citation()])
    assert (
        note
        == "[1] 《住房安全保障办法》（青政办〔2023〕12号） 第五条：“补助标准 （一）C级危房每户补助1.5万元；D级危房每户补助3.5万元。”"
    )


def test_a_footnote_without_doc_number_or_section_leaves_them_out() -> None:
    [note] = footnotes("答[2]", [citation(2, "本办法自2023年4月1日起施行。", doc_number=None, section=None)])
    assert note == "[2] 《住房安全保障办法》：“本办法自2023年4月1日起施行。”"


def test_the_quote_starts_where_the_answer_quotes_the_clause_verbatim_with_its_marker() -> None:
    answer = "政策原文：\nD级危房每户补助3.5万元。[1]"
    assert quote(citation(), answer) == texts.ELLIPSIS + "D级危房每户补助3.5万元。"
    # The same words backed by another marker do not move this citation's quote.
    assert quote(citation(), "政策原文：\nD级危房每户补助3.5万元。[2]").startswith("补助标准")


def test_the_section_path_headings_that_open_the_text_are_skipped() -> None:
    text = "一、补助对象\n（一）补贴标准。每户补助1.5万元。"
    assert (
        quote(citation(text=text, section="一、补助对象 › （一）补贴标准。"), "答[1]") == "每户补助1.5万元。"
    )


def test_a_long_quote_is_cut_after_a_sentence_near_the_limit() -> None:
    sentence = "符合条件的农户向村委会提出书面申请并提交身份证明。"
    text = sentence * 6
    cut = quote(citation(text=text, section=None), "答[1]")
    assert cut.endswith("。" + texts.ELLIPSIS)
    assert QUOTE_CHARS // 2 <= len(cut) - 1 <= QUOTE_CHARS
    assert text.startswith(cut.removesuffix(texts.ELLIPSIS))


def test_the_reply_is_the_answer_a_blank_line_and_the_footnotes_and_an_abstention_has_none() -> None:
    answered = Answer(answer="C级危房每户补助1.5万元。[1]", abstained=False, citations=[citation()])
    assert (
        reply_content(answered)
        == answered.answer + "\n\n" + footnotes(answered.answer, answered.citations)[0]
    )
    assert reply_content(Answer(answer=texts.ABSTAIN, abstained=True)) == texts.ABSTAIN


def test_content_pieces_join_back_and_keep_markers_with_their_sentence() -> None:
    content = "【补助】\n补多少：每户1.5万元；低保户再加0.3万元[2]\n政策原文：\n（二）每户补助1.5万元；[2]\n\n[1] 《办法》：“甲。”"
    pieces = content_pieces(content)
    assert "".join(pieces) == content
    assert "（二）每户补助1.5万元；[2]\n\n" in pieces
    assert not any(p.startswith(("[2]", "\n", "”")) for p in pieces)
