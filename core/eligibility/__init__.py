"""Eligibility screening: "Can I get it?" decided by the catalog's declarative rules.

What lives here: the fact registry of policies/facts.yaml (`facts`), rule parsing and three-valued evaluation
(`rules`), the measure catalog (`catalog`), screening with reasons and cited clauses (`screening`), the short
interview — next question, every path (`interview`), facts taken from a household's own record (`prefill`,
which reads a record through a protocol, never the records area) and the Chinese texts of all of them (`texts`).
"""
