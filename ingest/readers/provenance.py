"""What a notice's own text says about itself, and the line each thing was read from.

Besides the header and closing lines (`ingest.readers.header`: title, 文号, issuer, dates), a notice states its
status in its body: the day it takes effect ("自2021年7月1日起施行", "自印发之日起执行"), how long it holds
("有效期5年", "有效期至2027年12月31日", "执行至…"), that it is issued for trial (试行), and which earlier documents
it repeals ("《最低生活保障审核审批办法（试行）》（民发〔2012〕220号）同时废止", "…停止执行", "…不再执行",
"…与本办法不一致的，以本办法为准"). `read_text` finds all of it; every finding is a `Found` holding the line it
came from, so `python -m ingest --explain DOC` can show why a field has its value. Which corpus document a repeal
clause names is decided by the planner (`ingest.planning.link_repeals`), which sees the whole corpus.

Example:
    >>> reading = read_text("某县办法\\n第九条 本办法自2021年7月1日起施行，有效期3年。")
    >>> reading.found["effective_from"].value, reading.valid_for
    (datetime.date(2021, 7, 1), (3, '年'))
"""

from __future__ import annotations

import calendar
import dataclasses
import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from core.knowledge.models import DocumentMeta
from ingest.readers.header import (
    _CN_NUM,
    _DATE,
    _cn_number,
    _date_from_match,
    _is_org_line,
    _plain_line,
    derive_header,
)

# "本办法", "本实施细则" …: the document speaking of itself.
_SELF = r"本(?:实施)?(?:办法|规定|通知|意见|细则|条例|方案|决定|措施|政策|文件|标准|指南|规则|制度|法|规划)"
_REPEAL = re.compile(rf"(?:同时|一并|予以|即行)?废止|同时失效|停止执行|不再执行|以?{_SELF}为准")
_TITLE = re.compile(r"《([^《》]{2,120})》")
_PAREN_NUMBER = re.compile(r"\s*[（(]\s*([^（）()]{3,30}?号)\s*[）)]")
_NUMBER = re.compile(
    r"[\u4e00-\u9fff]{1,12}\s*[〔\[［（(【]\s*(?:19|20)\d{2}\s*[〕\]］）)】]\s*第?\s*\d{1,5}\s*号"
    rf"|(?:中华人民共和国)?[\u4e00-\u9fff]{{1,12}}?令\s*第?\s*[\d{_CN_NUM}百]+\s*号"
)
# Words a loose 文号 match may drag in before the issuer's abbreviation ("同时废止青政办〔2021〕9号").
_NUMBER_LEAD = re.compile(r"^.*(?:废止|执行|印发|发布|按照|根据|依据|的|和|及|与|原)")
_ISSUED_BY = re.compile(
    r"(?P<org>[\u4e00-\u9fff、 ]{2,60}?)(?:联合)?(?:印发|发布|公布|制定|出台|下发|颁布)的\s*$"
)
_UNMARKED = re.compile(
    r"原(?P<t>[^，,。；;、《》\s]{2,40}?(?:办法|规定|通知|意见|细则|条例|方案|决定|制度|标准|措施))"
)
_VALID_FOR = re.compile(
    r"有效期(?:为|暂定为?|定为)?\s*(?P<n>\d{1,2}|[一二两三四五六七八九十]{1,3})\s*(?P<unit>年|个月)"
)
_VALID_UNTIL = re.compile(
    r"(?:有效期(?:限)?(?:为|自)?[^，,。；;]{0,24}?(?:至|到|截至)|(?:执行|实施|试行)(?:期限)?(?:至|到))\s*"
)
_YEAR_END = re.compile(r"(?P<y>(?:19|20)\d{2})\s*年\s*(?:底|末)")
_ON_ISSUE = re.compile(r"自\s*(?:印发|发布|公布|下发|颁布)之日起\s*(?:施行|执行|实施|生效|试行)")
_TRIAL_SENTENCE = re.compile(rf"^{_SELF}(?:自[^，,。；;]{{0,30}}?起)?\s*试行")
_TRIAL_TITLE = re.compile(r"[（(]\s*试行\s*[）)]|试行(?:办法|规定|细则|条例|方案|标准|意见)|试行$")
_ARTICLE = re.compile(rf"^(?:第[\d{_CN_NUM}百]+条|[{_CN_NUM}]+、|\d+[.、．])\s*")


@dataclass(frozen=True)
class Found:
    """One value read from a line of text (`source`: the document holding the line, when not this one)."""

    value: Any
    line: str
    lineno: int | None = None
    source: str | None = None


@dataclass(frozen=True)
class NamedDocument:
    """An earlier document a repeal clause names, with what the clause says of it."""

    title: str | None = None
    doc_number: str | None = None
    issuer: str | None = None
    issued: date | None = None

    def label(self) -> str:
        parts = [
            f"《{self.title}》" if self.title else "",
            f"（{self.doc_number}）" if self.doc_number else "",
        ]
        return "".join(parts)


@dataclass(frozen=True)
class RepealClause:
    """A sentence by which this document repeals (or overrides) earlier ones."""

    verb: str
    named: tuple[NamedDocument, ...]
    line: str
    lineno: int | None = None


@dataclass
class Target:
    """What one named document was linked to in the corpus (`doc_id` None: `why` says why not)."""

    named: NamedDocument
    clause: RepealClause
    doc_id: str | None
    why: str


@dataclass
class TextReading:
    """Everything the text said about its document; `conflicts` where front matter said otherwise."""

    found: dict[str, Found] = field(default_factory=dict)  # DocumentMeta field → value and its line
    repeals: list[RepealClause] = field(default_factory=list)
    valid_for: tuple[int, str] | None = None  # 有效期3年 → (3, "年"); effective_to once the start is known
    on_issue: Found | None = None  # "自印发之日起施行": effective from the day it was issued
    front_matter: frozenset[str] = frozenset()  # fields the file's front matter stated
    conflicts: list[str] = field(default_factory=list)
    targets: list[Target] = field(default_factory=list)  # set by the planner


def read_text(text: str) -> TextReading:
    """Read header fields, repeal clauses, validity and 试行 from a document's text."""
    lines = text.split("\n")
    plain = [_plain_line(ln) for ln in lines]
    header = derive_header(text)
    reading = TextReading()
    for name, value in header.fields().items():
        if value is not None:
            line = header.lines.get(name, "")
            reading.found[name] = Found(value, line, _lineno(plain, line))
    for no, line in enumerate(plain, start=1):
        for sentence in _sentences(line):
            _read_sentence(sentence, line, no, reading)
    return reading


def _lineno(plain: list[str], line: str) -> int | None:
    if not line:
        return None
    for i, candidate in enumerate(plain, start=1):
        if candidate == line or (candidate and line.startswith(candidate)):
            return i
    return None


def _outside_titles(text: str, at: int) -> bool:
    """True when position `at` is not inside a 《…》 title."""
    return text.count("《", 0, at) <= text.count("》", 0, at)


def _split(text: str, marks: str, *, keep: bool) -> list[str]:
    """`text` cut after each of `marks` outside a 《…》 title; the mark stays with its part when `keep`."""
    out, start = [], 0
    for m in re.finditer(f"[{marks}]", text):
        if _outside_titles(text, m.start()):
            out.append(text[start : m.end() if keep else m.start()])
            start = m.end()
    out.append(text[start:])
    return out


def _sentences(line: str) -> list[str]:
    """The sentences of a line (。；！？ outside 《》 end one)."""
    return [s.strip() for s in _split(line, "。；;！？", keep=True) if s.strip()]


def _segments(sentence: str) -> list[str]:
    """The comma-separated parts of a sentence (commas inside 《》 do not separate)."""
    return _split(sentence, "，,：:", keep=False)


def _read_sentence(sentence: str, line: str, no: int, reading: TextReading) -> None:
    body = _ARTICLE.sub("", sentence)
    for m in _REPEAL.finditer(body):
        if not _outside_titles(body, m.start()):
            continue  # 《关于废止…的决定》 is a title, not a clause
        named = _named_in(body, m)
        if named:
            reading.repeals.append(RepealClause(m.group(0), named, line, no))
            break
    if "effective_to" not in reading.found:
        until = _effective_to_in(body)
        if until:
            reading.found["effective_to"] = Found(until, line, no)
    if reading.valid_for is None:
        span = _valid_for_in(body)
        if span:
            reading.valid_for = span
            reading.found.setdefault("valid_for", Found(f"{span[0]}{span[1]}", line, no))
    if reading.on_issue is None and _ON_ISSUE.search(body) and re.search(_SELF, body):
        reading.on_issue = Found(True, line, no)
    if "trial" not in reading.found and _TRIAL_SENTENCE.search(body):
        reading.found["trial"] = Found(True, line, no)


def _named_in(sentence: str, verb: re.Match[str]) -> tuple[NamedDocument, ...]:
    """The documents a repeal clause names: in the verb's comma part (and the one before, for 以本办法为准)."""
    parts = _segments(sentence)
    pos, scope = 0, ""
    for i, part in enumerate(parts):
        end = pos + len(part)
        if pos <= verb.start() <= end:
            scope = part if not verb.group(0).endswith("为准") or i == 0 else parts[i - 1] + "，" + part
            break
        pos = end + 1
    named: list[NamedDocument] = []
    used: list[tuple[int, int]] = []
    last_end = 0
    for t in _TITLE.finditer(scope):
        number = _PAREN_NUMBER.match(scope, t.end())
        doc_number = (
            number.group(1).strip() if number and _NUMBER.fullmatch(number.group(1).strip()) else None
        )
        org, when = _issued_by(scope[last_end : t.start()])
        named.append(NamedDocument(t.group(1).strip(), doc_number, org, when))
        last_end = number.end() if number else t.end()
        used.append((t.start(), last_end))
    for m in _NUMBER.finditer(scope):
        if any(a <= m.start() < b for a, b in used):
            continue
        named.append(NamedDocument(doc_number=_NUMBER_LEAD.sub("", re.sub(r"\s+", "", m.group(0)))))
    if not named:
        loose = _UNMARKED.search(scope)
        if loose:
            named.append(NamedDocument(title=loose.group("t")))
    return tuple(n for n in named if n.title or n.doc_number)


def _issued_by(before: str) -> tuple[str | None, date | None]:
    """Issuer and date in "2012年12月12日民政部印发的" just before a named title."""
    when = None
    dates = list(_DATE.finditer(before))
    if dates:
        when = _date_from_match(dates[-1])
        before = before[dates[-1].end() :]
    m = _ISSUED_BY.search(before)
    org = m.group("org").strip() if m else None
    if org and not _is_org_line(org.replace("、", " ")):
        org = None
    return org, when


def _effective_to_in(sentence: str) -> date | None:
    """The end date of "本办法…有效期至2027年12月31日" / "执行至…" / "有效期至2025年底"; None elsewhere."""
    for seg in _segments(sentence):
        m = _VALID_UNTIL.search(seg)
        if not m or not _speaks_of_itself(seg[: m.start()], sentence):
            continue
        rest = seg[m.end() :]
        d = _DATE.match(rest)
        if d:
            return _date_from_match(d)
        y = _YEAR_END.match(rest)
        if y:
            return date(int(y.group("y")), 12, 31)
    return None


def _valid_for_in(sentence: str) -> tuple[int, str] | None:
    """(3, "年") for "本办法有效期3年" or "…起施行，有效期为三年"; not for a certificate's or a status's term."""
    for seg in _segments(sentence):
        m = _VALID_FOR.search(seg)
        if m and _speaks_of_itself(seg[: m.start()], sentence):
            return _cn_number(m.group("n").replace("两", "二")), m.group("unit")
    return None


def _speaks_of_itself(before: str, sentence: str) -> bool:
    """Whether a validity phrase is about the document: nothing but "本办法(的)" before it in its part, and the
    sentence names the document or its taking effect."""
    before = _ARTICLE.sub("", before.strip())
    if before and not re.fullmatch(rf"{_SELF}(?:的|自[^，,。；;]*?起)?", before):
        return False
    return bool(re.search(rf"{_SELF}|施行|执行|实施|印发", sentence)) or not before


def settle(meta: DocumentMeta, reading: TextReading) -> DocumentMeta:
    """What follows from the fields: 自印发之日起施行 → effective_from = issued; 有效期3年 → effective_to; a title
    "…办法（试行）" → trial."""
    changes: dict[str, Any] = {}
    if not meta.trial and "trial" not in reading.front_matter and _TRIAL_TITLE.search(meta.title):
        changes["trial"] = True
        title = reading.found.get("title")
        reading.found["trial"] = Found(True, meta.title, title.lineno if title else None)
    if meta.effective_from is None and reading.on_issue and meta.issued:
        changes["effective_from"] = meta.issued
        reading.found["effective_from"] = dataclasses.replace(reading.on_issue, value=meta.issued)
    start: date | None = changes.get("effective_from") or meta.effective_from or meta.issued
    if meta.effective_to is None and reading.valid_for and start:
        n, unit = reading.valid_for
        months = n * 12 if unit == "年" else n
        last = _add_months(start, months) - timedelta(days=1)
        changes["effective_to"] = last
        reading.found["effective_to"] = dataclasses.replace(reading.found["valid_for"], value=last)
    end: date | None = changes.get("effective_to") or meta.effective_to
    if end and start and end < start and "effective_to" not in reading.front_matter:
        changes["effective_to"] = None
        reading.conflicts.append(f"effective_to: the text's {end} is before the start {start}; not used")
        reading.found.pop("effective_to", None)
    return dataclasses.replace(meta, **changes) if changes else meta


def _add_months(day: date, months: int) -> date:
    y, m = divmod(day.month - 1 + months, 12)
    year, month = day.year + y, m + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def merge(stated: dict[str, Any], reading: TextReading) -> dict[str, Any]:
    """Front matter's fields, with what the text says where front matter is silent; disagreements are noted in
    `reading.conflicts` (front matter wins)."""
    out = dict(stated)
    reading.front_matter = frozenset(k for k, v in stated.items() if v is not None)
    for name, found in reading.found.items():
        if name not in out or name == "title":
            continue  # a title from the body is only a fallback, not a second opinion
        if out[name] is None:
            out[name] = found.value
        elif not same(name, out[name], found.value):
            reading.conflicts.append(
                f"{name}: front matter says {out[name]}, the text says {found.value} (line {found.lineno})"
            )
    return out


def same(name: str, a: Any, b: Any) -> bool:
    """Whether two values of a field say the same (文号 brackets, issuer separators aside)."""
    if name == "doc_number":
        return doc_number_key(str(a)) == doc_number_key(str(b))
    if name == "issuer":
        return re.sub(r"[\s、，,]", "", str(a)) == re.sub(r"[\s、，,]", "", str(b))
    return bool(a == b)


def doc_number_key(number: str) -> str:
    """A 文号 as compared: 民发〔2021〕57号, 民发[2021]57号 and 民发［2021］第57号 are one key."""
    s = re.sub(r"\s+", "", number)
    s = re.sub(r"^中华人民共和国", "", s)
    s = re.sub(r"[\[［（(【]", "〔", s)
    s = re.sub(r"[\]］）)】]", "〕", s)
    s = re.sub(rf"第(?=[\d{_CN_NUM}百]+号$)", "", s)
    return re.sub(rf"[{_CN_NUM}百]+(?=号$)", lambda m: str(_cn_count(m.group(0))), s)


def _cn_count(s: str) -> int:
    """七十七 → 77, 一百二十 → 120 (numbers of decrees)."""
    hundreds, sep, rest = s.partition("百")
    if not sep:
        return _cn_number(s) if s else 0
    return _cn_number(hundreds or "一") * 100 + (_cn_number(rest.lstrip("零〇")) if rest.strip("零〇") else 0)


def title_key(title: str) -> str:
    """A title as compared: 《》, （试行）, brackets, spaces and list marks aside."""
    t = re.sub(r"[（(]\s*试行\s*[）)]|试行", "", title)
    return re.sub(r"[《》〈〉<>「」『』“”\"'‘’（）()\[\]【】［］〔〕\s、，,·・:：]", "", t)


def title_keys(title: str) -> set[str]:
    """The title's key and the keys it is also known by: without its issuer ("民政部关于…" → "关于…"), without
    中华人民共和国, and the document a "关于印发〈…〉的通知" issues."""
    keys = {title_key(title)}
    head, sep, rest = title.partition("关于")
    if sep and head.strip() and _is_org_line(head.strip().replace("、", " ")):
        keys.add(title_key(sep + rest))
    if title.startswith("中华人民共和国"):
        keys.add(title_key(title[len("中华人民共和国") :]))
    inner = re.search(r"印发\s*[〈<《]([^〉>》]+)[〉>》]", title)
    if inner:
        keys.add(title_key(inner.group(1)))
    return {k for k in keys if len(k) >= 4}
