"""Table metadata for the published dataset, and everything derived from it.

`tables.yaml` is written once; this module turns it into the pandera schema that
validates each table, the pyarrow schema its Parquet file is written with, the DuckDB
DDL (keys and comments included), and the Markdown data dictionary.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import pandas as pd
import pandera.pandas as pa
import pyarrow as pyarrow_lib
import yaml

TABLES_FILE = Path(__file__).with_name("tables.yaml")
VIEWS_FILE = Path(__file__).with_name("views.yaml")
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml's: the same values, ten times faster


def read_yaml(path: Path) -> Any:
    """A YAML data file (schemas, views, vocabularies) read with the safe loader, libyaml's when installed."""
    return yaml.load(Path(path).read_text(encoding="utf-8"), Loader=_YAML_LOADER)


_PANDERA_TYPES: dict[str, Any] = {
    "string": pa.String,
    "int64": pa.Int64,
    "float64": pa.Float64,
    "date": pa.Date,
    "bool": pa.Bool,
}
_ARROW_TYPES: dict[str, pyarrow_lib.DataType] = {
    "string": pyarrow_lib.string(),
    "int64": pyarrow_lib.int64(),
    "float64": pyarrow_lib.float64(),
    "date": pyarrow_lib.date32(),
    "bool": pyarrow_lib.bool_(),
}
_DUCKDB_TYPES = {"string": "VARCHAR", "int64": "BIGINT", "float64": "DOUBLE", "date": "DATE", "bool": "BOOLEAN"}


@dataclass(frozen=True)
class ColumnSpec:
    name: str
    type: str
    description: str
    nullable: bool = False
    unique: bool = False
    enum: tuple[str, ...] | None = None
    pattern: str | None = None
    min: float | None = None
    max: float | None = None
    duckdb_enum: str | None = None  # stored in DuckDB as this ENUM type: the enum's order is its sort order


@dataclass(frozen=True)
class ForeignKey:
    columns: tuple[str, ...]
    table: str
    ref_columns: tuple[str, ...]


@dataclass(frozen=True)
class PolymorphicForeignKey:
    """`id_column` points into the table chosen by the value of `type_column`."""

    type_column: str
    id_column: str
    references: dict[str, tuple[str, str]]  # type value -> (table, column)


@dataclass(frozen=True)
class TableSpec:
    name: str
    description: str
    columns: tuple[ColumnSpec, ...]
    primary_key: tuple[str, ...]
    foreign_keys: tuple[ForeignKey, ...] = ()
    polymorphic_foreign_keys: tuple[PolymorphicForeignKey, ...] = field(default=())

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    def column(self, name: str) -> ColumnSpec:
        return next(c for c in self.columns if c.name == name)


def _parse_table(name: str, raw: dict[str, Any]) -> TableSpec:
    columns = tuple(
        ColumnSpec(
            name=col_name,
            type=col["type"],
            description=col["description"],
            nullable=col.get("nullable", False),
            unique=col.get("unique", False),
            enum=tuple(col["enum"]) if "enum" in col else None,
            pattern=col.get("pattern"),
            min=col.get("min"),
            max=col.get("max"),
            duckdb_enum=col.get("duckdb_enum"),
        )
        for col_name, col in raw["columns"].items()
    )
    fks = tuple(
        ForeignKey(tuple(fk["columns"]), fk["references"]["table"], tuple(fk["references"]["columns"]))
        for fk in raw.get("foreign_keys", [])
    )
    pfks = tuple(
        PolymorphicForeignKey(
            p["type_column"],
            p["id_column"],
            {k: (v["table"], v["column"]) for k, v in p["references"].items()},
        )
        for p in raw.get("polymorphic_foreign_keys", [])
    )
    return TableSpec(name, " ".join(raw["description"].split()), columns, tuple(raw["primary_key"]), fks, pfks)


@cache
def load_tables() -> dict[str, TableSpec]:
    """All published tables, in dependency order (parents before children)."""
    raw = read_yaml(TABLES_FILE)
    tables = {name: _parse_table(name, spec) for name, spec in raw["tables"].items()}
    enums: dict[str, tuple[str, ...]] = {}
    for spec in tables.values():
        for c in spec.columns:
            if c.duckdb_enum is None:
                continue
            if c.enum is None or c.type != "string":
                raise ValueError(f"{spec.name}.{c.name}: duckdb_enum needs a string column with an enum")
            if enums.setdefault(c.duckdb_enum, c.enum) != c.enum:
                raise ValueError(f"{spec.name}.{c.name}: ENUM {c.duckdb_enum} is declared with other values elsewhere")
    return tables


def duckdb_enum_types() -> dict[str, tuple[str, ...]]:
    """The ENUM types of the DuckDB file (name -> values in sort order), as the columns declare them."""
    return {c.duckdb_enum: c.enum for spec in load_tables().values() for c in spec.columns if c.duckdb_enum and c.enum}


def duckdb_types_ddl() -> str:
    """CREATE TYPE for every ENUM, run before the tables: `ORDER BY status` then sorts in lifecycle order."""
    return "\n".join(
        f"CREATE TYPE {name} AS ENUM ({', '.join(_sql_literal(v) for v in values)});"
        for name, values in sorted(duckdb_enum_types().items())
    )


def table_names() -> list[str]:
    return list(load_tables())


def pandera_schema(table: str) -> pa.DataFrameSchema:
    """The pandera schema that every published frame of `table` must pass."""
    spec = load_tables()[table]
    columns = {}
    for col in spec.columns:
        checks = []
        if col.enum is not None:
            checks.append(pa.Check.isin(list(col.enum)))
        if col.pattern is not None:
            checks.append(pa.Check.str_matches(f"^(?:{col.pattern})$"))
        if col.min is not None:
            checks.append(pa.Check.ge(col.min))
        if col.max is not None:
            checks.append(pa.Check.le(col.max))
        columns[col.name] = pa.Column(
            _PANDERA_TYPES[col.type],
            checks=checks,
            nullable=col.nullable,
            unique=col.unique or spec.primary_key == (col.name,),
            coerce=True,
            description=col.description,
        )
    unique = list(spec.primary_key) if len(spec.primary_key) > 1 else None
    return pa.DataFrameSchema(
        columns,
        name=table,
        description=spec.description,
        strict=True,
        ordered=True,
        unique=unique,
        coerce=True,
    )


def arrow_schema(table: str) -> pyarrow_lib.Schema:
    """The Parquet schema of `table`, with descriptions as field and schema metadata."""
    spec = load_tables()[table]
    fields = [
        pyarrow_lib.field(
            c.name,
            _ARROW_TYPES[c.type],
            nullable=c.nullable,
            metadata={"description": c.description},
        )
        for c in spec.columns
    ]
    return pyarrow_lib.schema(fields, metadata={"table": table, "description": spec.description})


def _sql_literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def duckdb_ddl(table: str, primary_key: bool = True) -> str:
    """CREATE TABLE (with primary/foreign keys and CHECKs for enums) plus COMMENT statements.

    With `primary_key=False` the key is left for `duckdb_primary_key`, to add after a bulk load:
    DuckDB builds the index in one pass then, much faster than row by row during the load."""
    spec = load_tables()[table]
    lines = []
    for c in spec.columns:
        line = f"    {c.name} {c.duckdb_enum or _DUCKDB_TYPES[c.type]}"
        if not c.nullable:
            line += " NOT NULL"
        if c.enum is not None and c.duckdb_enum is None:
            values = ", ".join(_sql_literal(v) for v in c.enum)
            line += f" CHECK ({c.name} IN ({values}))"
        lines.append(line)
    if primary_key:
        lines.append(f"    PRIMARY KEY ({', '.join(spec.primary_key)})")
    for fk in spec.foreign_keys:
        lines.append(f"    FOREIGN KEY ({', '.join(fk.columns)}) REFERENCES {fk.table} ({', '.join(fk.ref_columns)})")
    statements = [f"CREATE TABLE {table} (\n" + ",\n".join(lines) + "\n);"]
    statements.append(f"COMMENT ON TABLE {table} IS {_sql_literal(spec.description)};")
    for c in spec.columns:
        statements.append(f"COMMENT ON COLUMN {table}.{c.name} IS {_sql_literal(c.description)};")
    return "\n".join(statements)


def duckdb_primary_key(table: str) -> str:
    return f"ALTER TABLE {table} ADD PRIMARY KEY ({', '.join(load_tables()[table].primary_key)});"


def empty_frame(table: str) -> pd.DataFrame:
    """A zero-row frame with the table's columns, so that empty tables still publish."""
    return pd.DataFrame({c: pd.Series(dtype="object") for c in load_tables()[table].column_names})


def data_dictionary_markdown() -> str:
    """The data dictionary, generated from the same metadata as everything else."""
    out = ["# Data dictionary", "", "Generated from `schemas/tables.yaml`; do not edit by hand.", ""]
    for spec in load_tables().values():
        out += [f"## `{spec.name}`", "", spec.description, "", f"Primary key: `{', '.join(spec.primary_key)}`", ""]
        for fk in spec.foreign_keys:
            out.append(f"Foreign key: `{', '.join(fk.columns)}` → `{fk.table}({', '.join(fk.ref_columns)})`")
        if spec.foreign_keys:
            out.append("")
        out += ["| column | type | nullable | description |", "|---|---|---|---|"]
        for c in spec.columns:
            desc = c.description
            if c.enum:
                desc += " One of: " + ", ".join(f"`{v}`" for v in c.enum) + "."
                if c.duckdb_enum:
                    desc += f" In DuckDB an ENUM (`{c.duckdb_enum}`) that sorts in this order."
            out.append(f"| `{c.name}` | {c.type} | {'yes' if c.nullable else 'no'} | {desc} |")
        out.append("")
    out += ["# Views", ""]
    for view in load_views().values():
        out += [f"## `{view.name}`", "", view.description, "", "| column | description |", "|---|---|"]
        out += [f"| `{c}` | {d} |" for c, d in view.columns.items()]
        out.append("")
    return "\n".join(out)


@dataclass(frozen=True)
class ViewSpec:
    name: str
    description: str
    sql: str
    columns: dict[str, str]


@cache
def load_views() -> dict[str, ViewSpec]:
    raw = read_yaml(VIEWS_FILE)["views"]
    return {name: ViewSpec(name, " ".join(v["description"].split()), v["sql"], dict(v["columns"])) for name, v in raw.items()}


def duckdb_view_ddl(view: str) -> str:
    """CREATE VIEW plus COMMENT statements for the view and each of its columns."""
    spec = load_views()[view]
    statements = [f"CREATE VIEW {view} AS\n{spec.sql.strip()};", f"COMMENT ON VIEW {view} IS {_sql_literal(spec.description)};"]
    statements += [f"COMMENT ON COLUMN {view}.{c} IS {_sql_literal(d)};" for c, d in spec.columns.items()]
    return "\n".join(statements)


_FRICTIONLESS_TYPES = {"string": "string", "int64": "integer", "float64": "number", "date": "date", "bool": "boolean"}


def table_schema_descriptor(table: str) -> dict[str, Any]:
    """The Frictionless Table Schema of `table`."""
    spec = load_tables()[table]
    fields = []
    for c in spec.columns:
        constraints: dict[str, Any] = {}
        if not c.nullable:
            constraints["required"] = True
        if c.unique or spec.primary_key == (c.name,):
            constraints["unique"] = True
        if c.enum:
            constraints["enum"] = list(c.enum)
        if c.pattern:
            constraints["pattern"] = c.pattern
        if c.min is not None:
            constraints["minimum"] = c.min
        if c.max is not None:
            constraints["maximum"] = c.max
        field: dict[str, Any] = {"name": c.name, "type": _FRICTIONLESS_TYPES[c.type], "description": c.description}
        if constraints:
            field["constraints"] = constraints
        fields.append(field)
    schema: dict[str, Any] = {"fields": fields, "primaryKey": list(spec.primary_key), "missingValues": [""]}
    if spec.foreign_keys:
        schema["foreignKeys"] = [
            {"fields": list(fk.columns), "reference": {"resource": fk.table, "fields": list(fk.ref_columns)}}
            for fk in spec.foreign_keys
        ]
    return schema
