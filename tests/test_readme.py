"""The README stays true: its commands exist and its SQL examples run."""

import re

from .conftest import ROOT


def readme_queries() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    return re.findall(r"```sql\n(.*?)```", text, flags=re.S)


def test_the_readme_shows_the_two_commands_and_at_least_three_queries():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "make run" in text and "make test" in text
    assert len(readme_queries()) >= 3


def test_the_readme_lists_every_published_table():
    import schemas

    text = (ROOT / "README.md").read_text(encoding="utf-8")
    for table in schemas.table_names():
        assert f"`{table}`" in text, table


def test_every_column_the_readme_names_exists_in_that_table():
    import schemas

    text = (ROOT / "README.md").read_text(encoding="utf-8")
    tables = schemas.load_tables()
    rows = re.findall(r"^\| `(\w+)` \|[^|]*\| (.*) \|$", text, flags=re.M)
    assert len(rows) == len(tables)
    for table, columns in rows:
        for column in re.findall(r"`(\w+)`", columns):
            assert column in tables[table].column_names, (table, column)
