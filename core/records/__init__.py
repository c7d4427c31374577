"""Records in the SQL database: households, identities and bindings, the audit log, run-time logs.

What lives here: the engine and migrations (`db`, `migrations/`), household records (`households/`), API
clients, cadre accounts and binding (`identity/`), the append-only audit log (`audit`), ID-card and phone
handling (`pii`), answer feedback (`feedback`) and unanswered questions (`unanswered`) with the one-time
import of the JSON-lines files earlier versions kept (`legacy`), conversation state for follow-up
questions (`conversations`, masked questions only, expiring), hardship reports worked as cases with their
attachments and notification outbox (`cases/`, the procedure itself being `core.cases`), the Chinese texts of a
household's summaries (`texts`), and the workbench's records: sign-in links and sessions (`staff`), curated answers
(`curated`), uploaded documents, document marks and ingest jobs (`library`), the review state and place of
unanswered questions and feedback (`review`) and masking people's names (`names`). Never imports answers or
eligibility.
"""
