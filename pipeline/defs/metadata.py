"""Asset metadata shared by the stages: row counts, Markdown previews, column schemas."""

import dagster as dg
import pandas as pd

import schemas

PREVIEW_ROWS = 10


def markdown_preview(df: pd.DataFrame, rows: int = PREVIEW_ROWS) -> dg.MetadataValue:
    head = df.head(rows).copy()
    for column in head.columns:
        head[column] = head[column].map(lambda v: "" if v is None or (isinstance(v, float) and pd.isna(v)) else str(v)[:80])
    return dg.MetadataValue.md(head.to_markdown(index=False) if len(head) else "_(no rows)_")


def column_schema(table: str) -> dg.TableSchema:
    spec = schemas.load_tables()[table]
    return dg.TableSchema(
        columns=[
            dg.TableColumn(
                name=c.name,
                type=c.type,
                description=c.description,
                constraints=dg.TableColumnConstraints(nullable=c.nullable, unique=c.unique or spec.primary_key == (c.name,)),
            )
            for c in spec.columns
        ]
    )


def table_metadata(table: str, df: pd.DataFrame) -> dict[str, object]:
    return {
        "dagster/row_count": dg.MetadataValue.int(len(df)),
        "dagster/column_schema": column_schema(table),
        "preview": markdown_preview(df),
    }
