"""Records in the SQL database: households, identities and bindings, the audit log, run-time logs.

What lives here: the engine and migrations (`db`, `migrations/`), household records (`households`), API
clients, cadre accounts and binding (`identity`), the append-only audit log (`audit`), ID-card and phone
handling (`pii`), answer feedback (`feedback`) and unanswered questions (`unanswered`), and the Chinese
summaries of a household's record (`texts`). Never imports answers or eligibility.
"""
