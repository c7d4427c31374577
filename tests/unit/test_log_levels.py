"""Third-party debug logging is off by default: bm25s, chromadb, jieba … reach the JSON log only from WARNING up,
even when a library sets its own logger to DEBUG after logging was configured (bm25s does on import);
BANGFU_LOG_LEVEL=DEBUG lets them through, except httpx, whose URLs may carry the bot's token."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Callable, Iterator

import pytest
from pydantic import ValidationError

from core.ops.logs import configure_logging
from core.settings import Settings

Configure = Callable[[int], io.StringIO]


@pytest.fixture
def json_log() -> Iterator[Configure]:
    """`configure_logging("json", level)` writing to a string; the logging setup is restored afterwards."""
    root = logging.getLogger()
    names = ("bm25s", "chromadb", "chromadb.telemetry", "jieba", "httpx", "core", "api")
    saved = (list(root.handlers), root.level, {n: logging.getLogger(n).level for n in names})

    def configure(level: int = logging.INFO) -> io.StringIO:
        stream = io.StringIO()
        configure_logging("json", level)
        handler = next(h for h in root.handlers if getattr(h, "bangfu", False))
        assert isinstance(handler, logging.StreamHandler)
        handler.setStream(stream)
        return stream

    yield configure
    for handler in [h for h in root.handlers if getattr(h, "bangfu", False)]:
        root.removeHandler(handler)
    for handler in saved[0]:
        if handler not in root.handlers:
            root.addHandler(handler)
    root.setLevel(saved[1])
    for name, level in saved[2].items():
        logging.getLogger(name).setLevel(level)


def entries(stream: io.StringIO) -> list[tuple[str, str, str]]:
    return [(e["logger"], e["level"], e["message"]) for e in map(json.loads, stream.getvalue().splitlines())]


def test_bm25s_debug_lines_do_not_reach_the_json_log(json_log: Configure) -> None:
    import bm25s

    stream = json_log(logging.INFO)
    logging.getLogger("bm25s").setLevel(logging.DEBUG)  # what `import bm25s` does, after configure_logging
    retriever = bm25s.BM25()
    retriever.index([[0, 1], [1, 2]], show_progress=False)  # logs "Building index from …" at DEBUG
    logging.getLogger("bm25s").debug("debug from bm25s")
    logging.getLogger("bm25s").info("info from bm25s")
    logging.getLogger("bm25s").warning("warning from bm25s")
    logged = entries(stream)
    assert [e for e in logged if e[0] == "bm25s"] == [("bm25s", "warning", "warning from bm25s")]


def test_chromadb_and_other_libraries_only_from_warning(json_log: Configure) -> None:
    stream = json_log(logging.INFO)
    for name in ("chromadb.telemetry", "jieba", "some.library"):
        logging.getLogger(name).setLevel(logging.DEBUG)
        logging.getLogger(name).debug("debug from %s", name)
        logging.getLogger(name).info("info from %s", name)
    logging.getLogger("chromadb.telemetry").error("error from chromadb")
    logging.getLogger("core.answers").info("our own info")
    logging.getLogger("api.access").info("request")
    logging.getLogger("core.answers").debug("our own debug")
    assert entries(stream) == [
        ("chromadb.telemetry", "error", "error from chromadb"),
        ("core.answers", "info", "our own info"),
        ("api.access", "info", "request"),
    ]


def test_debug_level_lets_library_debug_through_but_not_httpx(json_log: Configure) -> None:
    stream = json_log(logging.DEBUG)
    logging.getLogger("bm25s").setLevel(logging.DEBUG)
    logging.getLogger("bm25s").debug("debug from bm25s")
    logging.getLogger("core.answers").debug("our own debug")
    logging.getLogger("httpx").info("HTTP Request: POST https://api.telegram.org/bot123:ABC/getMe")
    assert entries(stream) == [
        ("bm25s", "debug", "debug from bm25s"),
        ("core.answers", "debug", "our own debug"),
    ]


def test_log_level_setting(monkeypatch: pytest.MonkeyPatch, tmp_path: object) -> None:
    assert Settings().log_level == "INFO"
    monkeypatch.setenv("BANGFU_LOG_LEVEL", "debug")
    assert Settings().log_level == "DEBUG"
    monkeypatch.setenv("BANGFU_LOG_LEVEL", "loud")
    with pytest.raises(ValidationError):
        Settings()
