"""The knowledge base: policy documents, their chunks and vectors, published in generations.

What lives here: the document models (`models`), what a generation is made of — pointer, stored documents,
the loaded snapshot (`generation`), the store interface (`store`) with one backend per mode — embedded
(`embedded`, a Chroma directory per generation) and server (`server`, a Chroma server) — over one generation's
Chroma collections (`chroma`), the live generation the API serves and follows without restarts (`live`), the
embedding backends (`embedding`), and the corpus's glossary and referrals (`glossary`). Retrieval and answers
read it; they live in `core.answers`.
"""
