"""The streaming loader reads every file as the loader it replaced did (issue 14, item 3).

tests/reference_loader.py is kjcdir's loader from before issue 14: it composes the
whole document into yaml nodes and checks them. Hypothesis writes random directory
files, valid and broken (unknown and duplicate keys, wrong kinds, tags, merge keys,
anchors and aliases, bad ids, phones, e-mail addresses, syntax errors, cut-off text),
and both loaders must give the same model and the same problems at the same positions.
"""

from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kjcdir.load import parse_bytes
from kjcdir.validate import ParsedFile
from reference_loader import parse_bytes as reference_parse_bytes

TEXTS = [
    "Anna", "Meier", "Groß-Gerau", "Sozialreferat", "SGB II", "Referentin", "anna-meier",
    "hlt", "hstt-sozialreferat", "Anna Meier", "42", "yes", "no", "~", "null", "3.5",
    "2026-11-24", "2026-02-30", "<<", "", "  ", "x" * 301, "Wiesbaden", "65189",
]  # fmt: skip
PHONES = [
    "+49 611 1706-0", "+49 611 1706-69", "0611 1706-69", "(0611) 17 02-22",
    "+49 (0)611 1706-22", "+49 6151 881-234", "+4961117060", "+49 611 1706 - 22",
    "+49 0611 1706", "+49 1", "+49 30 123456789012345678", "+1 202-555-0143", "12",
    "0611/1706-0", "+49 151 23456789",
]  # fmt: skip
EMAILS = ["anna.meier@hlt.de", "a@b", "info@jobcenter-groß-gerau.de", "kein-at"]
URLS = ["https://www.hlt.de", "http://x", "ftp://a.b", "https://hstt.de/a b"]
PERSON_KEYS = [
    "id", "salutation", "given_name", "family_name", "affiliations", "phones", "emails",
    "address", "websites", "topics",
]  # fmt: skip
ORG_KEYS = [
    "id", "name", "short", "aliases", "parent", "members", "address", "websites", "phones",
    "emails", "description", "tasks", "topics",
]  # fmt: skip
ADDRESS_KEYS = ["street", "postal_code", "city", "country"]
TAGS = ["!!str ", "!!int ", "!foo ", "!!python/object:os.system ", "!!binary ", "! "]


@st.composite
def scalars(draw: st.DrawFn, pool: list[str] = TEXTS) -> str:
    style = draw(st.sampled_from(["plain", "plain", "double", "single"]))
    wild = "abcßü -:#,[]{}&*!|'\"\t\\" if style != "plain" else "abcßü -"
    text = draw(st.sampled_from(pool) | st.text(wild, max_size=6))
    if style == "double" or not text:
        written = json.dumps(text, ensure_ascii=draw(st.booleans()))
    elif style == "single":
        written = "'" + text.replace("'", "''") + "'"
    else:
        written = text
    if _rare(draw, 12):
        written = draw(st.sampled_from(TAGS)) + written
    return written


def _rare(draw: st.DrawFn, one_in: int) -> bool:
    """True about once in `one_in` draws (Hypothesis favours 0, so not `== 0`)."""
    return bool(draw(st.integers(0, one_in)) == one_in // 2 + 1)


class Anchors:
    """Anchors drawn so far in one file, so that aliases can name them (or not)."""

    def __init__(self) -> None:
        self.names: list[str] = []


@st.composite
def values(draw: st.DrawFn, anchors: Anchors, key: str = "", depth: int = 0) -> str:
    if anchors.names and _rare(draw, 15):
        return "*" + draw(st.sampled_from(anchors.names))
    if _rare(draw, 200):
        return "*nowhere"
    pool = {"phones": PHONES, "emails": EMAILS, "websites": URLS}.get(key, TEXTS)
    kind = draw(st.sampled_from(["scalar", "scalar", "list", "list", "mapping"]))
    if depth >= 2:
        kind = "scalar"
    if key == "address" and draw(st.booleans()):
        kind = "address"
    if key == "affiliations" and draw(st.booleans()):
        kind = "affiliations"
    if kind == "scalar":
        written = draw(scalars(pool))
    elif kind == "list":
        items = draw(st.lists(values(anchors, key, depth + 1), max_size=4))
        written = "[" + ", ".join(items) + "]"
    elif kind == "address":
        written = draw(mappings(anchors, ADDRESS_KEYS, depth + 1))
    elif kind == "affiliations":
        items = draw(st.lists(mappings(anchors, ["org", "role"], depth + 1), max_size=3))
        written = "[" + ", ".join(items) + "]"
    else:
        written = draw(mappings(anchors, [*ADDRESS_KEYS, "org", "role"], depth + 1))
    if _rare(draw, 8):
        name = f"a{len(anchors.names)}" if not _rare(draw, 30) else "a0"
        anchors.names.append(name)
        written = f"&{name} {written}"
    return written


@st.composite
def mappings(draw: st.DrawFn, anchors: Anchors, keys: list[str], depth: int = 0) -> str:
    chosen = draw(
        st.lists(st.sampled_from([*keys, "nickname", "<<", "42", "[a]"]), max_size=len(keys) + 2)
    )
    pairs = [f"{key}: {draw(values(anchors, key, depth))}" for key in chosen]
    return "{" + ", ".join(pairs) + "}"


@st.composite
def entries(draw: st.DrawFn, anchors: Anchors, keys: list[str]) -> str:
    required = ["id", "name"] if "name" in keys else ["id", "family_name"]
    chosen = [*required, *draw(st.lists(st.sampled_from(keys), max_size=5))]
    if _rare(draw, 5):
        chosen = draw(st.permutations(chosen))[1:]
    pairs = []
    for key in chosen:
        if key == "id":
            value = draw(st.sampled_from(["anna-meier", "hlt", "p1", "p2", "Anna", "hstt"]))
        elif key == "parent":
            value = draw(st.sampled_from(["hlt", "hstt", "p1", "Nowhere"]))
        else:
            value = draw(values(anchors, key, 1))
        pairs.append((key, value))
    if draw(st.booleans()):
        return "  - {" + ", ".join(f"{key}: {value}" for key, value in pairs) + "}\n"
    lines = [f"{key}: {value}" for key, value in pairs] or ["{}"]
    return "  - " + "\n    ".join(lines) + "\n"


@st.composite
def files(draw: st.DrawFn) -> bytes:
    anchors = Anchors()
    parts = []
    for key in draw(
        st.lists(
            st.sampled_from(["meta", "organizations", "people", "people", "contacts", "?"]),
            min_size=1,
            max_size=4,
        )
    ):
        if key == "meta":
            parts.append(f"meta: {draw(mappings(anchors, ['title', 'source', 'as_of']))}\n")
        elif key in ("organizations", "people"):
            keys = ORG_KEYS if key == "organizations" else PERSON_KEYS
            items = draw(st.lists(entries(anchors, keys), max_size=4))
            opening = f"{key}:" + (" &s" if _rare(draw, 20) else "")
            parts.append(opening + ("\n" + "".join(items) if items else " []\n"))
        elif key == "?":  # a key that is a list or a mapping
            written = draw(values(anchors))
            parts.append(f"? {written}\n: x\n" if _rare(draw, 1) else f"{{{written}: x}}\n")
        else:
            parts.append(f"{key}: {draw(values(anchors, key))}\n")
    text = "".join(parts)
    if _rare(draw, 7):  # broken: a character inserted, or cut off after it
        place = len(text) - draw(st.integers(0, len(text)))
        inserted = draw(st.sampled_from(["[", "]", ":", "\t", "\x1b", "- ", "\n", "{"]))
        rest = text[place:] if draw(st.booleans()) else ""
        text = text[:place] + inserted + rest
    encoded = text.encode("utf-8")
    if _rare(draw, 20):
        encoded = b"\xef\xbb\xbf" + encoded
    return encoded


def _same(new: ParsedFile, old: ParsedFile) -> None:
    assert new.problems == old.problems
    assert new.meta == old.meta
    assert new.organizations == old.organizations
    assert new.people == old.people
    assert new.references == old.references
    assert new.positions == old.positions
    assert new.stopped == old.stopped


@settings(
    max_examples=400,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(files())
def test_the_streaming_loader_reads_as_the_old_one_did(raw: bytes) -> None:
    _same(parse_bytes("f.yaml", raw), reference_parse_bytes("f.yaml", raw))


def test_the_bundled_directory_reads_the_same() -> None:
    from kjcdir.sources import bundled_path

    raw = bundled_path().read_bytes()
    new = parse_bytes("d.yaml", raw)
    _same(new, reference_parse_bytes("d.yaml", raw))
    assert len(new.people) == 9
