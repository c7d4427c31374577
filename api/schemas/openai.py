"""The OpenAI-compatible chat endpoint's request and responses (chat completion, stream chunk, models), with
Bangfu's extras: the citations, the measures and the abstention flag."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, field_validator

from api.schemas.answers import CitationOut, ClarifyChoice, MeasureRef

MODEL_ID = "bangfu"
MAX_MESSAGES = 50
MAX_QUESTION_CHARS = 500  # as /v1/ask
MAX_HISTORY = 3  # earlier user messages read for a follow-up's context


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
    include_usage: StrictBool | None = Field(
        None, description="send one more chunk before [DONE] with `usage` and no choices, as OpenAI does"
    )


class ChatCompletionIn(BaseModel):
    """An OpenAI chat completion request.

    The last user message is answered, read in the context of the earlier user messages (a follow-up such as
    要带什么材料 is about the earlier question's measure); other OpenAI parameters (temperature, top_p, max_tokens, user,
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
    stream: StrictBool | None = Field(False, description="true: the answer comes as server-sent events")
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

    def earlier_questions(self) -> list[str]:
        """The user messages before the last one, oldest first (at most the last few, each capped)."""
        users = [m.text().strip() for m in self.messages if m.role == "user"][:-1]
        return [q[:MAX_QUESTION_CHARS] for q in users if q][-MAX_HISTORY:]


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
_CLARIFY = "Bangfu extra: a follow-up with no earlier question: the measures the reply asks to choose from"
_ABSTAINED = (
    "Bangfu extra: true when the policies do not answer the question; the content then says whom to ask"
)


class AnswerExtras(BaseModel):
    """Bangfu's fields beyond OpenAI's (the openai SDK keeps them in `model_extra`)."""

    citations: list[CitationOut] = Field(description=_CITATIONS)
    measures: list[MeasureRef] = Field(description=_MEASURES)
    abstained: bool = Field(description=_ABSTAINED)
    clarify: list[ClarifyChoice] = Field(default_factory=list, description=_CLARIFY)


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
    clarify: list[ClarifyChoice] = Field(default_factory=list, description=_CLARIFY)


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
    clarify: list[ClarifyChoice] | None = Field(
        None, exclude_if=lambda v: v is None, description=_CLARIFY + "; last chunk only"
    )


class ModelOut(BaseModel):
    id: str = Field(examples=[MODEL_ID])
    object: Literal["model"] = "model"
    created: int = Field(description="Unix time; fixed")
    owned_by: str


class ModelListOut(BaseModel):
    object: Literal["list"] = "list"
    data: list[ModelOut]
