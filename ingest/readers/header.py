"""Metadata guessing: title, 文号, issuer and dates of a notice without front matter, from its own header and
closing lines."""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass, field
from datetime import date

from ingest.chunking import is_heading_line

_CN_DIGIT_VALUES = {"〇": 0, "○": 0, "零": 0, "Ｏ": 0, "O": 0, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5}
_CN_DIGIT_VALUES |= {"六": 6, "七": 7, "八": 8, "九": 9}
_CN_NUM = "〇○零Ｏ一二三四五六七八九十"
_DATE = re.compile(
    rf"(?P<y>(?:19|20)\d{{2}}|[{_CN_NUM}]{{4}})\s*年\s*(?P<m>\d{{1,2}}|[{_CN_NUM}]{{1,3}})\s*月"
    rf"\s*(?P<d>\d{{1,2}}|[{_CN_NUM}]{{1,3}})\s*日"
)
_ISO_DATE = re.compile(r"^\s*(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})\s*$")
_DATE_ONLY_LINE = re.compile(rf"^[（(]?\s*(?:{_DATE.pattern})\s*[）)]?$")
_DOC_NUMBER = re.compile(
    r"(?<![\u4e00-\u9fff])(?:"
    r"[\u4e00-\u9fff]{1,12}\s*[〔\[［（(【]\s*(?:19|20)\d{2}\s*[〕\]］）)】]\s*第?\s*\d{1,5}\s*号"
    rf"|(?:中华人民共和国)?[\u4e00-\u9fff]{{1,14}}?令\s*(?:第\s*)?[\d{_CN_NUM}百]+\s*号"
    r")"
)
_TITLE_SUFFIX = re.compile(
    r"(?:通知|意见|办法|方案|条例|决定|规定|细则|标准|规划|纲要|法|通告|公告|批复|函|报告|计划|规则|指引|指南"
    r"|要点|清单|目录|决议|章程|制度|措施|规范|公报)"
    r"(?:\s*[（(][^（）()]{1,16}[）)])?$"
)
_ORG_SUFFIX = re.compile(
    r"(?:国务院|中共中央|中央|党中央|政府|办公厅|办公室|部|委|委员会|局|厅|院|署|会|办|中心|银行|党委|常委会|法院"
    r"|检察院|联合会|残联|妇联|团委|工会|协会|处|科|股|站|所|队)$"
)
_META_LINE = re.compile(
    r"^(?:(?:来源|信息来源|发布时间|发布日期|成文日期|索引号|发文机关|发文字号|文号|主题分类|主题词|公文种类|签发人|字号"
    r"|公开方式)\s*[:：]|(?:特急|加急|平急|特提|机密|秘密|绝密|急件)(?:\s|★|$)|【?字体)"
)
_EFFECTIVE_IN_TEXT = re.compile(rf"自\s*(?:{_DATE.pattern})\s*起\s*(?:施行|实施|执行|生效)")
_ENACTED = re.compile(r"(?:通过|修订|修正|公布|发布)[）)]?$")
_ORDINAL = rf"第[\d{_CN_NUM}百]+"
# "北京市第十六届人民代表大会常务委员会第十次会议通过" → 北京市人民代表大会常务委员会
_SESSION = re.compile(
    rf"^(?P<pre>[\u4e00-\u9fff]{{0,12}}?){_ORDINAL}届(?P<body>[\u4e00-\u9fff]{{2,20}}?){_ORDINAL}次"
)
# "国务院第21次常务会议通过" → 国务院
_COUNCIL_SESSION = re.compile(rf"^(?P<body>[\u4e00-\u9fff]{{2,20}}?){_ORDINAL}次(?:常务|全体)?会议")
# "中华人民共和国国务院令第271号公布" → 国务院
_DECREE = re.compile(r"^(?:中华人民共和国)?(?P<body>[\u4e00-\u9fff]{2,20}?)令")
_LABELLED = re.compile(
    r"^(?P<label>发文机关|成文日期|发布日期|发布时间|印发日期|施行日期|实施日期|生效日期)\s*[:：]\s*(?P<value>.+)$"
)
_MARKUP_PREFIX = re.compile(r"^(?:#{1,6}\s*|\*\*|__)+")
_MARKUP_SUFFIX = re.compile(r"(?:\*\*|__)+$")
HEADER_LINES = 12


def _cn_number(s: str) -> int:
    """Value of a number written in digits or Chinese numerals up to 99 (or digit by digit, for years)."""
    if s.isdigit():
        return int(s)
    if "十" in s:
        tens, _, ones = s.partition("十")
        return (_CN_DIGIT_VALUES.get(tens, 1) if tens else 1) * 10 + (
            _CN_DIGIT_VALUES.get(ones, 0) if ones else 0
        )
    value = 0
    for ch in s:
        value = value * 10 + _CN_DIGIT_VALUES[ch]
    return value


def _date_from_match(m: re.Match[str]) -> date | None:
    try:
        return date(_cn_number(m.group("y")), _cn_number(m.group("m")), _cn_number(m.group("d")))
    except (KeyError, ValueError):
        return None


def parse_date(value: str) -> date | None:
    """Parse 2023-03-15, 2023/3/15, 2023年3月15日 or 二〇二三年三月十五日; None when it is not a date."""
    iso = _ISO_DATE.match(value)
    if iso:
        try:
            return date(int(iso.group(1)), int(iso.group(2)), int(iso.group(3)))
        except ValueError:
            return None
    m = _DATE.fullmatch(value.strip())
    return _date_from_match(m) if m else None


def _plain_line(line: str) -> str:
    """A line without surrounding whitespace and Markdown heading or emphasis marks."""
    return _MARKUP_SUFFIX.sub("", _MARKUP_PREFIX.sub("", line.strip())).strip()


def _is_org_line(line: str) -> bool:
    """A line that only names one or more issuing bodies, e.g. "民政部 财政部"."""
    if not line or len(line) > 60 or re.search(r"[\d。；：:，,！？]", line):
        return False
    parts = [p for p in re.split(r"[\s、]+", line) if p]
    return bool(parts) and all(2 <= len(p) <= 30 and _ORG_SUFFIX.search(p) for p in parts)


def _doc_number_in(line: str) -> str | None:
    """The 文号 of a header line such as "民发〔2018〕23号"; a body sentence citing another document's 文号 (it
    has commas or ends a sentence) gives None."""
    if len(line) > 40 or (re.search(r"[，,。；;：:]", line) and not _META_LINE.match(line)):
        return None
    m = _DOC_NUMBER.search(line)
    return re.sub(r"\s+", "", m.group(0)) if m else None


def issuer_from_title(title: str) -> str | None:
    """The issuing body a title opens with, as in "民政部 财政部关于…的通知"; None when it names none."""
    head, sep, _ = title.partition("关于")
    head = head.strip()
    if sep and head and _is_org_line(head):
        return head
    return None


RUN_IN_LINE_CHARS = 100  # a first line longer than this is a paragraph, not a title line
RUN_IN_SEGMENT_CHARS = 60
RUN_IN_SEGMENTS = 4
_RUN_IN_GAP = re.compile(r"[ \t\u00a0\u2002\u2003\u3000]+")
_SENTENCE_MARK = re.compile(r"[。；;！!？?，,]")


def set_off_run_in_head(text: str) -> str:
    """A page pasted as one line (title, a gap, then the body) gets its head set off: the short segments the
    first line opens with (issuer, date, title), each ended by a run of spaces, go on lines of their own, so the
    title is read as a title and never stands inside the first sentence. Issuing bodies side by side (民政部
    财政部) stay on one line, and with the title they open. Nothing else changes: the gaps become line breaks,
    and a text whose first line is short is returned as it is.

        set_off_run_in_head("某县关于做好春耕的通知  为做好春耕，……")  # "某县关于做好春耕的通知\n为做好春耕，……"
    """
    first, newline, rest = text.partition("\n")
    if len(first) <= RUN_IN_LINE_CHARS:
        return text
    lines: list[str] = []
    body_at, gap = 0, ""  # where the body starts; the gap before the segment at hand
    for taken, match in enumerate(_RUN_IN_GAP.finditer(first)):
        part = first[body_at : match.start()]
        if taken == RUN_IN_SEGMENTS or not _run_in_segment(part):
            break
        # 民政部 财政部关于…的通知: issuers stay with each other and with the title they open
        if lines and _is_org_line(lines[-1]) and (is_title_like(part) or _is_org_line(part)):
            lines[-1] += gap + part
        else:
            lines.append(part)
        body_at, gap = match.end(), match.group()
    if not lines:
        return text
    return "\n".join([*lines, first[body_at:]]) + newline + rest


def _run_in_segment(part: str) -> bool:
    """A segment that can be a head line: short, not a sentence or a list item, brackets and quotes closed."""
    return (
        2 <= len(part) <= RUN_IN_SEGMENT_CHARS
        and not _SENTENCE_MARK.search(part)
        and not is_heading_line(part)  # 第三条, 一、, （一）, 1.: an article or a list item, never a title
        and part.count("（") + part.count("(") == part.count("）") + part.count(")")
        and part.count("“") == part.count("”")
        and part.count("《") == part.count("》")
    )


def is_title_like(line: str) -> bool:
    """A line that ends like a document title (…通知, …办法 …), not like a sentence."""
    return bool(_TITLE_SUFFIX.search(line)) and not re.search(r"[。；：:]$", line)


@dataclass
class NoticeHeader:
    """What a notice's own lines say; the field names are DocumentMeta's, `lines` the line each was read from."""

    title: str | None = None
    doc_number: str | None = None
    issuer: str | None = None
    issued: date | None = None
    effective_from: date | None = None
    lines: dict[str, str] = field(default_factory=dict)

    def take(self, name: str, value: str | date | None, line: str) -> None:
        """Set a field from `line` unless an earlier line already set it."""
        if value is not None and getattr(self, name) is None:
            setattr(self, name, value)
            self.lines[name] = line

    def fields(self) -> dict[str, str | date | None]:
        """The DocumentMeta fields found."""
        return {f.name: getattr(self, f.name) for f in dataclasses.fields(self) if f.name != "lines"}


def derive_header(text: str) -> NoticeHeader:
    """Find title, 文号, issuer and dates in the first and last lines of a notice."""
    header = NoticeHeader()
    lines = [pl for pl in (_plain_line(ln) for ln in text.split("\n")) if pl]
    top = lines[:HEADER_LINES]
    title_at: int | None = None
    enacted: list[tuple[date, str]] = []  # dates a law or regulation was adopted, revised, promulgated
    for i, line in enumerate(top):
        number = _doc_number_in(line)
        header.take("doc_number", number, line)
        date_only = _DATE_ONLY_LINE.match(line)
        starts_with_date = _DATE.match(line)
        if date_only:
            header.take("issued", _date_from_match(date_only), line)
        elif starts_with_date:
            rest = line[starts_with_date.end() :].strip()
            when = _date_from_match(starts_with_date)
            if when and (re.search(r"公布|发布|印发", rest) or _ENACTED.search(rest)):
                enacted.append((when, line))
                header.take("issuer", _issuer_of_enactment(rest), line)
            elif re.fullmatch(r"(?:起\s*)?(?:施行|实施)", rest):
                header.take("effective_from", when, line)
        labelled = _LABELLED.match(line)
        if labelled:
            _read_labelled(labelled.group("label"), labelled.group("value").strip(), line, header)
        if title_at is not None or number or date_only or starts_with_date or _META_LINE.match(line):
            continue
        if line.endswith("文件") and _is_org_line(line[: -len("文件")].strip()):
            header.take("issuer", line[: -len("文件")].strip(), line)
            continue
        if _is_org_line(line) and not is_title_like(line):
            header.take("issuer", line, line)
            continue
        title_at = i
        header.take("title", _title_from(top, i), line)

    if header.title and (len(header.title) > 100 or re.search(r"[。；：:]$", header.title)):
        header.title = None  # the first line is a paragraph: the file has no title line
        header.lines.pop("title", None)
    if enacted:  # the latest of 通过 / 修订 / 修正 / 公布 dates the version at hand
        when, line = max(enacted, key=lambda e: e[0])
        header.take("issued", when, line)
    if header.title:
        header.take("issuer", issuer_from_title(header.title), header.lines["title"])

    _read_closing_lines(lines[-8:], header)
    tail = text[-800:]
    effective = list(_EFFECTIVE_IN_TEXT.finditer(tail))
    if effective:
        last = effective[-1]
        header.take("effective_from", _date_from_match(last), _line_around(tail, last.start()))
    return header


def _line_around(text: str, at: int) -> str:
    """The whole (plain) line of `text` that holds position `at`."""
    start = text.rfind("\n", 0, at) + 1
    end = text.find("\n", at)
    return _plain_line(text[start : end if end >= 0 else len(text)])


def _issuer_of_enactment(rest: str) -> str | None:
    """The body named by "…第十次会议通过" or "…国务院令第271号公布" after a header line's date."""
    m = _SESSION.match(rest) or _COUNCIL_SESSION.match(rest)
    if m:
        org = m.group("pre") + m.group("body") if "pre" in m.groupdict() else m.group("body")
    else:
        decree = _DECREE.match(rest)
        org = decree.group("body") if decree else ""
    return org if org and _is_org_line(org) else None


def _read_labelled(label: str, value: str, line: str, header: NoticeHeader) -> None:
    """A "发文机关：民政部" / "成文日期：2021年6月11日" line of a government site's header table."""
    if label == "发文机关":
        header.take("issuer", value if _is_org_line(value) else None, line)
    elif label in ("成文日期", "发布日期", "发布时间", "印发日期"):
        header.take("issued", parse_date(value.split()[0]) if value else None, line)
    elif label in ("施行日期", "实施日期", "生效日期"):
        header.take("effective_from", parse_date(value.split()[0]) if value else None, line)


def _title_from(lines: list[str], i: int) -> str:
    """The title line, joined with the next one or two lines when the title was broken across lines."""
    first = lines[i]
    if is_title_like(first):
        return first
    joined = first
    for extra in lines[i + 1 : i + 3]:
        if (
            len(extra) > 50
            or re.search(r"[。；：:，]$", extra)
            or _DATE.match(extra)
            or _doc_number_in(extra)
        ):
            break
        joined += extra
        if is_title_like(joined):
            return joined
    return first


def _read_closing_lines(tail: list[str], header: NoticeHeader) -> None:
    """A notice often ends with the issuing bodies' names (one a line), the date, and sometimes its 文号."""
    for line in tail:
        if not _DATE_ONLY_LINE.match(line):
            header.take("doc_number", _doc_number_in(line), line)
    for k in range(len(tail) - 1, -1, -1):
        m = _DATE_ONLY_LINE.match(tail[k])
        if not m:
            continue
        header.take("issued", _date_from_match(m), tail[k])
        orgs: list[str] = []
        j = k - 1
        while j >= 0 and len(orgs) < 4 and _is_org_line(tail[j]):
            orgs.insert(0, tail[j])
            j -= 1
        if orgs:
            header.take("issuer", "、".join(orgs), orgs[0])
        return
