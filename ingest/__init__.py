"""Readers, chunkers and the incremental ingestion pipeline."""
