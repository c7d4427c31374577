"""Answers to policy questions: hybrid retrieval, relevance, extractive composition and citation quoting.

What lives here: BM25 + dense retrieval fused per question (`retrieval`), whether to answer at all
(`relevance`), what a question asks (`intent`), verbatim passages scored for it with headings as context
(`passages`), the grounded extractive answer with numbered citations (`compose`), the law in force preferred and
a superseded document's successor standing in for it (`validity`), follow-up questions read in
their conversation (`conversation`: topic carried or reset, orphans asked back) and the conversation round trip
around `AnswerService.ask` (`dialogue`, over a `ConversationStore` protocol the records area implements), what an answer reads of a
support measure (`measures`, protocols the eligibility catalog satisfies), quoting citations as footnotes for
chat clients (`quoting`), the LangChain retriever (`langchain`), the answer itself (`answer`), curated answers
checked against the documents and matched to questions (`curated`, over a `CuratedSource` protocol the records
area implements) and the Chinese texts of answers (`texts`).
Reads the knowledge base; never imports eligibility or records.
"""
