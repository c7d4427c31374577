"""Operations: structured JSON-lines logs with request ids and masked numbers."""
