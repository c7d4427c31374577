"""The ingest job: policy documents, measure catalog and glossary into the knowledge store."""
