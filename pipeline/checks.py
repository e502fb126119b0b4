"""Validation of the published tables: the pandera schema of each table, and referential
integrity across tables. Pure functions, used by the Dagster asset checks and the CLI."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import pandera.pandas as pandera
import pyarrow as pa
import pyarrow.compute as pc

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
    except pandera.errors.SchemaErrors as exc:
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
        if len(fk.columns) == 1:
            missing = df.loc[~_is_in(df[fk.columns[0]], parent[fk.ref_columns[0]]), list(fk.columns)]
        else:
            left = df[list(fk.columns)].astype(str)
            known = pd.MultiIndex.from_frame(parent[list(fk.ref_columns)].astype(str))
            missing = df[~pd.MultiIndex.from_frame(left).isin(known)][list(fk.columns)]
        for row in missing.itertuples(index=False):
            problems.append({"foreign_key": f"{', '.join(fk.columns)} -> {fk.table}", "value": ", ".join(map(_shown, row))})
    for pfk in spec.polymorphic_foreign_keys:
        for type_value, (ref_table, ref_column) in pfk.references.items():
            ids = df.loc[(df[pfk.type_column] == type_value).to_numpy(dtype=bool, na_value=False), pfk.id_column]
            for value in ids[~_is_in(ids, tables[ref_table][ref_column])]:
                problems.append({"foreign_key": f"{pfk.id_column} ({type_value}) -> {ref_table}", "value": _shown(value)})
        unknown = ~df[pfk.type_column].isin(list(pfk.references))
        for value in df.loc[unknown, pfk.type_column]:
            problems.append({"foreign_key": f"{pfk.type_column} has no referenced table", "value": str(value)})
    failures = pd.DataFrame(problems, columns=["foreign_key", "value"])
    if failures.empty:
        return CheckOutcome(True, failures, f"every foreign key of {table} resolves")
    return CheckOutcome(False, failures, f"{len(failures)} foreign key value(s) of {table} point nowhere")


def _is_in(values: pd.Series, known: pd.Series) -> np.ndarray:
    """Which `values` are among `known`, compared as text; a missing value is among none.

    Hashed in Arrow: pandas' isin on Arrow-backed strings turns every value into a Python object
    (the whole check of the 805k mention rows: 0.26 s that way, 0.09 s this one)."""
    found = pc.is_in(_as_text(values), value_set=_as_text(known).combine_chunks(), skip_nulls=True)
    return pc.fill_null(found, False).to_numpy(zero_copy_only=False)


def _shown(value: object) -> str:
    return "(missing)" if pd.isna(value) else str(value)


def _as_text(series: pd.Series) -> pa.ChunkedArray:
    try:
        values = pa.array(series, from_pandas=True)  # Arrow-backed strings: their own buffers, not copied
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        values = pa.array(series.astype(str))
    if isinstance(values, pa.Array):
        values = pa.chunked_array([values], type=values.type)
    return values if values.type == pa.large_string() else values.cast(pa.large_string())


def has_foreign_keys(table: str) -> bool:
    spec = schemas.load_tables()[table]
    return bool(spec.foreign_keys or spec.polymorphic_foreign_keys)
