"""The knowledge base: policy documents, their chunks and vectors, published in generations.

What lives here: the document models (`models`), the store of generations in Chroma (`store`), the live
generation the API serves and follows without restarts (`live`), the embedding backends (`embedding`), and
the corpus's glossary and referrals. Retrieval and answers read it; they live in `core.answers`.
"""
