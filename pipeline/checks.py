"""Validation of the published tables: the pandera schema of each table, and referential
integrity across tables. Pure functions, used by the Dagster asset checks and the CLI."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import pandera.pandas as pa

import schemas


@dataclass
class CheckOutcome:
    passed: bool
    failures: pd.DataFrame  # one row per failing value (empty when passed)
    summary: str


def validate_table(table: str, df: pd.DataFrame) -> tuple[pd.DataFrame, CheckOutcome]:
    """The frame coerced to its declared types, and what failed (all failures, not the first)."""
    schema = schemas.pandera_schema(table)
    try:
        validated = schema.validate(df, lazy=True)
    except pa.errors.SchemaErrors as exc:
        cases = exc.failure_cases.copy()
        keep = [c for c in ["column", "check", "failure_case", "index"] if c in cases.columns]
        cases = cases[keep].astype(str)
        return df, CheckOutcome(False, cases, f"{len(cases)} value(s) fail the {table} schema")
    return validated, CheckOutcome(
        True, pd.DataFrame(columns=["column", "check", "failure_case", "index"]), f"{len(df)} rows pass the {table} schema"
    )


def foreign_key_failures(table: str, tables: dict[str, pd.DataFrame]) -> CheckOutcome:
    """Rows of `table` whose foreign keys point at no row of the referenced table."""
    spec = schemas.load_tables()[table]
    df = tables[table]
    problems = []
    for fk in spec.foreign_keys:
        parent = tables[fk.table]
        left = df[list(fk.columns)].astype(str)
        known = pd.MultiIndex.from_frame(parent[list(fk.ref_columns)].astype(str))
        missing = left[~pd.MultiIndex.from_frame(left).isin(known)]
        for row in missing.itertuples(index=False):
            problems.append({"foreign_key": f"{', '.join(fk.columns)} -> {fk.table}", "value": ", ".join(row)})
    for pfk in spec.polymorphic_foreign_keys:
        for type_value, (ref_table, ref_column) in pfk.references.items():
            ids = df.loc[df[pfk.type_column] == type_value, pfk.id_column].astype(str)
            known = set(tables[ref_table][ref_column].astype(str))
            for value in ids[~ids.isin(known)]:
                problems.append({"foreign_key": f"{pfk.id_column} ({type_value}) -> {ref_table}", "value": value})
        unknown = ~df[pfk.type_column].isin(list(pfk.references))
        for value in df.loc[unknown, pfk.type_column]:
            problems.append({"foreign_key": f"{pfk.type_column} has no referenced table", "value": str(value)})
    failures = pd.DataFrame(problems, columns=["foreign_key", "value"])
    if failures.empty:
        return CheckOutcome(True, failures, f"every foreign key of {table} resolves")
    return CheckOutcome(False, failures, f"{len(failures)} foreign key value(s) of {table} point nowhere")


def has_foreign_keys(table: str) -> bool:
    spec = schemas.load_tables()[table]
    return bool(spec.foreign_keys or spec.polymorphic_foreign_keys)
