"""The embedded knowledge store (default): one Chroma directory per generation, the pointer in a file.

Layout under the data dir's ``kb/``: ``gens/<generation>/`` (a PersistentClient directory with the collections
``<prefix>-chunks``, ``-docs``, ``-meta``) and ``CURRENT.json`` (the published `Pointer`).
"""

from __future__ import annotations

import contextlib
import os
import shutil
from pathlib import Path
from typing import Any

from core.errors import ServiceUnavailable
from core.knowledge.generation import Pointer
from core.knowledge.store import KnowledgeStore


class EmbeddedStore(KnowledgeStore):
    """Generations as directories of a Chroma PersistentClient; no server to run."""

    def ping(self) -> str | None:
        return None  # files on this machine always answer

    def _gen_dir(self, generation: str) -> Path:
        return self.root / "gens" / generation

    def _client_for(self, generation: str, *, create: bool) -> Any:
        import chromadb

        path = self._gen_dir(generation)
        if not create and not path.exists():
            raise ServiceUnavailable(f"knowledge generation {generation} is missing on disk")
        path.mkdir(parents=True, exist_ok=True)
        return chromadb.PersistentClient(path=str(path), settings=self._chroma_settings())

    def _release(self, client: Any) -> None:
        with contextlib.suppress(Exception):
            client.close()

    def _collection_name(self, generation: str, kind: str) -> str:
        return f"{self.prefix}-{kind}"  # the directory already names the generation

    # -- pointer ---------------------------------------------------------------------------------
    @property
    def _pointer_file(self) -> Path:
        return self.root / "CURRENT.json"

    def read_pointer(self) -> Pointer | None:
        try:
            return Pointer.from_json(self._pointer_file.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None

    def publish(self, pointer: Pointer) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        tmp = self._pointer_file.with_suffix(".tmp")
        with open(tmp, "w", encoding="utf-8") as fh:
            fh.write(pointer.to_json())
            fh.flush()
            os.fsync(fh.fileno())
        tmp.replace(self._pointer_file)
        with contextlib.suppress(OSError):  # make the rename durable where the OS allows
            dir_fd = os.open(self.root, os.O_RDONLY)
            try:
                os.fsync(dir_fd)
            finally:
                os.close(dir_fd)

    # -- generations -----------------------------------------------------------------------------
    def generations(self) -> list[str]:
        base = self.root / "gens"
        return sorted(p.name for p in base.iterdir() if p.is_dir()) if base.exists() else []

    def drop(self, generation: str) -> None:
        shutil.rmtree(self._gen_dir(generation), ignore_errors=True)
