"""`python -m api audit --since …` as an operator runs it: the usual day forms work, a wrong one is a plain
argparse error (exit 2, no traceback)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def run_api(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("BANGFU_")}
    env.update(BANGFU_DATA_DIR=str(tmp_path / "data"), PYTHONPATH=str(ROOT))
    return subprocess.run(
        [sys.executable, "-m", "api", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


@pytest.mark.parametrize("since", ["yesterday", "today", "昨天", "2024-01-01"])
def test_audit_since_takes_the_usual_forms(tmp_path: Path, since: str) -> None:
    done = run_api(tmp_path, "audit", "--since", since, "--until", "today")
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[0] == "id,at,role,actor,channel,household_no,action,detail"
    assert "0 audit records" in done.stderr


@pytest.mark.parametrize("since", ["last week", "2024-13-01", "01/05/2024"])
def test_a_wrong_day_is_a_plain_error(tmp_path: Path, since: str) -> None:
    done = run_api(tmp_path, "audit", "--since", since)
    assert done.returncode == 2
    assert "error: argument --since:" in done.stderr and repr(since) in done.stderr
    assert "today, yesterday or YYYY-MM-DD" in done.stderr or "not a day of the calendar" in done.stderr
    assert "Traceback" not in done.stderr and "fromisoformat" not in done.stderr
