"""HTML pages: block elements become lines, scripts and site chrome are dropped, the declared charset is honoured."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path
from typing import Any

from ingest.readers.common import ParsedDocument, document_from_text
from ingest.readers.encoding import decode_text, looks_like_text, strict_decode
from ingest.readers.header import is_title_like, issuer_from_title
from ingest.readers.provenance import Found

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
        text = strict_decode(raw, _ENCODING_ALIASES.get(name, name))
        if text is not None and looks_like_text(text, strict=False):
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


def read_html(raw: bytes, path: Path) -> ParsedDocument:
    """A web page: its blocks as lines, site chrome dropped, the title from <h1>, the notice or <title>."""
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
    doc = document_from_text(text, path)
    # A site's <title> often carries the site name ("…_中国政府网"); the <h1> or the notice's own title line is
    # better, the <title>'s first part a fallback.
    site_title = re.split(r"\s*[_|｜]\s*|\s+-\s+", page_title)[0].strip() if page_title else ""
    title = doc.meta.title
    derived = title if title != path.stem else ""
    if h1_title:
        title = h1_title
    elif derived and is_title_like(derived):
        title = derived
    elif site_title:
        title = site_title
    issuer = doc.meta.issuer or (issuer_from_title(title) if title else None)
    if title != doc.meta.title:  # the page's own title: no line of the text to point at
        doc.reading.found["title"] = Found(title, title)
    if issuer != doc.meta.issuer:
        doc.reading.found["issuer"] = Found(issuer, title)
    doc.meta = dataclasses.replace(doc.meta, title=title, issuer=issuer)
    return doc
