"""What an answer is (`Answer`, as `/v1/ask` returns it) and where abstentions go (`UnansweredSink`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

from core.answers.conversation import ConversationContext
from core.knowledge.models import Citation

# The origin of a question asked to test retrieval (the workbench's 检索测试): answered the same way, but not
# recorded as unanswered and not counted as a curated answer's use.
DRY_RUN = object()


@dataclass
class Answer:
    """What `/v1/ask` returns."""

    answer: str
    abstained: bool
    citations: list[Citation] = field(default_factory=list)
    measures: list[dict[str, str]] = field(default_factory=list)
    reason: str | None = None  # why it abstained: no_match, out_of_scope (referred elsewhere), hostile
    # A follow-up without context: the likeliest measures to ask about ({measure_id, doc_id, name, question}).
    clarify: list[dict[str, str | None]] = field(default_factory=list)
    context: ConversationContext | None = None  # the conversation after this turn
    source: str = "extractive"  # "curated": a cadre's curated answer (core/answers/curated.py)
    curated_id: int | None = None
    lead_chunk: str = ""  # the chunk the lead passage is from (kept in the conversation, not returned)

    def as_dict(self) -> dict[str, Any]:
        return {
            "answer": self.answer,
            "abstained": self.abstained,
            "citations": [c.as_dict() for c in self.citations],
            "measures": self.measures,
            "clarify": self.clarify,
            "source": self.source,
        }


class UnansweredSink(Protocol):
    """Where abstentions are recorded; `origin` is the caller's opaque note of who asked (None: unknown)."""

    def __call__(self, question: str, reason: str, origin: object | None = None) -> None: ...
