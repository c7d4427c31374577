"""An OpenAI-compatible chat endpoint, so portals and tools that speak the OpenAI API can ask policy questions.

`POST /v1/chat/completions` answers the last user message through the same path as `/v1/ask` (grounded,
extractive, with citations, or an honest abstention), read in the context of the earlier user messages as a
conversation's follow-up is (core/answers/dialogue.py); assistant and system messages are not read — answers come
from the policies, never from instructions in a chat. The reply's content is the answer
with its [n] markers followed by numbered footnotes (core/answers/quoting.py); the citations, matched measures and the abstention flag
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

import time
import uuid
from collections.abc import Iterator
from typing import Any

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import StreamingResponse

from api.auth import require_public
from api.deps import ServicesDep
from api.schemas.common import ErrorOut
from api.schemas.openai import (
    MODEL_ID,
    AnswerExtras,
    AssistantMessageOut,
    ChatCompletionChunkOut,
    ChatCompletionIn,
    ChatCompletionOut,
    ChoiceOut,
    ChunkChoiceOut,
    DeltaOut,
    ModelListOut,
    ModelOut,
    UsageOut,
)
from core.answers.quoting import content_pieces, reply_content
from core.errors import NotFound

router = APIRouter(tags=["openai"], dependencies=[Depends(require_public)])

# Fixed, so model lists are the same across restarts and replicas (2025-01-01T00:00:00Z).
MODEL_CREATED = 1735689600
TOP_K = 3  # as /v1/ask's default


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
            clarify=extras.clarify,
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
                                "description": "a JSON `chat.completion.chunk` (see contentSchema); "
                                "the last event's data is `[DONE]`",
                                "anyOf": [
                                    {
                                        "type": "string",
                                        "contentMediaType": "application/json",
                                        "contentSchema": _inline_defs(
                                            ChatCompletionChunkOut.model_json_schema()
                                        ),
                                    },
                                    {"type": "string", "const": "[DONE]"},
                                ],
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
    answer = services.conversations.ask_with_history(
        view, body.question(), body.earlier_questions(), top_k=TOP_K
    )
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
