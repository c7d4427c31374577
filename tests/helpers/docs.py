"""Write real DOCX, PDF and legacy-encoded text files for tests.

PDFs with Chinese text use reportlab's built-in CID font STSong-Light (no font file needed: reportlab ships the
CMap and metrics, and pypdf maps its UniGB-UCS2-H encoding back to Unicode). If that ever stops round-tripping,
a TrueType CJK font found on the machine is used instead (Debian: `fonts-wqy-zenhei`); `cjk_pdf_font()` returns
None when neither works, and PDF tests skip with `PDF_SKIP_REASON`.

Example:
    >>> write_pdf(tmp_path / "n.pdf", [["青禾县危房改造实施办法", "第一条 为保障住房安全，制定本办法。"]])  # doctest: +SKIP
"""

from __future__ import annotations

import functools
import io
import logging
import shutil
import subprocess
from collections.abc import Sequence
from pathlib import Path

logger = logging.getLogger(__name__)

PDF_SKIP_REASON = (
    "no CJK font gives extractable PDF text: reportlab's STSong-Light did not round-trip through pypdf and no "
    "TrueType CJK font was found (install reportlab from PyPI, or the Debian package fonts-wqy-zenhei)"
)
_PROBE = "青禾县农村住房安全保障办法第一条（一）12号"
_TTF_CANDIDATES = (
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/arphic/uming.ttc",
    "/usr/share/fonts/truetype/arphic/ukai.ttc",
    "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
)

# A block of a DOCX body: a paragraph, or a table given as rows of cell texts.
DocxBlock = str | Sequence[Sequence[str]]


def write_text(path: Path, text: str, encoding: str) -> Path:
    """Write text in the given encoding (e.g. "gb18030", "utf-16", "utf-8-sig", "big5")."""
    path.write_bytes(text.encode(encoding))
    return path


def write_docx(path: Path, blocks: Sequence[DocxBlock], *, core_title: str | None = None) -> Path:
    """Write a .docx whose body is the given paragraphs and tables, in order."""
    import docx

    document = docx.Document()
    for block in blocks:
        if isinstance(block, str):
            document.add_paragraph(block)
        else:
            rows = [list(row) for row in block]
            table = document.add_table(rows=len(rows), cols=max(len(r) for r in rows))
            for r, row in enumerate(rows):
                for c, value in enumerate(row):
                    table.cell(r, c).text = value
    if core_title is not None:
        document.core_properties.title = core_title
    document.save(str(path))
    return path


def _extracts(font_name: str) -> bool:
    from pypdf import PdfReader
    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer)
    pdf.setFont(font_name, 12)
    pdf.drawString(72, 720, _PROBE)
    pdf.showPage()
    pdf.save()
    text = PdfReader(io.BytesIO(buffer.getvalue())).pages[0].extract_text() or ""
    return _PROBE in text.replace(" ", "")


def _ttf_candidates() -> list[str]:
    paths = [p for p in _TTF_CANDIDATES if Path(p).exists()]
    if shutil.which("fc-list"):
        listed = subprocess.run(
            ["fc-list", ":lang=zh", "file"], capture_output=True, text=True, check=False, timeout=30
        ).stdout
        for line in listed.splitlines():
            file = line.split(":")[0].strip()
            if file.lower().endswith((".ttf", ".ttc")) and file not in paths:
                paths.append(file)
    return paths


@functools.lru_cache(maxsize=1)
def cjk_pdf_font() -> str | None:
    """Name of a registered reportlab font whose Chinese text pypdf extracts, or None."""
    try:
        from reportlab.pdfbase import pdfmetrics
        from reportlab.pdfbase.cidfonts import UnicodeCIDFont
        from reportlab.pdfbase.ttfonts import TTFont
    except ImportError:
        return None
    try:
        pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
        if _extracts("STSong-Light"):
            return "STSong-Light"
    except Exception:
        logger.debug("STSong-Light is not usable", exc_info=True)
    for i, file in enumerate(_ttf_candidates()):
        name = f"TestCJK{i}"
        try:
            pdfmetrics.registerFont(TTFont(name, file, subfontIndex=0))
            if _extracts(name):
                return name
        except Exception:  # CFF-based OpenType fonts are not supported by reportlab
            logger.debug("font %s is not usable", file, exc_info=True)
    return None


def wrap(paragraph: str, width: int) -> list[str]:
    """Break a paragraph into lines of `width` characters, the way a PDF layout wraps CJK text."""
    return [paragraph[i : i + width] for i in range(0, len(paragraph), width)] or [""]


def write_pdf(
    path: Path,
    pages: Sequence[Sequence[str]],
    *,
    chars_per_line: int = 24,
    page_numbers: bool = True,
    title: str | None = None,
) -> Path:
    """Write a PDF: each page is a list of paragraphs, wrapped at `chars_per_line`; an empty page has no text.

    Raises RuntimeError when no CJK font is usable (callers skip with PDF_SKIP_REASON).
    """
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    font = cjk_pdf_font()
    if font is None:
        raise RuntimeError(PDF_SKIP_REASON)
    pdf = canvas.Canvas(str(path), pagesize=A4)
    if title:
        pdf.setTitle(title)
    _, height = A4
    for number, paragraphs in enumerate(pages, start=1):
        if paragraphs:
            pdf.setFont(font, 12)
            y = height - 72
            for paragraph in paragraphs:
                for line in wrap(paragraph, chars_per_line):
                    pdf.drawString(72, y, line)
                    y -= 18
            if page_numbers:
                pdf.drawCentredString(A4[0] / 2, 40, f"- {number} -")
        else:
            # A "scanned" page: only graphics, no text layer.
            pdf.rect(72, 72, 200, 300, fill=1)
        pdf.showPage()
    pdf.save()
    return path
