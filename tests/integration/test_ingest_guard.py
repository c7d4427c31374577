"""The ingest job never loses the live library by accident: refusals, last good versions, --allow-removal."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from core.knowledge.embedded import EmbeddedStore
from core.knowledge.store import KnowledgeStore
from core.services import build_services
from ingest.__main__ import main as ingest_main
from ingest.pipeline import PublishRefused, ingest_folder
from tests.conftest import make_settings

DOCS = {
    "housing.txt": "关于危房改造补助的通知\n一、对住房安全等级为D级的脱贫户，拆除重建每户补助15000元。\n"
    "二、农户向村委会提出申请，乡镇审核。\n",
    "water.txt": "关于饮水安全工作的通知\n一、对饮水不安全的脱贫户给予每户300元补助。\n二、由村委会统计上报。\n",
    "school.txt": "关于教育资助工作的通知\n一、对就读高中的脱贫家庭学生每生每年资助2000元。\n二、由学校受理。\n",
    "jobs.txt": "关于就业帮扶工作的通知\n一、对外出务工的脱贫劳动力给予一次性交通补贴500元。\n二、由乡镇受理。\n",
}
GARBAGE = bytes(range(256)) * 8  # no reader accepts this


@pytest.fixture
def live(tmp_path: Path) -> tuple[Path, Path]:
    """A policies folder of four documents, ingested: (folder, data dir)."""
    folder = tmp_path / "policies"
    folder.mkdir()
    for name, text in DOCS.items():
        (folder / name).write_text(text, encoding="utf-8")
    data = tmp_path / "data"
    report = ingest_folder(make_settings(data), folder)
    assert report.ok and report.documents == 4, report.summary()
    return folder, data


def _live_docs(data: Path) -> set[str]:
    store = EmbeddedStore(root=data / "kb")
    pointer = store.read_pointer()
    assert pointer is not None
    return set(store.load(pointer.generation).documents)


def _cli(
    args: list[str], data: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> tuple[int, str, str]:
    monkeypatch.setenv("BANGFU_DATA_DIR", str(data))
    code = ingest_main([*args, "--no-progress"])
    out, err = capsys.readouterr()
    return code, out, err


def test_empty_folder_is_refused_and_the_live_library_stays(
    live: tuple[Path, Path],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    _, data = live
    before = EmbeddedStore(root=data / "kb").read_pointer()
    empty = tmp_path / "empty"
    empty.mkdir()
    code, _, err = _cli([str(empty)], data, monkeypatch, capsys)
    assert code == 3
    assert "refused to publish: no policy documents found" in err
    assert "The live library (4 documents) is unchanged" in err and "--allow-removal" in err
    assert EmbeddedStore(root=data / "kb").read_pointer() == before
    assert _live_docs(data) == {"housing", "water", "school", "jobs"}


def test_first_run_on_an_empty_folder_publishes_nothing(tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(PublishRefused, match="no policy documents found"):
        ingest_folder(make_settings(tmp_path / "data"), empty)
    assert EmbeddedStore(root=tmp_path / "data" / "kb").read_pointer() is None


def test_wrong_path_is_refused(
    live: tuple[Path, Path],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    _, data = live
    other = tmp_path / "downloads"  # a folder that exists but is not the policies folder
    other.mkdir()
    (other / "notes.txt").write_text(DOCS["water.txt"], encoding="utf-8")
    code, _, err = _cli([str(other)], data, monkeypatch, capsys)
    assert code == 3
    assert "would remove 4 of the 4 live documents" in err and "housing.txt" in err
    assert f"Check that {other} is the policies folder you meant" in err
    assert _live_docs(data) == {"housing", "water", "school", "jobs"}

    code, _, err = _cli([str(tmp_path / "no-such-folder")], data, monkeypatch, capsys)
    assert code == 2 and "is not a folder" in err and "Nothing was changed" in err
    assert _live_docs(data) == {"housing", "water", "school", "jobs"}


def test_removing_half_is_routine_more_than_half_is_refused(live: tuple[Path, Path]) -> None:
    folder, data = live
    settings = make_settings(data)
    (folder / "jobs.txt").unlink()
    (folder / "school.txt").unlink()
    (folder / "water.txt").rename(folder / "water.bak")  # an unsupported suffix: no longer a document
    with pytest.raises(PublishRefused, match="would remove 3 of the 4 live documents"):
        ingest_folder(settings, folder)
    (folder / "water.bak").rename(folder / "water.txt")
    report = ingest_folder(settings, folder)  # two of four: deleting files on purpose is routine
    assert report.ok and report.removed == ["jobs.txt", "school.txt"]
    assert _live_docs(data) == {"housing", "water"}


def test_every_file_failing_is_refused(
    live: tuple[Path, Path],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    _, data = live
    broken = tmp_path / "broken"
    broken.mkdir()
    for name in ("a.txt", "b.docx", "c.pdf"):
        (broken / name).write_bytes(GARBAGE)
    code, out, err = _cli([str(broken)], data, monkeypatch, capsys)
    assert code == 3
    assert "none of the 3 files" in err and "--allow-removal" in err
    assert {line.split(":")[0] for line in out.splitlines()} == {
        "FAILED a.txt",
        "FAILED b.docx",
        "FAILED c.pdf",
    }
    assert _live_docs(data) == {"housing", "water", "school", "jobs"}


def test_live_document_turned_corrupt_keeps_its_last_good_version(live: tuple[Path, Path]) -> None:
    folder, data = live
    settings = make_settings(data)
    (folder / "housing.txt").write_bytes(GARBAGE)
    (folder / "water.txt").write_text(DOCS["water.txt"].replace("300元", "400元"), encoding="utf-8")
    report = ingest_folder(settings, folder)
    assert report.changed and not report.ok
    assert report.updated == ["water.txt"] and report.removed == []
    assert list(report.kept) == ["housing.txt"] and "housing.txt" in report.failed
    assert report.documents == 4
    assert "kept the last good version of housing.txt: " in report.summary()
    assert "FAILED housing.txt" not in report.summary()
    assert report.embedded < report.chunks  # the kept document's vectors came from the cache

    store = EmbeddedStore(root=data / "kb")
    snap = store.load(report.generation or "")
    assert "每户补助15000元" in snap.documents["housing"].text
    assert [c.doc_id for c in snap.chunks].count("housing") >= 1
    assert "每户400元" in snap.documents["water"].text

    services = build_services(make_settings(data, reload_interval=0.0))
    try:
        with TestClient(create_app(services=services)) as client:
            r = client.post("/v1/ask", json={"question": "D级危房拆除重建补助多少钱"})
            assert r.status_code == 200
            body = r.json()
            assert not body["abstained"] and "15000" in body["answer"]
            assert "housing" in {c["doc_id"] for c in body["citations"]}
    finally:
        services.close()

    again = ingest_folder(settings, folder)  # nothing changed: still reported, not re-planned
    assert not again.changed and again.kept == report.kept and again.documents == 4

    (folder / "housing.txt").write_text(DOCS["housing.txt"].replace("15000", "16000"), encoding="utf-8")
    repaired = ingest_folder(settings, folder)
    assert repaired.ok and repaired.updated == ["housing.txt"] and not repaired.kept
    assert "16000" in store.load(repaired.generation or "").documents["housing"].text


def test_new_broken_file_beside_good_ones_publishes(
    live: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    folder, data = live
    (folder / "new-broken.docx").write_bytes(GARBAGE)
    (folder / "new-good.txt").write_text(
        "关于产业帮扶的通知\n一、对发展养殖的脱贫户给予每户1000元奖补。\n", encoding="utf-8"
    )
    code, out, _ = _cli([str(folder)], data, monkeypatch, capsys)
    assert code == 1
    assert "FAILED new-broken.docx" in out and "kept the last good version" not in out
    assert "1 added" in out
    assert _live_docs(data) == {"housing", "water", "school", "jobs", "new-good"}

    code, out, _ = _cli([str(folder)], data, monkeypatch, capsys)  # already failing: nothing to do
    assert code == 1 and "(nothing changed)" in out and "FAILED new-broken.docx" in out


def test_allow_removal_empties_the_library_on_purpose(
    live: tuple[Path, Path],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    _, data = live
    empty = tmp_path / "empty"
    empty.mkdir()
    code, out, _ = _cli([str(empty), "--allow-removal"], data, monkeypatch, capsys)
    assert code == 0
    assert "4 removed" in out
    assert _live_docs(data) == set()


def test_chroma_server_keeps_the_last_good_version_and_refuses_emptying(
    tmp_path: Path, chroma_server: str
) -> None:
    folder = tmp_path / "policies"
    folder.mkdir()
    for name, text in DOCS.items():
        (folder / name).write_text(text, encoding="utf-8")
    settings = make_settings(
        tmp_path / "data", chroma_url=chroma_server, chroma_prefix="k" + tmp_path.name[-8:].replace("_", "")
    )
    assert ingest_folder(settings, folder).documents == 4
    store = KnowledgeStore.from_settings(settings)
    (folder / "school.txt").write_bytes(GARBAGE)
    report = ingest_folder(settings, folder)
    assert list(report.kept) == ["school.txt"]
    assert "每生每年资助2000元" in store.load(report.generation or "").documents["school"].text
    for name in DOCS:
        (folder / name).unlink()
    with pytest.raises(PublishRefused):
        ingest_folder(settings, folder)
    pointer = store.read_pointer()
    assert pointer is not None and pointer.generation == report.generation
