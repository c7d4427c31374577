"""Questions asked within a conversation: `/v1/ask` with a `conversation_id`, and chat histories.

`Conversations.ask` loads the conversation's state (one primary-key read), answers the question in that context
(core/answers/conversation.py) and saves the new state (one write). An id that is unknown or expired starts a
new conversation under a new id, which the answer returns; the caller's id is never adopted, so ids are always
ones the service issued. A chat history (`/v1/chat/completions`) gives its context from the earlier user
messages instead, with no state kept.

Example::

    conversations = Conversations(answers, store)          # store: the records-backed ConversationStore
    first, cid = conversations.ask(view, "小额信贷怎么申请")
    second, _ = conversations.ask(view, "要带什么材料", conversation_id=cid)   # about 小额信贷
"""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import Iterable, Sequence

from core.answers.compose import Answer, AnswerService
from core.answers.conversation import ConversationContext, ConversationStore, next_context, resolve
from core.answers.measures import MeasureCard
from core.answers.retrieval import DocBM25Index
from core.errors import InvalidInput
from core.knowledge.live import KnowledgeView
from core.text import tokenize

logger = logging.getLogger(__name__)

CONVERSATION_ID = re.compile(r"^[0-9a-f]{32}$")  # what `new_conversation_id` issues
HISTORY_DOCS = 2  # documents an earlier chat message is taken to be about


def new_conversation_id() -> str:
    """A fresh, unguessable conversation id (32 lowercase hex digits)."""
    return uuid.uuid4().hex


class Conversations:
    """`AnswerService.ask` with the conversation's state loaded before and saved after."""

    def __init__(self, answers: AnswerService, store: ConversationStore) -> None:
        self.answers = answers
        self.store = store

    def ask(
        self,
        view: KnowledgeView,
        question: str,
        *,
        conversation_id: str | None = None,
        top_k: int = 3,
        origin: object | None = None,
    ) -> tuple[Answer, str]:
        """The answer read in the conversation, and the conversation's id (new when none, unknown or expired)."""
        context: ConversationContext | None = None
        if conversation_id is not None:
            if not CONVERSATION_ID.match(conversation_id):
                raise InvalidInput("conversation_id must be an id an earlier answer returned (32 hex digits)")
            state = self.store.load(conversation_id)
            context = ConversationContext.from_dict(state) if state is not None else None
        new = context is None
        cid = new_conversation_id() if new else conversation_id
        assert cid is not None
        answer = self.answers.ask(view, question, top_k=top_k, context=context, origin=origin)
        # A refused (hostile) first question leaves an empty conversation, so the returned id is a live one.
        state = (answer.context or ConversationContext()).to_dict()
        try:
            self.store.save(cid, state, new=new)
        except Exception:  # the answer stands; only the next follow-up loses its context
            logger.exception("could not save a conversation turn")
        return answer, cid

    def ask_with_history(
        self,
        view: KnowledgeView,
        question: str,
        earlier: Sequence[str],
        *,
        top_k: int = 3,
        origin: object | None = None,
    ) -> Answer:
        """The answer to `question` read in the context of the `earlier` questions of a chat, oldest first."""
        context = history_context(view, earlier, self.answers, catalog=self.answers.catalog_of(view))
        return self.answers.ask(view, question, top_k=top_k, context=context, origin=origin)


def history_context(
    view: KnowledgeView,
    questions: Sequence[str],
    answers: AnswerService,
    *,
    catalog: Iterable[MeasureCard] = (),
) -> ConversationContext | None:
    """The context earlier questions give, without answering them.

    Each earlier question is resolved as if it had been asked; the documents it was about are the best
    documents by BM25 over whole documents (cheap: no embedding, no passages) instead of the cited ones.
    """
    context: ConversationContext | None = None
    catalog = list(catalog)
    for question in questions:
        aq = answers.retriever.analyze(view, question)
        resolution = resolve(view, aq, context, catalog=catalog)
        docs: list[str] = []
        if resolution.kind != "orphan":
            expanded = answers.retriever.analyze(view, resolution.query).expanded
            docs = list(view.derived("doc_bm25", DocBM25Index).top(tokenize(expanded), HISTORY_DOCS))
        context = next_context(context, question, resolution, answered=bool(docs), doc_ids=docs)
    return context
