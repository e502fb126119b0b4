"""Nothing lost, nothing broken: every file in the raw folder is an article or a listed rejection."""

import os
import string

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import schemas
from pipeline.checks import foreign_key_failures, validate_table
from pipeline.extract import extract_article
from pipeline.ingest import MAX_BYTES, read_raw_folder
from pipeline.tables import build_tables

ENGLISH = "India and Chile signed a memorandum of understanding on lithium and copper exploration on Monday.\n"


def accounted(raw_dir):
    articles, rejections = read_raw_folder(raw_dir)
    return {a.source_file: a for a in articles}, {r.source_file: r for r in rejections}


def test_encodings_are_decoded_not_rejected(tmp_path):
    def text(name: str) -> str:
        return f"Chile’s lithium — “rare earths” deal worth €5bn for Ñuñoa café ({name}).\r\nSecond line.\r\n"

    (tmp_path / "utf8_bom.txt").write_bytes(b"\xef\xbb\xbf" + text("utf8_bom").encode("utf-8"))
    (tmp_path / "utf16_le.txt").write_bytes(text("utf16_le").encode("utf-16"))
    (tmp_path / "utf16_be.txt").write_bytes(b"\xfe\xff" + text("utf16_be").encode("utf-16-be"))
    (tmp_path / "cp1252.txt").write_bytes(text("cp1252").encode("cp1252"))
    (tmp_path / "latin1.txt").write_bytes("Ñuñoa café, Zürich: lithium and cobalt talks resume.".encode("latin-1"))
    articles, rejections = accounted(tmp_path)
    assert rejections == {}
    for name in ["utf8_bom", "utf16_le", "utf16_be", "cp1252"]:
        expected = f"Chile’s lithium — “rare earths” deal worth €5bn for Ñuñoa café ({name}).\nSecond line."
        assert articles[f"{name}.txt"].text == expected, name
    assert "Zürich" in articles["latin1.txt"].text


def test_same_text_in_other_encodings_is_a_duplicate(tmp_path):
    (tmp_path / "a.txt").write_text(ENGLISH, encoding="utf-8")
    (tmp_path / "b.txt").write_bytes(ENGLISH.replace("\n", "\r\n").encode("utf-16"))
    articles, rejections = accounted(tmp_path)
    assert list(articles) == ["a.txt"]
    assert rejections["b.txt"].reason == "duplicate_of"
    assert articles["a.txt"].article_id in rejections["b.txt"].detail


def test_html_is_reduced_to_its_text(tmp_path):
    html = (
        "<!DOCTYPE html><html><head><title>Deal</title><script>var x = 'Japan';</script>"
        "<style>p{color:red}</style></head><body><nav>Home | World</nav>"
        "<h1>Japan and Australia sign gallium pact</h1><p>Japan and Australia signed a memorandum "
        "on gallium &amp; germanium on Monday.</p></body></html>"
    )
    (tmp_path / "page.html").write_text(html, encoding="utf-8")
    articles, _ = accounted(tmp_path)
    text = articles["page.html"].text
    assert "Japan and Australia signed a memorandum on gallium & germanium on Monday." in text
    assert "var x" not in text and "color:red" not in text and "<p>" not in text


def test_bad_files_get_a_reason_a_person_understands(tmp_path):
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "blank.txt").write_bytes(b"  \n\n\t ")
    (tmp_path / "binary.txt").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8)
    (tmp_path / "huge.txt").write_bytes(b"lithium " * (MAX_BYTES // 8 + 10))
    (tmp_path / "tags.html").write_text("<html><body><div> </div></body></html>", encoding="utf-8")
    (tmp_path / "folder.txt").mkdir()
    _, rejections = accounted(tmp_path)
    reasons = {name: r.reason for name, r in rejections.items()}
    assert reasons == {
        "empty.txt": "empty",
        "blank.txt": "empty",
        "binary.txt": "binary",
        "huge.txt": "too_large",
        "tags.html": "no_text_after_cleanup",
        "folder.txt": "not_a_regular_file",
    }
    assert all(r.detail for r in rejections.values())


def test_symlinks_and_devices_are_never_followed(tmp_path):
    outside = tmp_path / "outside.txt"
    outside.write_text(ENGLISH)
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "escape.txt").symlink_to(outside)
    (raw / "device.txt").symlink_to("/dev/zero")
    (raw / "dirlink.txt").symlink_to(tmp_path)
    articles, rejections = accounted(raw)
    assert articles == {}
    assert {n: r.reason for n, r in rejections.items()} == {
        "escape.txt": "not_a_regular_file",
        "device.txt": "not_a_regular_file",
        "dirlink.txt": "not_a_regular_file",
    }


def test_odd_file_names_work(tmp_path):
    names = ["with space.txt", "ünïcødé-名前.txt", "-leading-dash.txt", "--.txt", "semi;colon'quote.txt"]
    for i, name in enumerate(names):
        (tmp_path / name).write_text(ENGLISH + f"Story number {i}.\n", encoding="utf-8")
    articles, rejections = accounted(tmp_path)
    assert rejections == {} and set(articles) == set(names)


def test_other_languages_are_flagged_and_yield_no_entities():
    e = extract_article(
        "es.txt",
        "Chile y la Unión Europea firmaron el lunes un memorando de entendimiento sobre el litio y el cobre "
        "para las baterías de la región, dijo el ministro de Minería.",
    )
    assert e.language == "es"
    assert e.partners == e.minerals == e.people == e.agreements == e.events == []
    assert extract_article("en.txt", ENGLISH).language == "en"


_names = st.text(alphabet=string.ascii_letters + string.digits + " -_.éü名", min_size=1, max_size=20).filter(
    lambda n: n.strip(" .") and not n.startswith(".") and "/" not in n
)
_contents = st.one_of(
    st.binary(max_size=3000),
    st.text(max_size=3000).map(lambda t: t.encode("utf-8", "surrogatepass")),
    st.text(max_size=2000).map(lambda t: (ENGLISH + t).encode("utf-16", "surrogatepass")),
    st.sampled_from([ENGLISH.encode(), (ENGLISH * 3).encode("cp1252"), b"<html><p>" + ENGLISH.encode() + b"</p></html>"]),
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(files=st.dictionaries(_names, _contents, min_size=1, max_size=6))
def test_any_bytes_any_text_every_file_is_accounted_for_and_tables_validate(tmp_path_factory, files):
    raw = tmp_path_factory.mktemp("raw")
    for name, data in files.items():
        (raw / name).write_bytes(data)
    on_disk = {p.name for p in raw.iterdir()}
    articles, rejections = read_raw_folder(raw)
    names = [a.source_file for a in articles] + [r.source_file for r in rejections]
    assert sorted(names) == sorted(on_disk)  # each file once, in articles or in rejections
    extractions = [extract_article(a.source_file, a.text) for a in articles]
    tables = build_tables(articles, rejections, extractions)
    for table in schemas.table_names():
        _, outcome = validate_table(table, tables[table])
        assert outcome.passed, (table, outcome.failures)
        assert foreign_key_failures(table, tables).passed, table


def test_a_mixed_raw_folder_builds_and_accounts_for_every_file(tmp_path):
    """Seeds plus bad files of every kind: exit status 0, every file listed, seed extraction unchanged."""
    import duckdb

    from pipeline.cli import main
    from pipeline.publish import DUCKDB_NAME

    from .conftest import RAW

    raw = tmp_path / "raw"
    raw.mkdir()
    for seed in RAW.iterdir():
        (raw / seed.name).write_bytes(seed.read_bytes())
    (raw / "empty.txt").write_bytes(b"")
    (raw / "binary.txt").write_bytes(os.urandom(4096))
    (raw / "copy of seed.txt").write_bytes((RAW / "003_1817f6d3619a287d.txt").read_bytes())
    (raw / "seed in utf16.txt").write_bytes((RAW / "004_fa55279f4966502b.txt").read_text(encoding="utf-8").encode("utf-16"))
    (raw / "page.html").write_text("<html><body><p>" + ENGLISH + "</p></body></html>")
    (raw / "dir.txt").mkdir()
    (raw / "link.txt").symlink_to("/etc/hostname")
    (raw / "french.txt").write_text("La France et le Chili ont signé un accord sur le lithium pour les batteries de la région.")
    seeds_only = tmp_path / "seeds-only"
    assert main(["build", "--raw", str(RAW), "--warehouse", str(seeds_only), "--quiet"]) == 0
    assert main(["build", "--raw", str(raw), "--warehouse", str(tmp_path / "w"), "--quiet"]) == 0
    con = duckdb.connect(str(tmp_path / "w" / DUCKDB_NAME), read_only=True)
    published = {r[0] for r in con.execute("SELECT source_file FROM articles").fetchall()}
    rejected = dict(con.execute("SELECT source_file, reason FROM rejected_articles").fetchall())
    assert published | set(rejected) == {p.name for p in raw.iterdir()}
    assert not published & set(rejected)
    assert rejected["copy of seed.txt"] == rejected["seed in utf16.txt"] == "duplicate_of"
    assert con.execute("SELECT language FROM articles WHERE source_file = 'french.txt'").fetchone()[0] == "fr"
    seeds = duckdb.connect(str(seeds_only / DUCKDB_NAME), read_only=True)
    query = "SELECT entity_type, entity_id, char_start, char_end FROM mentions JOIN articles USING (article_id) WHERE source_file LIKE '00%' ORDER BY ALL"
    assert con.execute(query).fetchall() == seeds.execute(query).fetchall()


def test_hidden_files_hidden_folders_folders_named_like_articles_and_undecodable_names_are_all_accounted_for(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / ".draft.txt").write_text(ENGLISH)
    (raw / ".archive").mkdir()
    (raw / ".archive" / "old.txt").write_text(ENGLISH + "An older story.\n")
    (raw / "2024.md").mkdir()
    (raw / "2024.md" / "inside.txt").write_text(ENGLISH + "A story in a folder named like an article.\n")
    with open(os.path.join(os.fsencode(raw), b"bad\xffname.txt"), "wb") as fh:
        fh.write((ENGLISH + "A story whose file name is not UTF-8.\n").encode())
    articles, rejections = accounted(raw)
    assert set(articles) == {"2024.md/inside.txt", "bad\\xffname.txt"}
    assert {n: r.reason for n, r in rejections.items()} == {
        ".draft.txt": "hidden", ".archive/old.txt": "hidden", "2024.md": "not_a_regular_file",
    }  # fmt: skip
    assert "rename it" in rejections[".draft.txt"].detail and "read one by one" in rejections["2024.md"].detail


def test_a_build_publishes_a_file_whose_name_is_not_utf8(tmp_path):
    import duckdb

    from pipeline.cli import build

    raw = tmp_path / "raw"
    raw.mkdir()
    with open(os.path.join(os.fsencode(raw), b"bad\xffname.txt"), "wb") as fh:
        fh.write(ENGLISH.encode())
    (raw / ".hidden.txt").write_text(ENGLISH + "Hidden.\n")
    build(raw, tmp_path / "w", quiet=True)
    con = duckdb.connect(str(tmp_path / "w" / "critical_minerals.duckdb"), read_only=True)
    try:
        assert con.execute("SELECT source_file FROM articles").fetchall() == [("bad\\xffname.txt",)]
        assert con.execute("SELECT source_file, reason FROM rejected_articles").fetchall() == [(".hidden.txt", "hidden")]
    finally:
        con.close()
