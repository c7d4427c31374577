"""Answers to policy questions: hybrid retrieval, relevance, extractive composition and citation quoting.

What lives here: BM25 + dense retrieval fused per question (`retrieval`), whether to answer at all
(`relevance`), the grounded extractive answer with numbered citations (`compose`), what an answer reads of a
support measure (`measures`, protocols the eligibility catalog satisfies), quoting citations as footnotes for
chat clients (`quoting`), the LangChain retriever (`langchain`) and the Chinese texts of answers (`texts`).
Reads the knowledge base; never imports eligibility or records.
"""
