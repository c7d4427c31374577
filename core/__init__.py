"""帮扶通 domain core, one package per area; imports no web or bot framework.

| package | what lives there |
|---|---|
| `text/` | normalisation (width, script, colloquial spellings), sentence spans, the one tokenizer |
| `knowledge/` | document models, the Chroma store (embedded and server), live generations, embedding, glossary |
| `answers/` | hybrid retrieval, relevance, extractive answers with citations, citation quoting |
| `eligibility/` | facts, rules, the measure catalog, screening and the interview, prefill from a record |
| `records/` | the SQL database: households, identity and binding, audit, PII, feedback, unanswered, cases |
| `cases/` | the 防返贫 self-report procedure without storage: statuses and steps, working-day deadlines |
| `ops/` | structured logs |

`settings.py` (typed `BANGFU_*` settings), `errors.py` (the domain errors) and `services.py` (the one
composition root) sit at the top. `api`, `bot` and `ingest` are thin edges around it.
"""
