"""The table metadata is itself tested: every derived artefact comes out of it whole."""

import duckdb
import pyarrow as pa
import pytest

import schemas

TABLES = schemas.table_names()


def test_the_contract_tables_and_columns_are_published():
    contract = {
        "articles": ["article_id", "source_file", "title", "published_date", "content_sha256", "word_count"],
        "partners": ["partner_id", "name", "partner_type", "iso3", "country_iso3"],
        "minerals": ["mineral_id", "name", "symbol"],
        "people": ["person_id", "name", "role", "organization", "country_iso3"],
        "agreements": ["agreement_id", "name", "agreement_type", "status", "status_date"],
        "agreement_parties": ["agreement_id", "partner_id"],
        "agreement_minerals": ["agreement_id", "mineral_id"],
        "agreement_statuses": ["agreement_id", "article_id", "status", "as_of_date"],
        "events": ["event_id", "event_type", "name", "start_date", "date_precision", "location", "country_iso3"],
        "event_participants": ["event_id", "partner_id"],
        "mentions": ["mention_id", "article_id", "entity_type", "entity_id", "char_start", "char_end", "sentence"],
    }
    tables = schemas.load_tables()
    for table, columns in contract.items():
        assert set(columns) <= set(tables[table].column_names), table


def test_every_table_yields_a_pyarrow_schema_with_descriptions():
    for table in TABLES:
        schema = schemas.arrow_schema(table)
        assert isinstance(schema, pa.Schema)
        assert schema.names == schemas.load_tables()[table].column_names
        assert all(f.metadata and f.metadata[b"description"] for f in schema)


def test_dates_are_dates_in_every_derived_schema():
    assert schemas.arrow_schema("articles").field("published_date").type == pa.date32()
    con = duckdb.connect()
    con.execute(schemas.duckdb_types_ddl())
    for table in TABLES:
        con.execute(schemas.duckdb_ddl(table))
    types = dict(con.execute("SELECT column_name, data_type FROM duckdb_columns() WHERE table_name = 'events'").fetchall())
    assert types["start_date"] == "DATE"


def test_the_ddl_loads_into_duckdb_with_keys_and_comments():
    con = duckdb.connect()
    con.execute(schemas.duckdb_types_ddl())
    for table in TABLES:  # declared parents first, so foreign keys can be created
        con.execute(schemas.duckdb_ddl(table))
    comments = con.execute("SELECT table_name, comment FROM duckdb_tables()").fetchall()
    assert {t for t, c in comments if c} == set(TABLES)
    uncommented = con.execute(
        "SELECT table_name, column_name FROM duckdb_columns() WHERE comment IS NULL AND NOT internal"
    ).fetchall()
    assert uncommented == []
    fks = con.execute("SELECT count(*) FROM duckdb_constraints() WHERE constraint_type = 'FOREIGN KEY'").fetchone()[0]
    assert fks == sum(len(schemas.load_tables()[t].foreign_keys) for t in TABLES)


def test_status_sorts_in_lifecycle_order_in_duckdb_not_alphabetically():
    con = duckdb.connect()
    con.execute(schemas.duckdb_types_ddl())
    for table in TABLES:
        con.execute(schemas.duckdb_ddl(table))
    lifecycle = ["proposed", "negotiating", "approved", "signed", "in_force"]
    assert list(schemas.load_tables()["agreement_statuses"].column("status").enum) == lifecycle
    con.execute(
        "CREATE TABLE s AS SELECT CAST(v AS agreement_status) AS status FROM (VALUES ('signed'), ('in_force'), ('proposed'), ('negotiating'), ('approved')) t(v)"
    )
    assert [r[0] for r in con.execute("SELECT status FROM s ORDER BY status").fetchall()] == lifecycle
    for table in ("agreements", "agreement_statuses"):
        data_type = con.execute(
            f"SELECT data_type FROM duckdb_columns() WHERE table_name = '{table}' AND column_name = 'status'"
        ).fetchone()[0]
        assert data_type == "ENUM(" + ", ".join(f"'{v}'" for v in lifecycle) + ")", table
    with pytest.raises(duckdb.Error):
        con.execute("SELECT CAST('ratified' AS agreement_status)").fetchall()


def test_foreign_keys_point_at_existing_columns_of_the_same_type():
    tables = schemas.load_tables()
    for spec in tables.values():
        for fk in spec.foreign_keys:
            parent = tables[fk.table]
            assert list(parent.primary_key) == list(fk.ref_columns), (spec.name, fk)
            for col, ref in zip(fk.columns, fk.ref_columns, strict=True):
                assert spec.column(col).type == parent.column(ref).type
        for pfk in spec.polymorphic_foreign_keys:
            assert set(pfk.references) == set(spec.column(pfk.type_column).enum)
            for ref_table, ref_column in pfk.references.values():
                assert tables[ref_table].column(ref_column).type == spec.column(pfk.id_column).type


def test_an_empty_table_passes_its_pandera_schema():
    for table in TABLES:
        schemas.pandera_schema(table).validate(schemas.empty_frame(table))


def test_the_data_dictionary_lists_every_column():
    text = schemas.data_dictionary_markdown()
    for spec in schemas.load_tables().values():
        for column in spec.column_names:
            assert f"`{column}`" in text
