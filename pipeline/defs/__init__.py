"""Dagster definitions, one module per stage: ingest -> extract -> tables -> publish."""
