"""API results → Telegram HTML, every piece of data escaped, and long replies split under Telegram's limit.

Templates come from `bot.texts`; values are escaped as they are filled in::

    text = fmt(T.PASSAGE_TITLE, title="<b>未转义</b>")   # '<b>&lt;b&gt;未转义&lt;/b&gt;</b>'
    for part in split_html(long_text):                   # each ≤ 4096 UTF-16 units, tags balanced
        await bot.send_message(chat_id, part)
"""

from __future__ import annotations

import html
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal, InvalidOperation
from typing import Any

from bot import texts as T

MAX_MESSAGE = 4096  # Telegram's limit on a message's text, in UTF-16 code units
CHINA = timezone(timedelta(hours=8), "CST")

_TOKEN = re.compile(r"<[^>]*>|&#?\w+;|[^<&]|[<&]", re.S)
_OPEN_TAG = re.compile(r"<\s*([A-Za-z][\w-]*)")
_CLOSE_TAG = re.compile(r"<\s*/\s*([A-Za-z][\w-]*)")
_SENTENCE_END = frozenset("。！？；!?;")


def esc(value: object) -> str:
    """Text for Telegram HTML: `&`, `<`, `>` escaped."""
    return html.escape(str(value), quote=False)


def fmt(template: str, **values: object) -> str:
    """Fill a template of `bot.texts` with escaped values."""
    return template.format(**{name: esc(value) for name, value in values.items()})


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


# -- splitting -----------------------------------------------------------------------------------------------
def split_html(text: str, limit: int = MAX_MESSAGE) -> list[str]:
    """Split HTML into parts of at most `limit` UTF-16 units, at line ends where possible, else sentence ends.

    Tags open at a cut are closed at the end of one part and reopened at the start of the next, and a cut never
    falls inside a tag or an entity, so every part is valid Telegram HTML on its own.
    """
    text = text.strip()
    if not text:
        return []
    if utf16_len(text) <= limit:
        return [text]
    tokens = _TOKEN.findall(text)
    parts: list[str] = []
    start = 0
    stack: list[tuple[str, str]] = []  # (tag name, opening tag) open at `start`
    while start < len(tokens):
        while start < len(tokens) and tokens[start].isspace():
            start += 1  # a part never starts with blank lines
        if start >= len(tokens):
            break
        cut, cut_stack = _find_cut(tokens, start, stack, limit)
        body = "".join(tokens[start:cut])
        part = "".join(tag for _, tag in stack) + body + _closers(cut_stack)
        if body.strip():
            parts.append(part.strip())
        start, stack = cut, cut_stack
    return parts


def _closers(stack: Sequence[tuple[str, str]]) -> str:
    return "".join(f"</{name}>" for name, _ in reversed(stack))


def _find_cut(
    tokens: list[str], start: int, stack: list[tuple[str, str]], limit: int
) -> tuple[int, list[tuple[str, str]]]:
    """Where the part that begins at `start` ends, and the tags open there."""
    current = list(stack)
    size = sum(utf16_len(tag) for _, tag in stack)
    closing = utf16_len(_closers(current))
    line_cut: tuple[int, list[tuple[str, str]]] | None = None
    sentence_cut: tuple[int, list[tuple[str, str]]] | None = None
    floor = limit // 3  # a cut earlier than this would leave a uselessly short part
    i = start
    while i < len(tokens):
        token = tokens[i]
        after = list(current)
        if token.startswith("<") and len(token) > 1:
            closed = _CLOSE_TAG.match(token)
            opened = _OPEN_TAG.match(token)
            if closed:
                for k in range(len(after) - 1, -1, -1):
                    if after[k][0] == closed.group(1):
                        del after[k]
                        break
            elif opened and not token.endswith("/>"):
                after.append((opened.group(1), token))
        after_closing = utf16_len(_closers(after)) if after != current else closing
        grown = size + utf16_len(token)
        if grown + after_closing > limit:
            if i == start:  # pathological nesting: take one token to make progress
                return i + 1, after
            for candidate in (line_cut, sentence_cut):
                if candidate is not None:
                    return candidate
            return i, current
        size, current, closing = grown, after, after_closing
        i += 1
        if token == "\n" and size >= floor:
            line_cut = (i, list(current))
        elif token in _SENTENCE_END and size >= floor:
            sentence_cut = (i, list(current))
    return i, current


# -- small formats ---------------------------------------------------------------------------------------------
def format_date(value: str | date | None) -> str:
    """`2024-06-15` → `2024年6月15日`."""
    if value is None:
        return ""
    try:
        d = value if isinstance(value, date) else date.fromisoformat(str(value)[:10])
    except ValueError:
        return str(value)
    return T.DATE.format(y=d.year, m=d.month, d=d.day)


def format_datetime(value: str) -> str:
    """An ISO timestamp in Beijing time: `2024年6月15日18:30`."""
    try:
        dt = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return value
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    dt = dt.astimezone(CHINA)
    return T.DATETIME.format(y=dt.year, m=dt.month, d=dt.day, hh=f"{dt.hour:02d}", mm=f"{dt.minute:02d}")


def format_yuan(value: object) -> str:
    """`"500.00"` → `500`, `"12.50"` → `12.50`."""
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        return str(value)
    return str(amount.quantize(Decimal(1))) if amount == amount.to_integral_value() else f"{amount:.2f}"


def _lines(*parts: str | None) -> str:
    return "\n".join(p for p in parts if p)


def _blocks(*parts: str | None) -> str:
    return "\n\n".join(p for p in parts if p)


# -- answers -------------------------------------------------------------------------------------------------------
def answer(data: Mapping[str, Any]) -> str:
    """The cited answer with its [n] markers and a short list of the documents cited."""
    body = esc(str(data.get("answer", "")).strip())
    if data.get("abstained"):
        return _blocks(body, T.ABSTAIN_HINT)
    by_doc: dict[str, list[Mapping[str, Any]]] = {}
    for c in data.get("citations", []):
        by_doc.setdefault(str(c.get("doc_id")), []).append(c)
    lines = [T.SOURCES_HEAD]
    for cites in by_doc.values():
        first = cites[0]
        marks = "".join(f"[{int(c['n'])}]" for c in cites)
        number = fmt(T.SOURCE_DOC_NUMBER, doc_number=first["doc_number"]) if first.get("doc_number") else ""
        lines.append(T.SOURCE_LINE.format(marks=marks, title=esc(first.get("title", "")), doc_number=number))
    return _blocks(body, _lines(*lines) if len(lines) > 1 else None)


def passage(citation: Mapping[str, Any], document: Mapping[str, Any] | None = None) -> str:
    """One cited passage with its document's title, 文号, issuer and article; a warning if no longer in force."""
    doc = document or {}
    title = doc.get("title") or citation.get("title", "")
    number = doc.get("doc_number") or citation.get("doc_number")
    head = _lines(
        fmt(T.PASSAGE_TITLE, title=title),
        fmt(T.PASSAGE_DOC_NUMBER, doc_number=number) if number else None,
        fmt(T.PASSAGE_ISSUER, issuer=doc["issuer"]) if doc.get("issuer") else None,
        fmt(T.PASSAGE_SECTION, section=citation["section"]) if citation.get("section") else None,
        T.PASSAGE_EXPIRED if doc and doc.get("in_force") is False else None,
    )
    return _blocks(head, fmt(T.PASSAGE_QUOTE, text=str(citation.get("text", "")).strip()))


def measure_card(measure: Mapping[str, Any]) -> str:
    """The measure card: who, how much, steps, materials, whom to ask, how long."""
    steps = measure.get("how_to_apply") or []
    materials = measure.get("materials") or []
    return _blocks(
        _lines(
            fmt(T.CARD_TITLE, name=measure.get("name", "")),
            esc(measure["summary"]) if measure.get("summary") else None,
        ),
        fmt(T.CARD_AMOUNT, amount=measure["amount"]) if measure.get("amount") else None,
        _lines(T.CARD_STEPS_HEAD, *(fmt(T.CARD_STEP, i=i, step=s) for i, s in enumerate(steps, 1)))
        if steps
        else None,
        fmt(T.CARD_MATERIALS, materials=T.LIST_SEP.join(map(str, materials))) if materials else None,
        _lines(
            fmt(T.CARD_DEPARTMENT, department=measure["department"]) if measure.get("department") else None,
            fmt(T.CARD_CONTACT, contact=measure["contact"]) if measure.get("contact") else None,
        ),
        fmt(T.CARD_TIME, time_limit=measure["time_limit"]) if measure.get("time_limit") else None,
    )


# -- /check ----------------------------------------------------------------------------------------------------------
def check_question(number: int, question: Mapping[str, Any]) -> str:
    return fmt(T.CHECK_QUESTION, i=number, question=question.get("question", ""))


def check_answered(number: int, question: Mapping[str, Any], label: str) -> str:
    return fmt(T.CHECK_ANSWERED, i=number, question=question.get("question", ""), answer=label)


def check_checklist_answered(number: int, question: Mapping[str, Any], labels: Sequence[str]) -> str:
    """A checklist once answered: the question and the items ticked (or 都没有)."""
    return check_answered(number, question, T.CHECK_TICKED_SEP.join(labels) or T.CHECK_NONE_TICKED)


def check_prefilled(note: str) -> str:
    """What the household's record already answered, said before the first question."""
    return fmt(T.CHECK_PREFILLED, note=note, button=T.CHECK_FRESH_BUTTON)


def check_result(results: Iterable[Mapping[str, Any]], *, record: bool = False) -> str:
    """Measures grouped by status, each with its reasons (`record`: facts came from the household's record too)."""
    groups: dict[str, list[Mapping[str, Any]]] = {"eligible": [], "need_info": [], "ineligible": []}
    for r in results:
        groups.setdefault(str(r.get("status")), []).append(r)
    heads = {
        "eligible": T.CHECK_ELIGIBLE_HEAD,
        "need_info": T.CHECK_NEED_INFO_HEAD,
        "ineligible": T.CHECK_INELIGIBLE_HEAD,
    }
    blocks = [T.CHECK_RESULT_HEAD_RECORD if record else T.CHECK_RESULT_HEAD]
    for status, head in heads.items():
        items = groups.get(status) or []
        if not items:
            continue
        lines = [fmt(head, count=len(items))]
        for r in items:
            # For a measure that does not fit, its first reason is enough (the list stays readable on a phone).
            shown = (r.get("reasons") or [])[: 1 if status == "ineligible" else None]
            reasons = T.CHECK_REASON_SEP.join(str(x) for x in shown)
            confirm = T.CHECK_REASON_SEP.join(str(x) for x in r.get("to_confirm") or [])
            if status == "eligible":
                lines.append(fmt(T.CHECK_ITEM_GIVES, name=r.get("name", ""), gives=gives(r)))
                if reasons:
                    lines.append(fmt(T.CHECK_ITEM_WHY, reasons=reasons))
            else:
                template = T.CHECK_ITEM if reasons else T.CHECK_ITEM_NO_REASON
                lines.append(fmt(template, name=r.get("name", ""), reasons=reasons))
            if confirm and status != "ineligible":
                lines.append(fmt(T.CHECK_ITEM_CONFIRM, items=confirm))
        blocks.append(_lines(*lines))
    blocks.append(T.CHECK_FOOTER)
    return _blocks(*blocks)


def gives(result: Mapping[str, Any]) -> str:
    """What an eligible measure gives, in plain words: 可以申请，每月90元 (or the catalog's own amount text)."""
    value = result.get("amount_value") or {}
    currency, _, per = str(value.get("unit", "")).partition("/")
    if value.get("value") is not None and per in T.AMOUNT_PER:
        bounds = {"up_to": T.AMOUNT_UP_TO, "from": T.AMOUNT_FROM}
        template = bounds.get(str(value.get("bound")), T.AMOUNT_EXACT)
        number = f"{Decimal(str(value['value'])).normalize():f}"  # 90.0 → 90, 1.5 → 1.5
        amount = template.format(per=T.AMOUNT_PER[per], number=number, currency=currency)
        return T.CHECK_GIVES.format(amount=amount)
    if result.get("amount"):
        return T.CHECK_GIVES_TEXT.format(amount=result["amount"])
    return T.CHECK_GIVES_NOTHING


# -- my household ------------------------------------------------------------------------------------------------------
def payments(data: Mapping[str, Any]) -> str:
    """The API's plain answer, then every payment when there are more than the answer names."""
    items = data.get("payments") or []
    listing = None
    if len(items) > 5:
        listing = _lines(
            fmt(T.PAYMENTS_LIST_HEAD, count=len(items)),
            *(
                fmt(
                    T.PAYMENT_LINE,
                    date=format_date(p.get("paid_on")),
                    item=p.get("item", ""),
                    amount=format_yuan(p.get("amount")),
                    channel=p.get("channel", ""),
                )
                for p in items
            ),
        )
    return _blocks(esc(data.get("summary", "")), listing)


def helper(status: Mapping[str, Any]) -> str:
    person = status.get("helper") or {}
    if not person.get("name"):
        return T.HELPER_UNKNOWN
    if not person.get("phone"):
        return fmt(T.HELPER_NO_PHONE, name=person["name"])
    return fmt(T.HELPER, name=person["name"], phone=person["phone"])


# -- cadres --------------------------------------------------------------------------------------------------------------
def household_line(h: Mapping[str, Any], template: str = T.HOUSEHOLD_LINE) -> str:
    place = "".join(str(h.get(k) or "") for k in ("village", "group_name"))
    risk = fmt(T.HOUSEHOLD_RISK, risk=h["risk_label"]) if h.get("risk_label") else ""
    return template.format(
        household_no=esc(h.get("household_no", "")),
        head_name=esc(h.get("head_name", "")),
        place=esc(place),
        household_type=esc(h.get("household_type", "")),
        risk=risk,
        size=esc(h.get("size", "")),
        as_of=esc(format_date(h.get("data_as_of"))),
    )


def search_result(query: str, items: Sequence[Mapping[str, Any]]) -> str:
    if not items:
        return fmt(T.SEARCH_NONE, query=query)
    return _lines(fmt(T.SEARCH_HEAD, count=len(items)), *(household_line(h) for h in items))


def households_page(data: Mapping[str, Any]) -> str:
    total, size = int(data.get("total", 0)), max(1, int(data.get("page_size", 10)))
    pages = max(1, math.ceil(total / size))
    head = fmt(T.HOUSEHOLDS_HEAD, total=total, page=data.get("page", 1), pages=pages)
    return _lines(head, *(household_line(h) for h in data.get("items") or []))


def household_view(status: Mapping[str, Any]) -> str:
    """One household's record for its cadre: people (ID numbers masked), measures and payments."""
    h = status.get("household") or {}
    members = [
        fmt(
            T.VIEW_MEMBER,
            name=m.get("name", ""),
            details=T.LIST_SEP.join(
                str(x)
                for x in (
                    m.get("relation"),
                    T.AGE.format(age=m["age"]) if m.get("age") is not None else None,
                    m.get("id_masked"),
                    m.get("labor_capacity"),
                    m.get("health"),
                    m.get("schooling"),
                )
                if x
            ),
        )
        for m in status.get("members") or []
    ]
    measure_blocks = [
        _lines(
            fmt(T.VIEW_MEASURES_HEAD, year=y.get("year")),
            *(
                fmt(
                    T.VIEW_MEASURE,
                    name=m.get("name") or m.get("measure_id"),
                    content=m.get("content", ""),
                    status=m.get("status", ""),
                )
                for m in y.get("measures") or []
            ),
        )
        for y in status.get("measures_by_year") or []
    ]
    pays = status.get("payments") or []
    total = sum((Decimal(str(p.get("amount", "0"))) for p in pays), Decimal("0"))
    helper_name = (status.get("helper") or {}).get("name")
    return _blocks(
        household_line(h, T.VIEW_HEAD),
        _lines(T.VIEW_MEMBERS_HEAD, *members) if members else None,
        *measure_blocks,
        _lines(
            fmt(T.VIEW_PAYMENTS, count=len(pays), total=format_yuan(total)),
            fmt(T.VIEW_HELPER, name=helper_name) if helper_name else None,
        ),
    )


def issued_code(data: Mapping[str, Any]) -> str:
    return fmt(
        T.CODE_ISSUED,
        household_no=data.get("household_no", ""),
        code=data.get("code", ""),
        expires=format_datetime(str(data.get("expires_at", ""))),
    )
