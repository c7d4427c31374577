"""The README, policies/README.md and docs/DESIGN.md refer only to files the repository has: every relative
Markdown link, every `path` in backticks that names a file or folder of the repository, and every *.md named in
the prose."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOCUMENTS = ["README.md", "policies/README.md", "docs/DESIGN.md"]

_FENCE = re.compile(r"^```.*?^```", re.S | re.M)
_LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")
_CODE = re.compile(r"`([^`\s]+)`")
_MD_NAME = re.compile(r"(?<![\w./<-])([\w./-]*\w\.md)\b")
_TOP = (
    "core/",
    "api/",
    "bot/",
    "ingest/",
    "tests/",
    "policies/",
    "examples/",
    "benchmarks/",
    "docs/",
    ".ci/",
)
_FILE = re.compile(r"^[\w./-]+\.(md|py|yaml|yml|toml|xlsx|csv|txt|js|html)$")


def references(doc: str) -> list[str]:
    """What `doc` points at in the repository, as written (links, backticked paths, *.md names)."""
    text = _FENCE.sub("", (ROOT / doc).read_text(encoding="utf-8"))
    found = [t for t in _LINK.findall(text) if not re.match(r"^(https?:|mailto:|#)", t)]
    for code in _CODE.findall(text):
        if re.search(r"[<>*…]|://", code) or code.startswith(("data/", "/")):
            continue  # a placeholder, a URL, an API route or run-time state, not a file of the repository
        if code.startswith(_TOP) or _FILE.match(code):
            found.append(code)
    found += _MD_NAME.findall(_LINK.sub("", _CODE.sub("", text)))
    return [ref.split("#", 1)[0] for ref in found]


def resolves(doc: str, ref: str) -> bool:
    """`ref` exists next to `doc`, or from the repository root (READMEs name top-level folders that way)."""
    return (ROOT / doc).parent.joinpath(ref).exists() or (ROOT / ref).exists()


@pytest.mark.parametrize("doc", DOCUMENTS)
def test_every_reference_resolves_inside_the_repository(doc: str) -> None:
    refs = references(doc)
    assert refs, f"{doc} should refer to something"
    missing = [ref for ref in refs if not resolves(doc, ref)]
    assert not missing, f"{doc} refers to files the repository does not have: {missing}"


def test_the_checker_sees_a_missing_design_document(tmp_path: Path) -> None:
    assert "DESIGN.md" in _MD_NAME.findall("every variable is `BANGFU_*` as in DESIGN.md (`BANGFU_DATA_DIR`")
    assert not resolves("README.md", "DESIGN.md")
    assert "docs/DESIGN.md" in references("README.md")


def test_the_readme_states_platforms_and_the_python_version_of_the_package() -> None:
    import tomllib

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    platforms = readme.split("## Platforms", 1)[1].split("\n## ", 1)[0]
    requires = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"][
        "requires-python"
    ]
    assert f'`requires-python = "{requires}"`' in platforms
    assert f"Python {requires.removeprefix('>=')}" in platforms
    assert all(word in platforms for word in ("Linux", "x86_64", "aarch64", "CI runs"))
