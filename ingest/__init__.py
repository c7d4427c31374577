"""The ingest job: policy documents, measure catalog and glossary into the knowledge store.

`pipeline` runs it: `corpus` scans a policies folder, `planning` parses documents against the live generation
(keeping the last good version of a live document that now fails, refusing a run that would lose most of the
library), `catalog` loads measures, facts and glossary, `publishing` embeds and writes the new generation and
flips the pointer last; `report` is what a run did. `households` imports household records.
"""
