"""Shared test helpers: generators of real policy files (DOCX, PDF, legacy-encoded text)."""
