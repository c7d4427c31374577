"""帮扶通 domain core: settings, knowledge store, retrieval, answers, catalog, eligibility, households.

Imports no web or bot framework; `api`, `bot` and `ingest` are thin edges around it.
"""
