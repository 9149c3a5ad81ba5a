"""CSV import and export: columns and values as CRMs write them, streamed in batches, reported row by row."""
