"""Answer-level figures: does the answer text state the asked fact, not only cite the right document.

An answer key is a list of short strings, each a verbatim substring of the gold document that states the asked
fact; the answer counts when one of them is in its text. Texts are compared after NFKC, without whitespace and
without the [n] citation markers, so a marker or a line break inside a sentence does not hide a key.

Example::

    tally = AnswerTally()
    tally.add(answer_dict, gold_docs=["qinghe-microcredit-2023"], keys=["5万元"])
    print(tally.line("test"))
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

_MARKER = re.compile(r"\[\d+\]")
_SPACE = re.compile(r"\s+")


def comparable(text: str) -> str:
    """`text` as keys are matched against it: NFKC, no [n] markers, no whitespace."""
    return _SPACE.sub("", _MARKER.sub("", unicodedata.normalize("NFKC", text)))


def key_in(keys: Iterable[str], text: str) -> bool:
    """Whether one of `keys` occurs in `text`."""
    haystack = comparable(text)
    return any(comparable(k) and comparable(k) in haystack for k in keys)


def as_answer_dict(answer: Any) -> Mapping[str, Any]:
    """An `/v1/ask` body from either the response JSON or a core `Answer`."""
    return answer if isinstance(answer, Mapping) else answer.as_dict()


@dataclass
class AnswerTally:
    """Answer-level counts over in-scope questions (with keys) and out-of-scope ones."""

    n: int = 0
    answered: int = 0
    doc_cited: int = 0
    keyed: int = 0  # in-scope questions that have an answer key
    key_in_answer: int = 0
    key_in_cited: int = 0
    chars: int = 0  # total length of the answered in-scope answers
    oos: int = 0
    oos_declined: int = 0
    misses: list[str] = field(default_factory=list)  # in-scope questions whose answer lacks the key
    oos_answered: list[str] = field(default_factory=list)
    records: list[dict[str, Any]] = field(default_factory=list)  # one per question, for --json dumps

    def add(self, answer: Any, *, gold_docs: Sequence[str], keys: Sequence[str], question: str = "") -> bool:
        """Count one in-scope answer; True when it states the key (or has no key and cites a gold doc)."""
        body = as_answer_dict(answer)
        cites = body.get("citations") or []
        self.n += 1
        cited = any(c["doc_id"] in gold_docs for c in cites)
        self.doc_cited += int(cited)
        if not body["abstained"]:
            self.answered += 1
            self.chars += len(body["answer"])
        in_answer = bool(keys) and not body["abstained"] and key_in(keys, body["answer"])
        in_cited = bool(keys) and any(key_in(keys, c["text"]) for c in cites)
        self.records.append(
            {
                "q": question,
                "in_scope": True,
                "keys": list(keys),
                "gold_docs": list(gold_docs),
                "answer": body["answer"],
                "abstained": body["abstained"],
                "cited_docs": [c["doc_id"] for c in cites],
                "doc_cited": cited,
                "key_in_answer": in_answer,
                "key_in_cited": in_cited,
            }
        )
        if not keys:
            return cited
        self.keyed += 1
        self.key_in_answer += int(in_answer)
        self.key_in_cited += int(in_cited)
        if not in_answer:
            self.misses.append(question)
        return in_answer

    def add_out_of_scope(self, answer: Any, question: str = "") -> bool:
        """Count one out-of-scope answer; True when it was declined."""
        body = as_answer_dict(answer)
        declined = bool(body["abstained"])
        self.records.append(
            {"q": question, "in_scope": False, "answer": body["answer"], "declined": declined}
        )
        self.oos += 1
        self.oos_declined += int(declined)
        if not declined:
            self.oos_answered.append(question)
        return declined

    def as_dict(self) -> dict[str, float | int]:
        n, k = self.n or 1, self.keyed or 1
        return {
            "n": self.n,
            "answered": self.answered / n,
            "doc_cited": self.doc_cited / n,
            "keyed": self.keyed,
            "key_in_answer": self.key_in_answer / k,
            "key_in_cited": self.key_in_cited / k,
            "mean_chars": self.chars / (self.answered or 1),
            "oos": self.oos,
            "oos_declined": self.oos_declined / self.oos if self.oos else 1.0,
        }

    def line(self, name: str) -> str:
        """One report line of the figures."""
        d = self.as_dict()
        oos = f"  out-of-scope declined {d['oos_declined']:.3f} (n={self.oos})" if self.oos else ""
        return (
            f"{name:<10} n={self.n:<4} gold doc cited {d['doc_cited']:.3f}  key in answer {d['key_in_answer']:.3f}  "
            f"key in cited {d['key_in_cited']:.3f}  mean answer {d['mean_chars']:.0f} chars  "
            f"answered {d['answered']:.3f}{oos}"
        )


HEADER = (
    "answer level (key = a verbatim string of the gold document that states the asked fact; "
    "mean answer = characters of answered in-scope answers)"
)
