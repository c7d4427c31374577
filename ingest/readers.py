"""Read one policy file (.md with front matter, .txt in any common Chinese encoding, .docx, .pdf, .html).

Example:
    >>> from pathlib import Path
    >>> doc = read_document(Path("policies/docs/qinghe-housing-safety-2023.md"))  # doctest: +SKIP
    >>> doc.title, doc.doc_number  # doctest: +SKIP
    ('青禾县农村低收入群体住房安全保障实施办法', '青政办〔2023〕12号')

`ParsedDocument.text` is the text citations quote: newlines are "\\n", lines carry no trailing spaces, there
are no NULs and no runs of blank lines. Files without front matter get their title, 文号, issuer and dates from
the notice's own header and closing lines. Every failure is a `CorpusError` naming the file and the reason.
"""

from __future__ import annotations

import io
import logging
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import yaml

from core.errors import CorpusError
from ingest.chunking import is_heading_line

logger = logging.getLogger(__name__)

SUPPORTED_SUFFIXES = (".md", ".markdown", ".txt", ".docx", ".pdf", ".html", ".htm")
MAX_FILE_BYTES = 64 * 1024 * 1024

_STR_FIELDS = ("title", "doc_number", "issuer", "region", "category", "supersedes", "superseded_by")
_DATE_FIELDS = ("issued", "effective_from", "effective_to")


@dataclass
class ParsedDocument:
    """One policy document as read from a file: its text and what is known about it."""

    title: str
    text: str
    doc_number: str | None = None
    issuer: str | None = None
    issued: date | None = None
    effective_from: date | None = None
    effective_to: date | None = None
    region: str | None = None
    category: str | None = None
    supersedes: str | None = None
    superseded_by: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


# --------------------------------------------------------------------------------------------------------------
# Decoding


_CJK_RANGES = (
    (0x3400, 0x4DBF),  # CJK extension A
    (0x4E00, 0x9FFF),  # CJK unified ideographs
    (0xF900, 0xFAFF),  # CJK compatibility ideographs
    (0x3000, 0x303F),  # CJK symbols and punctuation
    (0xFF00, 0xFFEF),  # full-width forms
    (0x2000, 0x206F),  # general punctuation (“” — …)
    (0x2100, 0x218F),  # letterlike symbols, number forms (Ⅰ Ⅱ)
    (0x2460, 0x24FF),  # enclosed alphanumerics (①)
    (0x2500, 0x25FF),  # box drawing, geometric shapes (■ ●)
    (0x3100, 0x312F),  # bopomofo
    (0x00B7, 0x00B7),  # middle dot
    (0x00D7, 0x00D7),  # multiplication sign
)
_ALLOWED_CONTROLS = frozenset("\t\n\r\f\v")


def _is_common_char(ch: str) -> bool:
    cp = ord(ch)
    if cp < 0x80:
        return ch.isprintable() or ch in _ALLOWED_CONTROLS
    return any(lo <= cp <= hi for lo, hi in _CJK_RANGES)


def _is_bad_char(ch: str) -> bool:
    """Characters that do not occur in real text: controls, unassigned, surrogates, replacement char."""
    if ch in _ALLOWED_CONTROLS:
        return False
    if ch == "\ufffd":
        return True
    return unicodedata.category(ch) in ("Cc", "Cs", "Cn")


def _looks_like_text(text: str, *, strict: bool) -> bool:
    """Reject decodings of binary data; `strict` also demands mostly Chinese/ASCII (for legacy encodings)."""
    if "\x00" in text:
        return False
    sample = text[:200_000]
    if not sample:
        return True
    bad = sum(1 for ch in sample if _is_bad_char(ch))
    if bad > max(2, len(sample) // 200):
        return False
    if strict:
        common = sum(1 for ch in sample if _is_common_char(ch))
        return common >= 0.9 * len(sample)
    return True


def _hanzi(text: str) -> list[str]:
    return [ch for ch in text[:50_000] if "\u4e00" <= ch <= "\u9fff"]


def _gb2312_share(text: str) -> float:
    """Share of the ideographs that are in GB2312: high for real GBK text, low for Big5 bytes read as GBK."""
    chars = _hanzi(text)
    if not chars:
        return 1.0
    ok = 0
    for ch in chars:
        try:
            ch.encode("gb2312")
        except UnicodeEncodeError:
            continue
        ok += 1
    return ok / len(chars)


def _big5_common_share(text: str) -> float:
    """Share of the ideographs in Big5's frequent-character block (lead bytes A4-C6)."""
    chars = _hanzi(text)
    if not chars:
        return 0.0
    ok = 0
    for ch in chars:
        try:
            encoded = ch.encode("big5")
        except UnicodeEncodeError:
            continue
        if 0xA4 <= encoded[0] <= 0xC6:
            ok += 1
    return ok / len(chars)


def _strict(raw: bytes, encoding: str) -> str | None:
    try:
        return raw.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        return None


_BOMS: tuple[tuple[bytes, str], ...] = (
    (b"\xef\xbb\xbf", "utf-8"),
    (b"\xff\xfe\x00\x00", "utf-32-le"),
    (b"\x00\x00\xfe\xff", "utf-32-be"),
    (b"\xff\xfe", "utf-16-le"),
    (b"\xfe\xff", "utf-16-be"),
)


def _decode_utf16_without_bom(raw: bytes) -> str | None:
    """UTF-16 without a BOM: accept a byte order only if it yields plausible text (ASCII read in the wrong
    order becomes unassigned or non-Chinese code points and fails the check)."""
    if len(raw) % 2:
        return None
    for encoding in ("utf-16-le", "utf-16-be"):
        text = _strict(raw, encoding)
        if text is not None and _looks_like_text(text, strict=True):
            return text
    return None


def _decode_legacy_chinese(raw: bytes) -> str | None:
    """Choose between GB18030 (a superset of GBK and GB2312) and Big5 by how common the characters are."""
    gb = _strict(raw, "gb18030")
    big5 = _strict(raw, "big5")
    candidates: list[tuple[float, str]] = []
    if gb is not None and _looks_like_text(gb, strict=True):
        candidates.append((_gb2312_share(gb), gb))
    if big5 is not None and _looks_like_text(big5, strict=True):
        candidates.append((_big5_common_share(big5) - 0.05, big5))  # ties go to GB18030
    if not candidates:
        return None
    return max(candidates, key=lambda c: c[0])[1]


def _decode_lenient(raw: bytes, name: str) -> str | None:
    """A few broken bytes (a truncated last character, say) should not lose a whole file."""
    for encoding in ("utf-8", "gb18030"):
        text = raw.decode(encoding, errors="replace")
        if text.count("\ufffd") <= max(1, len(text) // 1000) and _looks_like_text(
            text.replace("\ufffd", ""), strict=True
        ):
            logger.warning(
                "%s: decoded as %s with %d undecodable bytes replaced", name, encoding, text.count("\ufffd")
            )
            return text
    return None


def _decode_with_charset_normalizer(raw: bytes) -> str | None:
    from charset_normalizer import from_bytes

    best = from_bytes(raw).best()
    if best is None:
        return None
    text = str(best)
    return text if _looks_like_text(text, strict=True) else None


def decode_text(raw: bytes, *, name: str = "the input") -> str:
    """Decode a text file's bytes, detecting UTF-8/16/32 (BOM), GB18030/GBK/GB2312 and Big5; reject binary data."""
    if not raw:
        raise CorpusError(f"{name} is empty")
    text: str | None = None
    for bom, encoding in _BOMS:
        if raw.startswith(bom):
            decoded = _strict(raw[len(bom) :], encoding)
            text = decoded if decoded is not None and _looks_like_text(decoded, strict=False) else None
            if text is None:
                raise CorpusError(f"{name} is not a text file or uses an unknown encoding")
            break
    else:
        if b"\x00" in raw:
            text = _decode_utf16_without_bom(raw)
        else:
            utf8 = _strict(raw, "utf-8")
            if utf8 is not None and _looks_like_text(utf8, strict=False):
                text = utf8
            else:
                text = (
                    _decode_legacy_chinese(raw)
                    or _decode_lenient(raw, name)
                    or _decode_with_charset_normalizer(raw)
                )
    if text is None:
        raise CorpusError(f"{name} is not a text file or uses an unknown encoding")
    if not text.replace("\ufeff", "").strip():
        raise CorpusError(f"{name} is empty")
    return text


# --------------------------------------------------------------------------------------------------------------
# Text clean-up shared by every format

_LINE_BREAKS = re.compile(r"\r\n|[\r\v\f\x85\u2028\u2029]")
_BLANK_RUNS = re.compile(r"\n{3,}")


def clean_text(text: str) -> str:
    """Normalise newlines to "\\n", drop NULs and BOMs, strip trailing spaces and outer blank lines."""
    text = _LINE_BREAKS.sub("\n", text).replace("\x00", "").replace("\ufeff", "")
    text = "\n".join(line.rstrip() for line in text.split("\n"))
    return _BLANK_RUNS.sub("\n\n", text).strip("\n")


# --------------------------------------------------------------------------------------------------------------
# Header fields of a notice without front matter

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
_MARKUP_PREFIX = re.compile(r"^(?:#{1,6}\s*|\*\*|__)+")
_MARKUP_SUFFIX = re.compile(r"(?:\*\*|__)+$")
_HEADER_LINES = 12


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


def _issuer_from_title(title: str) -> str | None:
    head, sep, _ = title.partition("关于")
    head = head.strip()
    if sep and head and _is_org_line(head):
        return head
    return None


def _is_title_like(line: str) -> bool:
    return bool(_TITLE_SUFFIX.search(line)) and not re.search(r"[。；：:]$", line)


@dataclass
class _Header:
    title: str | None = None
    doc_number: str | None = None
    issuer: str | None = None
    issued: date | None = None
    effective_from: date | None = None


def _derive_header(text: str) -> _Header:
    """Find title, 文号, issuer and dates in the first and last lines of a notice."""
    header = _Header()
    lines = [pl for pl in (_plain_line(ln) for ln in text.split("\n")) if pl]
    top = lines[:_HEADER_LINES]
    title_at: int | None = None
    for i, line in enumerate(top):
        number = _doc_number_in(line)
        if number:
            header.doc_number = header.doc_number or number
        date_only = _DATE_ONLY_LINE.match(line)
        starts_with_date = _DATE.match(line)
        if date_only:
            header.issued = header.issued or _date_from_match(date_only)
        elif starts_with_date:
            rest = line[starts_with_date.end() :]
            if re.search(r"公布|发布|印发", rest):
                header.issued = header.issued or _date_from_match(starts_with_date)
            elif re.fullmatch(r"\s*(?:起\s*)?(?:施行|实施)", rest):
                header.effective_from = header.effective_from or _date_from_match(starts_with_date)
        if title_at is not None or number or date_only or starts_with_date or _META_LINE.match(line):
            continue
        if line.endswith("文件") and _is_org_line(line[: -len("文件")].strip()):
            header.issuer = header.issuer or line[: -len("文件")].strip()
            continue
        if _is_org_line(line) and not _is_title_like(line):
            header.issuer = header.issuer or line
            continue
        title_at = i
        header.title = _title_from(top, i)

    if header.title and (len(header.title) > 100 or re.search(r"[。；：:]$", header.title)):
        header.title = None  # the first line is a paragraph: the file has no title line
    if header.title:
        header.issuer = header.issuer or _issuer_from_title(header.title)

    _read_closing_lines(lines[-6:], header)
    tail = text[-800:]
    effective = list(_EFFECTIVE_IN_TEXT.finditer(tail))
    if effective and header.effective_from is None:
        header.effective_from = _date_from_match(effective[-1])
    return header


def _title_from(lines: list[str], i: int) -> str:
    """The title line, joined with the next one or two lines when the title was broken across lines."""
    first = lines[i]
    if _is_title_like(first):
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
        if _is_title_like(joined):
            return joined
    return first


def _read_closing_lines(tail: list[str], header: _Header) -> None:
    """A notice often ends with the issuing body's name and the date it was issued."""
    for k in range(len(tail) - 1, -1, -1):
        m = _DATE_ONLY_LINE.match(tail[k])
        if not m:
            continue
        header.issued = header.issued or _date_from_match(m)
        if k > 0 and _is_org_line(tail[k - 1]):
            header.issuer = header.issuer or tail[k - 1]
        return


def _usable_title_hint(hint: str | None) -> str | None:
    """A title from file metadata, unless it is a tool's placeholder ("untitled", "Microsoft Word - a.doc")."""
    hint = (hint or "").strip()
    if not hint or hint.lower() in {"untitled", "untitled document", "无标题", "无标题文档"}:
        return None
    if hint.startswith("Microsoft Word -") or re.search(r"\.(?:docx?|pdf|wps)$", hint, re.IGNORECASE):
        return None
    return hint


def _document_from_text(text: str, path: Path, *, title_hint: str | None = None) -> ParsedDocument:
    """Build a ParsedDocument from extracted text, deriving the header fields from the notice itself."""
    text = clean_text(text)
    if not text.strip():
        raise CorpusError(f"{path} contains no text")
    header = _derive_header(text)
    title = header.title or _usable_title_hint(title_hint) or path.stem
    return ParsedDocument(
        title=title,
        text=text,
        doc_number=header.doc_number,
        issuer=header.issuer,
        issued=header.issued,
        effective_from=header.effective_from,
    )


# --------------------------------------------------------------------------------------------------------------
# Markdown with YAML front matter


def _split_front_matter(text: str, path: Path) -> tuple[str | None, str]:
    lines = text.split("\n")
    if not lines or lines[0].strip() != "---":
        return None, text
    for i in range(1, len(lines)):
        if lines[i].strip() in ("---", "..."):
            return "\n".join(lines[1:i]), "\n".join(lines[i + 1 :])
    raise CorpusError(f"{path}: the front matter that starts on line 1 is never closed with a '---' line")


def _front_matter_str(value: Any, key: str, path: Path) -> str | None:
    if value is None:
        return None
    if isinstance(value, (bool, list, dict)):
        raise CorpusError(f"{path}: front matter field '{key}' must be text, not {type(value).__name__}")
    text = str(value).strip()
    return text or None


def _front_matter_date(value: Any, key: str, path: Path) -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        parsed = parse_date(value)
        if parsed is not None:
            return parsed
    raise CorpusError(f"{path}: front matter field '{key}' is not a date (expected YYYY-MM-DD): {value!r}")


def _read_markdown(raw: bytes, path: Path) -> ParsedDocument:
    text = clean_text(decode_text(raw, name=str(path)))
    front, body = _split_front_matter(text, path)
    if front is None:
        return _document_from_text(body, path)
    try:
        meta = yaml.safe_load(front)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 2})" if mark is not None else ""
        problem = getattr(exc, "problem", None) or "syntax error"
        raise CorpusError(f"{path}: the front matter is not valid YAML{where}: {problem}") from exc
    if meta is None:
        meta = {}
    if not isinstance(meta, dict):
        raise CorpusError(f"{path}: the front matter must be a mapping of 'key: value' lines")
    body = clean_text(body)
    if not body.strip():
        raise CorpusError(f"{path} has front matter but no text")
    fields: dict[str, Any] = {key: _front_matter_str(meta.get(key), key, path) for key in _STR_FIELDS}
    fields |= {key: _front_matter_date(meta.get(key), key, path) for key in _DATE_FIELDS}
    if (
        fields["effective_from"]
        and fields["effective_to"]
        and fields["effective_to"] < fields["effective_from"]
    ):
        raise CorpusError(
            f"{path}: effective_to {fields['effective_to']} is before effective_from {fields['effective_from']}"
        )
    extra = {str(k): v for k, v in meta.items() if k not in _STR_FIELDS and k not in _DATE_FIELDS}
    title = fields.pop("title") or _derive_header(body).title or path.stem
    return ParsedDocument(title=title, text=body, extra=extra, **fields)


# --------------------------------------------------------------------------------------------------------------
# Plain text, Word, PDF, HTML


def _read_plain_text(raw: bytes, path: Path) -> ParsedDocument:
    return _document_from_text(decode_text(raw, name=str(path)), path)


def _read_docx(raw: bytes, path: Path) -> ParsedDocument:
    import docx
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    try:
        document = docx.Document(io.BytesIO(raw))
        lines: list[str] = []
        for block in document.iter_inner_content():
            if isinstance(block, Paragraph):
                lines.append(block.text)
            elif isinstance(block, Table):
                lines.extend(_docx_table_rows(block))
        core_title = document.core_properties.title
    except Exception as exc:  # python-docx raises zipfile, lxml, KeyError … on damaged files
        raise CorpusError(f"{path} is not a valid Word (.docx) file or is damaged: {_reason(exc)}") from exc
    return _document_from_text("\n".join(lines), path, title_hint=core_title)


def _docx_table_rows(table: Any) -> list[str]:
    """One line per table row, cells separated by tabs; merged cells appear once."""
    rows: list[str] = []
    for row in table.rows:
        cells: list[str] = []
        seen: set[int] = set()
        for cell in row.cells:
            if id(cell._tc) in seen:
                continue
            seen.add(id(cell._tc))
            cells.append(" ".join(p.text.strip() for p in cell.paragraphs if p.text.strip()))
        rows.append("\t".join(cells))
    return rows


_PAGE_NUMBER_LINE = re.compile(
    r"^[\s\-－—–~～]*(?:第\s*\d{1,4}\s*页(?:\s*[,，]?\s*共\s*\d{1,4}\s*页)?|\d{1,4}(?:\s*[/／]\s*\d{1,4})?"
    r"|[Pp]age\s*\d{1,4}(?:\s*of\s*\d{1,4})?)[\s\-－—–~～]*$"
)
_PDF_SENTENCE_END = tuple("。！？；：」”")
_WRAP_WIDTH_SHARE = 0.75


def _display_width(s: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in s)


def _join_wrapped(a: str, b: str) -> str:
    """Join a wrapped line to the next: no space in Chinese text or numbers, a space between Latin words."""
    if a and b and a[-1].isascii() and a[-1].isalpha() and b[0].isascii() and b[0].isalpha():
        return f"{a} {b}"
    return a + b


def _is_bare_heading(line: str) -> bool:
    """A heading such as "一、总体要求" or "第二章 申请条件": a title of its own, never wrapped into the next line.

    Article lines (第X条 ……) carry text, so they may wrap."""
    return (
        is_heading_line(line)
        and not re.match(r"第\S{1,8}条", line)
        and not re.search(r"[，,。；;：:！？]", line)
    )


def reflow_pdf_pages(pages: list[str]) -> str:
    """Join lines a PDF wrapped mid-sentence and drop page-number lines; pages are joined in order."""
    physical: list[tuple[str, int]] = []  # (line, width of the fullest line on its page)
    for page_text in pages:
        lines = [ln.strip() for ln in clean_text(page_text).split("\n")]
        lines = [ln for ln in lines if not (ln and _PAGE_NUMBER_LINE.match(ln))]
        page_width = max((_display_width(ln) for ln in lines), default=0)
        physical.extend((ln, page_width) for ln in lines)

    out: list[str] = []
    previous_line = ""
    previous_width = 0
    for index, (line, page_width) in enumerate(physical):
        # Only the first lines can hold the title; further down a line ending in 规定 or 办法 is just text.
        in_header = index <= _HEADER_LINES
        wrapped = (
            out
            and previous_line
            and line
            and not previous_line.endswith(_PDF_SENTENCE_END)
            and not is_heading_line(line)
            and not (in_header and _is_title_like(previous_line))
            and _display_width(previous_line) >= _WRAP_WIDTH_SHARE * previous_width
            # A heading line stops short of the margin; a wrapped item line such as "（一）由…" runs to it.
            and not (_is_bare_heading(previous_line) and _display_width(previous_line) < 0.9 * previous_width)
        )
        if wrapped:
            out[-1] = _join_wrapped(out[-1], line)
        else:
            out.append(line)
        previous_line, previous_width = line, page_width
    return "\n".join(out)


def _read_pdf(raw: bytes, path: Path) -> ParsedDocument:
    from pypdf import PdfReader

    try:
        reader = PdfReader(io.BytesIO(raw), strict=False)
        if reader.is_encrypted:
            try:
                opened = bool(reader.decrypt(""))
            except Exception:
                opened = False
            if not opened:
                raise CorpusError(f"{path} is encrypted (password-protected); ingest an unprotected copy")
        pages = [page.extract_text() or "" for page in reader.pages]
        metadata = reader.metadata
        meta_title = metadata.title if metadata is not None else None
    except CorpusError:
        raise
    except Exception as exc:  # pypdf raises many exception types on damaged files
        raise CorpusError(f"{path} is not a valid PDF file or is damaged: {_reason(exc)}") from exc
    if not pages or not any(p.strip() for p in pages):
        raise CorpusError(
            f"{path} has no text layer (it looks like a scanned image); it needs OCR before it can be ingested"
        )
    empty = [str(i + 1) for i, p in enumerate(pages) if not p.strip()]
    if empty:
        logger.warning("%s: pages %s have no text layer and are skipped", path, ", ".join(empty))
    return _document_from_text(reflow_pdf_pages(pages), path, title_hint=meta_title)


_HTML_DROP = ("script", "style", "nav", "header", "footer", "noscript", "template", "head")
_HTML_BLOCK_NAMES = (
    "address article aside blockquote body center dd details div dl dt fieldset figcaption figure form h1 h2 h3 "
    "h4 h5 h6 hr html li main ol p pre section summary table tbody tfoot thead tr ul caption"
)
_HTML_BLOCKS = frozenset(_HTML_BLOCK_NAMES.split())
_HTML_CELLS = frozenset({"td", "th"})
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_\-]+)""", re.IGNORECASE)
# HTML collapses only ASCII whitespace; a source line break between two Chinese characters is no space at all.
_HTML_SPACE = re.compile(r"[ \t\n\r\f]+")
_CJK_WRAP = re.compile(
    r"(?<=[\u3000-\u303f\u3400-\u9fff\uff00-\uffef])[ \t\r\f]*\n[ \t\n\r\f]*"
    r"(?=[\u3000-\u303f\u3400-\u9fff\uff00-\uffef])"
)
_ENCODING_ALIASES = {"gb2312": "gb18030", "gbk": "gb18030", "x-gbk": "gb18030", "gb_2312-80": "gb18030"}


def _decode_html(raw: bytes, path: Path) -> str:
    declared = _META_CHARSET.search(raw[:4096])
    if declared:
        name = declared.group(1).decode("ascii").lower()
        text = _strict(raw, _ENCODING_ALIASES.get(name, name))
        if text is not None and _looks_like_text(text, strict=False):
            return text.removeprefix("\ufeff")
    return decode_text(raw, name=str(path))


def _html_lines(node: Any, out: list[str], *, pre: bool = False) -> None:
    from bs4 import NavigableString, Tag
    from bs4.element import PreformattedString

    for child in node.children:
        if isinstance(child, PreformattedString):  # comments, doctype, CDATA
            continue
        if isinstance(child, NavigableString):
            s = str(child)
            if not pre:
                s = _HTML_SPACE.sub(" ", _CJK_WRAP.sub("", s))
            out.append(s)
        elif isinstance(child, Tag):
            name = child.name.lower()
            if name == "br":
                out.append("\n")
            elif name in _HTML_CELLS:
                _html_lines(child, out, pre=pre)
                out.append("\t")
            elif name in _HTML_BLOCKS:
                out.append("\n")
                _html_lines(child, out, pre=pre or name == "pre")
                out.append("\n")
            else:
                _html_lines(child, out, pre=pre)


def _read_html(raw: bytes, path: Path) -> ParsedDocument:
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(_decode_html(raw, path), "html.parser")
    page_title = soup.title.get_text(" ", strip=True) if soup.title else ""
    for tag in soup.find_all(_HTML_DROP):
        tag.decompose()
    h1 = soup.find("h1")
    h1_title = re.sub(r"\s+", " ", h1.get_text(" ", strip=True)) if h1 else ""
    parts: list[str] = []
    _html_lines(soup, parts)
    lines = [re.sub(r"[ \t]*\t[ \t]*", "\t", ln).strip(" \t") for ln in "".join(parts).split("\n")]
    text = "\n".join(ln for ln in lines if ln)  # block boundaries, not blank lines, separate HTML paragraphs
    doc = _document_from_text(text, path)
    # A site's <title> often carries the site name ("…_中国政府网"); the <h1> or the notice's own title line is
    # better, the <title>'s first part a fallback.
    site_title = re.split(r"\s*[_|｜]\s*|\s+-\s+", page_title)[0].strip() if page_title else ""
    derived = doc.title if doc.title != path.stem else ""
    if h1_title:
        doc.title = h1_title
    elif derived and _is_title_like(derived):
        doc.title = derived
    elif site_title:
        doc.title = site_title
    if doc.title and not doc.issuer:
        doc.issuer = _issuer_from_title(doc.title)
    return doc


def _reason(exc: BaseException) -> str:
    message = str(exc).strip()
    return message.splitlines()[0][:200] if message else type(exc).__name__


_READERS: dict[str, Callable[[bytes, Path], ParsedDocument]] = {
    ".md": _read_markdown,
    ".markdown": _read_markdown,
    ".txt": _read_plain_text,
    ".docx": _read_docx,
    ".pdf": _read_pdf,
    ".html": _read_html,
    ".htm": _read_html,
}


def read_document(path: Path) -> ParsedDocument:
    """Read one policy file into a ParsedDocument; raise CorpusError naming the file and the reason."""
    path = Path(path)
    suffix = path.suffix.lower()
    reader = _READERS.get(suffix)
    if reader is None:
        supported = ", ".join(SUPPORTED_SUFFIXES)
        raise CorpusError(
            f"{path} has an unsupported file type '{suffix or '(none)'}'; supported: {supported}"
        )
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise CorpusError(
                f"{path} is too large ({size // (1024 * 1024)} MB; the limit is {MAX_FILE_BYTES // (1024 * 1024)} MB)"
            )
        raw = path.read_bytes()
    except OSError as exc:
        raise CorpusError(f"{path} cannot be read: {exc.strerror or _reason(exc)}") from exc
    if not raw.strip():
        raise CorpusError(f"{path} is empty")
    document = reader(raw, path)
    logger.debug("read %s: %d characters, title %r", path, len(document.text), document.title)
    return document
