"""An OpenAI-compatible chat endpoint, so portals and tools that speak the OpenAI API can ask policy questions.

`POST /v1/chat/completions` answers the last user message through the same path as `/v1/ask` (grounded,
extractive, with citations, or an honest abstention); the other messages, system prompts included, are not
read — answers come from the policies, never from instructions in a chat. The reply's content is the answer
with its [n] markers followed by numbered footnotes; the citations, matched measures and the abstention flag
also come as extra top-level fields. `GET /v1/models` lists the one model, `bangfu`.

Example::

    from openai import OpenAI

    client = OpenAI(base_url="http://127.0.0.1:8000/v1", api_key="<portal key>")
    reply = client.chat.completions.create(
        model="bangfu", messages=[{"role": "user", "content": "我家房子漏雨能修吗"}]
    )
    print(reply.choices[0].message.content)
    print(reply.model_extra["citations"])
"""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Iterator
from typing import Any, Literal

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, ConfigDict, Field, field_validator

from api.auth import require_public
from api.deps import ServicesDep
from api.routes.answers import CitationOut, MeasureRef
from api.schemas import ErrorOut
from core.answers.compose import Answer
from core.errors import NotFound
from core.knowledge.models import Citation

router = APIRouter(tags=["openai"], dependencies=[Depends(require_public)])

MODEL_ID = "bangfu"
# Fixed, so model lists are the same across restarts and replicas (2025-01-01T00:00:00Z).
MODEL_CREATED = 1735689600
MAX_MESSAGES = 50
MAX_QUESTION_CHARS = 500  # as /v1/ask
TOP_K = 3  # as /v1/ask's default
QUOTE_CHARS = 80

# User-facing text of this endpoint: the footnote under an answer, one per citation.
FOOTNOTE = "[{n}] 《{title}》{doc_number}{section}：“{quote}”"
FOOTNOTE_DOC_NUMBER = "（{doc_number}）"
FOOTNOTE_SECTION = " {section}"
ELLIPSIS = "…"

_SENTENCE_END = "。！？；"
_CLAUSE_END = "，、："
_SECTION_SEP = " › "
_MARKER = re.compile(r"\[(\d+)\]")
# Stream pieces end after a sentence end — not before its [n] marker, a closing bracket or the line's end — or
# after a line break (a run of them), so markers stay with their sentence and blank lines with the line before.
_PIECE_END = re.compile(r"(?<=[。！？；])(?![\[”’」』）)\n])|(?<=\n)(?!\n)")


# -- request ---------------------------------------------------------------------------------------------


class ContentPart(BaseModel):
    """One part of a message's content; text parts are read, other parts (images …) are ignored."""

    type: str = Field(description='"text" parts are read; other types are ignored', examples=["text"])
    text: str | None = Field(None, description="the text of a text part")


class ChatMessageIn(BaseModel):
    """One chat message; fields other OpenAI clients send with it (name, tool_calls …) are ignored."""

    role: Literal["system", "developer", "user", "assistant", "tool", "function"]
    content: str | list[ContentPart] | None = Field(
        None, description="a string, or a list of parts whose text parts are joined by line breaks"
    )

    def text(self) -> str:
        """The message's text: the string, or its text parts joined by line breaks."""
        if self.content is None:
            return ""
        if isinstance(self.content, str):
            return self.content
        return "\n".join(p.text or "" for p in self.content if p.type == "text")


class StreamOptions(BaseModel):
    include_usage: bool | None = Field(
        None, description="send one more chunk before [DONE] with `usage` and no choices, as OpenAI does"
    )


class ChatCompletionIn(BaseModel):
    """An OpenAI chat completion request.

    Only the last user message is answered; other OpenAI parameters (temperature, top_p, max_tokens, user,
    presence_penalty, …) are accepted and ignored: the answer is extractive, quoted from the policies.
    """

    model_config = ConfigDict(
        extra="ignore",
        json_schema_extra={
            "examples": [{"model": MODEL_ID, "messages": [{"role": "user", "content": "我家房子漏雨能修吗"}]}]
        },
    )

    model: str = Field(MODEL_ID, description=f"the model id; the only one is {MODEL_ID!r} (see /v1/models)")
    messages: list[ChatMessageIn] = Field(
        min_length=1,
        max_length=MAX_MESSAGES,
        description=f"the conversation, 1–{MAX_MESSAGES} messages; the last user message is the question "
        f"(1–{MAX_QUESTION_CHARS} characters)",
    )
    stream: bool | None = Field(False, description="true: the answer comes as server-sent events")
    stream_options: StreamOptions | None = None
    n: int | None = Field(None, description="how many choices; only 1 is supported")

    @field_validator("messages")
    @classmethod
    def _has_a_question(cls, messages: list[ChatMessageIn]) -> list[ChatMessageIn]:
        users = [m for m in messages if m.role == "user"]
        if not users:
            raise ValueError("there is no user message to answer")
        question = users[-1].text().strip()
        if not question:
            raise ValueError("the last user message is empty")
        if len(question) > MAX_QUESTION_CHARS:
            raise ValueError(f"the last user message is over {MAX_QUESTION_CHARS} characters")
        return messages

    @field_validator("n")
    @classmethod
    def _one_choice(cls, n: int | None) -> int | None:
        if n is not None and n != 1:
            raise ValueError("only n=1 is supported: there is one answer per question")
        return n

    def question(self) -> str:
        """The last user message, stripped (validation guarantees one, 1–500 characters)."""
        return next(m for m in reversed(self.messages) if m.role == "user").text().strip()


# -- responses -------------------------------------------------------------------------------------------


class UsageOut(BaseModel):
    """Sizes of the exchange, counted in characters as an approximation of tokens (there is no tokenizer)."""

    prompt_tokens: int = Field(description="characters of the text of all request messages")
    completion_tokens: int = Field(description="characters of the reply's content")
    total_tokens: int = Field(description="prompt_tokens + completion_tokens")


class AssistantMessageOut(BaseModel):
    role: Literal["assistant"] = "assistant"
    content: str = Field(
        description="the answer with [n] markers, a blank line and one footnote per citation "
        "(`[1] 《title》（文号） section：“quote”`); or the abstention message, which says whom to ask"
    )


class ChoiceOut(BaseModel):
    index: int = 0
    message: AssistantMessageOut
    finish_reason: Literal["stop"] = "stop"
    logprobs: None = None


_CITATIONS = (
    "Bangfu extra: the cited passages as in /v1/ask (`text` is verbatim document text); [] on abstention"
)
_MEASURES = "Bangfu extra: the support measures the answer is about, as in /v1/ask"
_ABSTAINED = (
    "Bangfu extra: true when the policies do not answer the question; the content then says whom to ask"
)


class AnswerExtras(BaseModel):
    """Bangfu's fields beyond OpenAI's (the openai SDK keeps them in `model_extra`)."""

    citations: list[CitationOut] = Field(description=_CITATIONS)
    measures: list[MeasureRef] = Field(description=_MEASURES)
    abstained: bool = Field(description=_ABSTAINED)


class ChatCompletionOut(BaseModel):
    """An OpenAI chat completion, plus Bangfu's `citations`, `measures` and `abstained`."""

    id: str = Field(description="chatcmpl-<hex>; a streamed reply's chunks share one id")
    object: Literal["chat.completion"] = "chat.completion"
    created: int = Field(description="Unix time of the reply")
    model: str
    system_fingerprint: str = Field(description="the knowledge generation (ingested corpus) that answered")
    choices: list[ChoiceOut] = Field(description="exactly one choice")
    usage: UsageOut
    citations: list[CitationOut] = Field(description=_CITATIONS)
    measures: list[MeasureRef] = Field(description=_MEASURES)
    abstained: bool = Field(description=_ABSTAINED)


class DeltaOut(BaseModel):
    role: Literal["assistant"] | None = Field(None, exclude_if=lambda v: v is None)
    content: str | None = Field(None, exclude_if=lambda v: v is None)


class ChunkChoiceOut(BaseModel):
    index: int = 0
    delta: DeltaOut
    finish_reason: Literal["stop"] | None = None
    logprobs: None = None


class ChatCompletionChunkOut(BaseModel):
    """One server-sent event of a streamed reply; the extras come only in the last chunk with choices."""

    id: str
    object: Literal["chat.completion.chunk"] = "chat.completion.chunk"
    created: int
    model: str
    system_fingerprint: str
    choices: list[ChunkChoiceOut] = Field(
        description="one choice; empty only in the usage chunk asked for with stream_options.include_usage"
    )
    usage: UsageOut | None = Field(None, exclude_if=lambda v: v is None)
    citations: list[CitationOut] | None = Field(
        None, exclude_if=lambda v: v is None, description=_CITATIONS + "; last chunk only"
    )
    measures: list[MeasureRef] | None = Field(
        None, exclude_if=lambda v: v is None, description=_MEASURES + "; last chunk only"
    )
    abstained: bool | None = Field(
        None, exclude_if=lambda v: v is None, description=_ABSTAINED + "; last chunk only"
    )


class ModelOut(BaseModel):
    id: str = Field(examples=[MODEL_ID])
    object: Literal["model"] = "model"
    created: int = Field(description="Unix time; fixed")
    owned_by: str


class ModelListOut(BaseModel):
    object: Literal["list"] = "list"
    data: list[ModelOut]


def _inline_defs(schema: dict[str, Any]) -> dict[str, Any]:
    """`schema` with its `#/$defs/...` references replaced by the definitions, to embed in an OpenAPI response."""
    defs = schema.pop("$defs", {})

    def resolve(node: Any) -> Any:
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and ref.startswith("#/$defs/"):
                return resolve(defs[ref.removeprefix("#/$defs/")])
            return {k: resolve(v) for k, v in node.items()}
        if isinstance(node, list):
            return [resolve(v) for v in node]
        return node

    return dict(resolve(schema))


_SSE_DESCRIPTION = (
    'With `"stream": true`: server-sent events, each `data: <ChatCompletionChunk JSON>` and a blank line. '
    "The first chunk's delta has the role, the next ones pieces of the content (sentences or lines), the last "
    'one an empty delta, `finish_reason: "stop"` and the `citations`, `measures` and `abstained` extras; '
    "then `data: [DONE]`. The schema below is that of one chunk."
)

_ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"model": ErrorOut, "description": "no key in production, or a wrong key"},
    404: {"model": ErrorOut, "description": "unknown model"},
    422: {"model": ErrorOut, "description": "invalid request (no user message, empty or too long, n ≠ 1 …)"},
    503: {"model": ErrorOut, "description": "no knowledge base loaded yet"},
}


# -- rendering -------------------------------------------------------------------------------------------


def footnotes(answer: str, citations: list[Citation]) -> list[str]:
    """One footnote line per citation: `[n] 《title》（文号） section：“quote”`."""
    return [
        FOOTNOTE.format(
            n=c.n,
            title=c.title,
            doc_number=FOOTNOTE_DOC_NUMBER.format(doc_number=c.doc_number) if c.doc_number else "",
            section=FOOTNOTE_SECTION.format(section=c.section) if c.section else "",
            quote=_quote(c, answer),
        )
        for c in citations
    ]


def _quote(citation: Citation, answer: str) -> str:
    """The cited passage for a footnote: from the passage the answer quotes verbatim with this citation's
    marker, else from the start of the clause (after its heading); lines folded, cut near QUOTE_CHARS with …."""
    text = citation.text
    body = _body_start(text, citation.section)
    start = body
    parts = _MARKER.split(answer)  # [text, n, text, n, …, text]: each text is what the marker after it backs
    for said, n in zip(parts[0::2], parts[1::2], strict=False):
        if int(n) != citation.n:
            continue
        at = _verbatim_at(text, said)
        if at is not None:
            start = max(at, body)
            break
    quote = _fold(text[start:])
    lead = ELLIPSIS if start > body else ""
    if len(quote) <= QUOTE_CHARS:
        return lead + quote
    end = QUOTE_CHARS
    for marks in (_SENTENCE_END, _CLAUSE_END):  # cut after a sentence, else after a clause, else anywhere
        cut = max(quote.rfind(ch, 0, QUOTE_CHARS) for ch in marks)
        if cut >= QUOTE_CHARS // 2:
            end = cut + 1
            break
    return lead + quote[:end] + ELLIPSIS


def _verbatim_at(text: str, said: str) -> int | None:
    """Where the longest run of last lines of `said` occurs verbatim in `text` (the answer's lines before a
    quoted passage, such as 政策原文：, are not in the clause)."""
    lines = said.split("\n")
    for k in range(len(lines)):
        candidate = "\n".join(lines[k:]).strip()
        if len(candidate) >= 8 and (at := text.find(candidate)) >= 0:  # a passage, not a stray word
            return at
    return None


def _body_start(text: str, section: str | None) -> int:
    """Where the clause's own words begin: after the headings of its section path that open the text."""
    pos = 0
    for heading in (section or "").split(_SECTION_SEP):
        heading = heading.strip()
        rest = len(text) - len(text[pos:].lstrip())
        if heading and text.startswith(heading, rest):
            pos = rest + len(heading)
    if pos:  # a heading like "（一）补贴标准。" may end in punctuation of its own
        pos = len(text) - len(text[pos:].lstrip().lstrip(_SENTENCE_END + _CLAUSE_END + ".:"))
    return len(text) - len(text[pos:].lstrip())


def _fold(text: str) -> str:
    """Lines joined into one: directly after Chinese punctuation, else with a space."""
    out = re.sub(r"(?<=[，。！？；：、）」”])\s*\n\s*", "", text.strip())
    return re.sub(r"\s+", " ", out)


def reply_content(answer: Answer) -> str:
    """The assistant message: the answer, then a blank line and the footnotes (none on abstention)."""
    notes = footnotes(answer.answer, answer.citations)
    return answer.answer + ("\n\n" + "\n".join(notes) if notes else "")


def content_pieces(content: str) -> list[str]:
    """The content split after sentences and lines, for streaming; the pieces join back to `content`."""
    return [p for p in _PIECE_END.split(content) if p]


def _usage(body: ChatCompletionIn, content: str) -> UsageOut:
    prompt = sum(len(m.text()) for m in body.messages)
    return UsageOut(prompt_tokens=prompt, completion_tokens=len(content), total_tokens=prompt + len(content))


def _events(
    body: ChatCompletionIn, content: str, head: dict[str, Any], extras: AnswerExtras
) -> Iterator[str]:
    """The server-sent events of a reply already computed: role, content pieces, the extras, [DONE]."""

    def event(chunk: ChatCompletionChunkOut) -> str:
        return f"data: {chunk.model_dump_json()}\n\n"

    yield event(ChatCompletionChunkOut(**head, choices=[ChunkChoiceOut(delta=DeltaOut(role="assistant"))]))
    for piece in content_pieces(content):
        yield event(ChatCompletionChunkOut(**head, choices=[ChunkChoiceOut(delta=DeltaOut(content=piece))]))
    yield event(
        ChatCompletionChunkOut(
            **head,
            choices=[ChunkChoiceOut(delta=DeltaOut(), finish_reason="stop")],
            citations=extras.citations,
            measures=extras.measures,
            abstained=extras.abstained,
        )
    )
    if body.stream_options and body.stream_options.include_usage:
        yield event(ChatCompletionChunkOut(**head, choices=[], usage=_usage(body, content)))
    yield "data: [DONE]\n\n"


# -- routes ----------------------------------------------------------------------------------------------


def _check_model(model: str) -> None:
    if model != MODEL_ID:
        raise NotFound(f"there is no model {model!r}; the available model is {MODEL_ID!r}")


@router.post(
    "/v1/chat/completions",
    response_model=ChatCompletionOut,
    summary="Chat completion (OpenAI-compatible)",
    responses={
        200: {
            "description": "the reply; or, with `stream: true`, server-sent events",
            "content": {
                "text/event-stream": {
                    # OpenAPI 3.1: `schema` describes one event; its data is a chunk, or [DONE] last.
                    "schema": {
                        "type": "object",
                        "description": _SSE_DESCRIPTION,
                        "required": ["data"],
                        "properties": {
                            "data": {
                                "type": "string",
                                "description": "a JSON `chat.completion.chunk` (see contentSchema); "
                                "the last event's data is `[DONE]`",
                                "contentMediaType": "application/json",
                                "contentSchema": _inline_defs(ChatCompletionChunkOut.model_json_schema()),
                            }
                        },
                    }
                }
            },
        },
        **_ERRORS,
    },
)
def chat_completions(
    body: ChatCompletionIn, services: ServicesDep, request: Request
) -> Response | ChatCompletionOut:
    """Answer the last user message from the policies, as /v1/ask does, in OpenAI's chat completion format."""
    _check_model(body.model)
    view = services.knowledge.current()
    answer = services.answers.ask(view, body.question(), top_k=TOP_K)
    request.app.state.metrics.observe_answer("chat", abstained=answer.abstained)
    content = reply_content(answer)
    extras = AnswerExtras.model_validate(answer.as_dict())
    head: dict[str, Any] = {
        "id": f"chatcmpl-{uuid.uuid4().hex}",
        "created": int(time.time()),
        "model": MODEL_ID,
        "system_fingerprint": view.generation,
    }
    if body.stream:
        return StreamingResponse(
            _events(body, content, head, extras),
            media_type="text/event-stream",
            headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
        )
    return ChatCompletionOut(
        **head,
        **extras.model_dump(),
        choices=[ChoiceOut(message=AssistantMessageOut(content=content))],
        usage=_usage(body, content),
    )


_MODEL = ModelOut(id=MODEL_ID, created=MODEL_CREATED, owned_by="bangfu")


@router.get("/v1/models", response_model=ModelListOut, summary="List models (OpenAI-compatible)")
def list_models() -> ModelListOut:
    """The models this endpoint serves: one, `bangfu`, which answers from the policy knowledge base."""
    return ModelListOut(data=[_MODEL])


@router.get(
    "/v1/models/{model}",
    response_model=ModelOut,
    summary="Get a model (OpenAI-compatible)",
    responses={404: {"model": ErrorOut, "description": "unknown model"}},
)
def get_model(model: str) -> ModelOut:
    """One model by id; 404 for any id but `bangfu`."""
    _check_model(model)
    return _MODEL
