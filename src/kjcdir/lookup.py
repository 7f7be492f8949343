"""What the commands ask of the directory: people found, organisations resolved, topics.

The functions here return model objects (and scores); they print nothing. Errors
that the user can act on are raised as KjcdirError / NotFound with one sentence.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Collection, Sequence
from typing import NamedTuple

from kjcdir.errors import KjcdirError, NotFound
from kjcdir.index import FIELD_DESCRIPTION, FIELD_NAME, FIELD_ORG, FIELD_PLACE, FIELD_TOPIC
from kjcdir.model import Affiliation, Directory, Organization, Person
from kjcdir.normalize import content_words, fold, meaningful_words, normalize, typed_words
from kjcdir.search import (
    ALL_FIELDS,
    FIELD_GROUPS,
    MIN_PREFIX_LENGTH,
    Hit,
    Miss,
    closest_names,
    cut,
    explain_miss,
    match_vocabulary,
    ordered,
    query_words,
    search,
)
from kjcdir.store import Loaded

# Weights for finding organisations themselves (`orgs QUERY`, `list --org`).
ORG_SEARCH_WEIGHTS = {FIELD_ORG: 1.0, FIELD_TOPIC: 0.7, FIELD_DESCRIPTION: 0.5, FIELD_PLACE: 0.4}


class Found(NamedTuple):
    person: Person
    score: float


def parse_fields(text: str | None) -> Collection[str]:
    """`--in name,org` → the index fields to search; all of them when not given."""
    if not text:
        return ALL_FIELDS
    fields: set[str] = set()
    for part in text.split(","):
        name = part.strip().lower()
        if name not in FIELD_GROUPS:
            known = ", ".join(FIELD_GROUPS)
            raise KjcdirError(f"--in takes a comma-separated list of {known}, not '{part}'.")
        fields |= FIELD_GROUPS[name]
    return fields


def find_people(
    loaded: Loaded,
    query: str,
    fields: Collection[str] = ALL_FIELDS,
    limit: int | None = 10,
    notes: list[str] | None = None,
) -> list[Found]:
    """People the query finds, best first; NotFound saying why when none.

    Commas separate alternatives (SPEC 2): `Würfel, Brennert` finds both people, each
    part on its own terms; a part that finds no one is said in `notes` when another
    part found someone. Two parts that together are one person's name (`Fischer,
    Dörte`, as lists write names) find that person.
    """
    return _found(loaded, find_hits(loaded, query, fields, limit, notes))


def find_hits(
    loaded: Loaded,
    query: str,
    fields: Collection[str] = ALL_FIELDS,
    limit: int | None = 10,
    notes: list[str] | None = None,
) -> list[Hit]:
    """find_people's hits as positions and scores, no one decoded: what a caller that
    counts them all, or filters them, needs (browse)."""
    parts = [part.strip() for part in query.split(",")]
    parts = [part for part in parts if part]
    if not parts:
        raise KjcdirError("Give a name, an organisation, a topic, a phone number or an e-mail.")
    index = loaded.index
    if len(parts) == 2 and FIELD_NAME in fields:
        reversed_name = f"{parts[1]} {parts[0]}"
        hits = search(reversed_name, index, {FIELD_NAME}, limit)
        if hits:
            return hits
    best: dict[int, float] = {}
    unanswered = []
    for part in parts:
        named = _named_bodies(loaded, part) if FIELD_ORG in fields else None
        # A person's score is the best over the parts, so each part's top `limit` hold
        # the top `limit` of all.
        hits = search(part, index, fields, limit, named)
        if not hits:
            unanswered.append(part)
        for hit in hits:
            if hit.score > best.get(hit.person, -1.0):
                best[hit.person] = hit.score
    if not best:
        if len(parts) == 1:
            raise NotFound(_nothing_found_hint(loaded, parts[0], fields))
        quoted = [f"'{part}'" for part in parts]
        raise NotFound(f"No one matches any of {_and(quoted, 'or')}.")
    if notes is not None:
        notes.extend(_nothing_found_hint(loaded, part, fields) for part in unanswered)
    return ordered([Hit(person, score) for person, score in best.items()], index, limit)


def _found(loaded: Loaded, hits: Sequence[Hit]) -> list[Found]:
    people = loaded.directory.people
    return [Found(people.at(hit.person), hit.score) for hit in hits]


# A query that is a body's full name, short or alias finds that body's people as surely
# as a person's name finds the person.
NAMED_BODY_SCORE = 100.0


def _named_bodies(loaded: Loaded, query: str) -> dict[int, float]:
    """People of the organisations (and their units) that the whole query names.

    Names are compared by their meaningful words, each without its German ending, so that
    the page's own phrases name the body too: "beim Hessischen Landkreistag",
    "des Hessischen Städtetages"."""
    wanted = _name_stems(query)
    if not wanted:
        return {}
    # Only organisations with the query's first word (in any ending) in a name can match.
    vocabulary = loaded.index.vocabulary
    postings = loaded.index.org_postings[FIELD_ORG]
    candidates: set[int] = set()
    word_id = bisect_left(vocabulary, wanted[0])
    while word_id < len(vocabulary) and vocabulary[word_id].startswith(wanted[0]):
        if _stem(vocabulary[word_id]) == wanted[0]:
            candidates.update(postings.get(word_id, ()))
        word_id += 1
    orgs = list(loaded.directory.organizations.values())
    named: dict[int, float] = {}
    for position in sorted(candidates):
        org = orgs[position]
        names = (org.name, org.short or "", *org.aliases)
        if any(_name_stems(name) == wanted for name in names if name):
            named.update(dict.fromkeys(loaded.staff(org.id), NAMED_BODY_SCORE))
    return named


# German adjective and genitive endings, longest first: "hessischen", "hessischer",
# "hessisches" and "hessische" are one word of a name; "Landkreistages" is "Landkreistag".
_ENDINGS = ("en", "er", "es", "em", "e", "s")


def _stem(word: str) -> str:
    for ending in _ENDINGS:
        if word.endswith(ending) and len(word) - len(ending) >= 4:
            return word[: -len(ending)]
    return word


def _name_stems(text: str) -> list[str]:
    return [_stem(forms[0]) for forms in meaningful_words(text)]


MAX_PARTIAL_NAMES = 5  # people named as partial matches; more are counted


def _nothing_found_hint(loaded: Loaded, query: str, fields: Collection[str] = ALL_FIELDS) -> str:
    """Why no one matches: the words of the query found nowhere and who matched the rest;
    for a query of one word (or none found at all), the closest names."""
    words = typed_words(query)
    if len(words) > 1:
        miss = explain_miss(query, loaded.index, fields)
        if miss.partial:
            return _partial_hint(loaded, query, words, miss, fields) + _orgs_hint(loaded, query)
    message = f"No one matches '{query}'."
    close = closest_names(query, list(loaded.index.names))  # no person decoded for a hint
    if close:
        message += f" Closest names: {', '.join(close)}."
    return message + _orgs_hint(loaded, query)


def _orgs_hint(loaded: Loaded, query: str) -> str:
    if search_orgs(loaded, query):
        return f" Organisations match it: try `kjcdir orgs {query}`."
    return ""


def _partial_hint(
    loaded: Loaded, query: str, words: Sequence[str], miss: Miss, fields: Collection[str]
) -> str:
    missing = [f"'{words[position]}'" for position in miss.missing]
    unreached = [f"'{words[position]}'" for position in miss.unreached]
    reasons = []
    if missing:
        verb = "is" if len(missing) == 1 else "are"
        reasons.append(f"{_and(missing)} {verb} not in the directory")
    if unreached and fields != ALL_FIELDS:
        reasons.append(f"no person has {_and(unreached)} in the fields searched (--in)")
    elif unreached:
        reasons.append(f"no person in the directory has {_and(unreached)}")
    message = f"No one matches all of '{query}'"
    message += f": {'; '.join(reasons)}." if reasons else "."
    people = loaded.directory.people
    names = [people.at(hit.person).name for hit in miss.partial[:MAX_PARTIAL_NAMES]]
    more = len(miss.partial) - len(names)
    message += f" Partial matches: {', '.join(names)}{f' and {more} more' if more else ''}."
    if not (missing or unreached) and miss.all_names:
        message += f" For several people, separate them with commas: '{', '.join(words)}'."
    return message


def _and(items: Sequence[str], conjunction: str = "and") -> str:
    if len(items) == 1:
        return items[0]
    return f"{', '.join(items[:-1])} {conjunction} {items[-1]}"


def search_orgs(loaded: Loaded, query: str) -> list[Organization]:
    """Organisations by name, short, alias, topic, task or description, best first. As for
    people, every meaningful word of the query must be found in the organisation."""
    index = loaded.index
    orgs = list(loaded.directory.organizations.values())
    words = query_words(query)
    if not words:
        return []
    totals: dict[int, float] = {}
    matched: dict[int, int] = {}
    for forms in words:
        word_scores = match_vocabulary(forms, index.vocabulary)
        best: dict[int, float] = {}
        for field_name, weight in ORG_SEARCH_WEIGHTS.items():
            postings = index.org_postings[field_name]
            for word_id, score in word_scores.items():
                for org in postings.get(word_id, ()):
                    best[org] = max(best.get(org, 0.0), weight * score)
        for org, score in best.items():
            totals[org] = totals.get(org, 0.0) + score
            matched[org] = matched.get(org, 0) + 1
    hits = sorted(
        (
            Hit(org, round(total / len(words), 1))
            for org, total in totals.items()
            if matched[org] == len(words)
        ),
        key=lambda hit: (-hit.score, orgs[hit.person].name),
    )
    return [orgs[hit.person] for hit in cut(hits)]


# A query word this much like a word of an organisation's name is a typo of it.
TYPO_SIMILARITY = 80.0


def resolve_org(loaded: Loaded, text: str) -> Organization:
    """`--org` value → organisation: id, short, name or alias exactly, else a typo of one.

    A name that two organisations share ("Sozialreferat") and a query that only shares a
    word with one ("Landkreis Kassel") are errors that name the candidates: listing the
    wrong body's people would look like an answer.
    """
    organizations = loaded.directory.organizations
    wanted = fold(text).strip()
    if wanted in organizations:
        return organizations[wanted]
    exact = [
        org
        for org in organizations.values()
        if any(fold(name) == wanted for name in (org.name, org.short or "", *org.aliases))
    ]
    if len(exact) == 1:
        return exact[0]
    if exact:
        raise KjcdirError(
            f"'{text}' is the name of {len(exact)} organisations: {_org_labels(exact)}; "
            "give one of the ids."
        )
    found = search_orgs(loaded, text)
    typos = [org for org in found if _org_similarity(text, org) >= TYPO_SIMILARITY]
    if len(typos) == 1:
        return typos[0]  # a typo in a name ("Regiestele"), not just a shared word
    close = typos or found or _closest_orgs(loaded, text)
    raise KjcdirError(f"Unknown organisation '{text}'. Closest: {_org_labels(close[:3])}.")


def _org_labels(orgs: Sequence[Organization]) -> str:
    return ", ".join(f"{org.label} ({org.id})" for org in orgs)


def _org_similarity(text: str, org: Organization) -> float:
    """How well every word of the text matches a word of one of the organisation's names:
    the weakest word's best fuzz.ratio (0..100)."""
    from rapidfuzz import fuzz

    words = query_words(text)
    if not words:
        return 0.0
    best = 0.0
    for name in (org.name, org.short or "", *org.aliases):
        name_forms = [form for forms in normalize(name) for form in forms]
        if not name_forms:
            continue
        weakest = min(
            max(fuzz.ratio(form, name_form) for form in forms for name_form in name_forms)
            for forms in words
        )
        best = max(best, weakest)
    return best


def _closest_orgs(loaded: Loaded, text: str) -> list[Organization]:
    from rapidfuzz import fuzz, process

    orgs = list(loaded.directory.organizations.values())
    labels = [f"{org.short or ''} {org.name}" for org in orgs]
    matches = process.extract(fold(text), [fold(label) for label in labels], scorer=fuzz.WRatio)
    return [orgs[position] for _, _, position in matches[:3]]


def topic_positions(loaded: Loaded, topic: str) -> set[int]:
    """The positions of the people the topic finds (`list --topic`, browse's Ctrl+T)."""
    return {hit.person for hit in search(topic, loaded.index, {FIELD_TOPIC})}


def list_people(
    loaded: Loaded, org_text: str | None = None, topic: str | None = None
) -> list[Person]:
    """The people, in order of family name, filtered by organisation (with units) and topic."""
    directory = loaded.directory
    people = directory.people
    positions: Sequence[int] = range(len(people))
    if org_text is not None:
        positions = loaded.staff(resolve_org(loaded, org_text).id)
    if topic is not None:
        topical = topic_positions(loaded, topic)
        positions = [position for position in positions if position in topical]
    ordered = sorted(positions, key=lambda position: loaded.index.sort_keys[position])
    return [people.at(position) for position in ordered]


def lead_affiliations(
    loaded: Loaded,
    people: Sequence[Person],
    query: str | None = None,
    org_text: str | None = None,
) -> dict[str, Affiliation]:
    """For the one-line forms (piped lines, the table, mutt): the affiliation that explains
    why each person is listed, by person id, where it is not simply the first one.

    With `--org`, an affiliation within the organisation or its units; with a query (or
    a topic), the one whose role, organisations and their topics match the query's
    words best. Ties go to the earlier affiliation, so the first one stays the default.
    """
    directory = loaded.directory
    units = directory.subtree(resolve_org(loaded, org_text).id) if org_text else None
    words = [forms for part in (query or "").split(",") for forms in query_words(part)]
    leads: dict[str, Affiliation] = {}
    for person in people:
        candidates = list(person.affiliations)
        if len(candidates) < 2:
            continue
        if units is not None:
            candidates = [aff for aff in candidates if aff.org_id in units] or candidates
        if words and len(candidates) > 1:
            lead = max(candidates, key=lambda aff: _affiliation_score(directory, aff, words))
        else:
            lead = candidates[0]
        if lead is not person.affiliations[0]:
            leads[person.id] = lead
    return leads


def _affiliation_score(
    directory: Directory, affiliation: Affiliation, words: Sequence[tuple[str, ...]]
) -> float:
    """How well the query's words match the affiliation: its role, and the names, shorts,
    aliases, topics, tasks and descriptions of its organisation and the bodies above it."""
    texts = [affiliation.role or ""]
    for org in directory.chain(affiliation.org_id):
        texts += [org.name, org.short or "", *org.aliases, *org.topics, *org.tasks]
        texts.append(org.description or "")
    vocabulary = _vocabulary(texts)
    return sum(max(match_vocabulary(forms, vocabulary).values(), default=0.0) for forms in words)


def _vocabulary(texts: Sequence[str]) -> list[str]:
    """The sorted searchable forms of the texts' words (stop words left out, as the index
    leaves them out): a small vocabulary for match_vocabulary."""
    return sorted({form for text in texts for forms in content_words(text) for form in forms})


def get_entry(loaded: Loaded, entry_id: str) -> Person | Organization:
    directory = loaded.directory
    if entry_id in directory.people:
        return directory.people[entry_id]
    if entry_id in directory.organizations:
        return directory.organizations[entry_id]
    from rapidfuzz import process

    ids = [*directory.people, *directory.organizations]
    close = [match for match, score, _ in process.extract(entry_id, ids, limit=3) if score >= 60]
    hint = f" Did you mean: {', '.join(close)}?" if close else ""
    raise NotFound(f"No entry has the id '{entry_id}'.{hint}")


class TopicRow(NamedTuple):
    topic: str
    kind: str  # "topic" or "task"
    units: tuple[Organization, ...]
    people: tuple[Person, ...]


def topic_rows(loaded: Loaded, query: str | None = None) -> list[TopicRow]:
    """Who handles what: each topic and task with the units and people behind it."""
    directory = loaded.directory
    # (folded text, kind) → (text as written, units, positions of people)
    grouped: dict[tuple[str, str], tuple[str, list[Organization], list[int]]] = {}

    def entry(text: str, kind: str) -> tuple[str, list[Organization], list[int]]:
        return grouped.setdefault((fold(text), kind), (text, [], []))

    for org in directory.organizations.values():
        if not (org.topics or org.tasks):
            continue
        staff = loaded.staff(org.id)
        for kind, texts in (("topic", org.topics), ("task", org.tasks)):
            for text in texts:
                _, units, people = entry(text, kind)
                units.append(org)
                people.extend(staff)
    for position in range(len(directory.people)):
        for text in directory.people.at(position).topics:
            entry(text, "topic")[2].append(position)
    rows = [
        TopicRow(
            text,
            kind,
            tuple(units),
            tuple(directory.people.at(position) for position in dict.fromkeys(people)),
        )
        for (_, kind), (text, units, people) in grouped.items()
    ]
    if query is not None:
        # A query with no word to look for (punctuation, an undecodable byte, nothing)
        # matches nothing, as in `find`: it must not list every topic.
        words = query_words(query)
        rows = [row for row in rows if _topic_matches(words, row.topic)] if words else []
        if not rows:
            raise NotFound(f"No topic or task matches '{query}'.")
    if not rows:
        raise NotFound("The directory holds no topics or tasks.")
    rows.sort(key=lambda row: (row.kind != "topic", fold(row.topic)))
    return rows


def _topic_matches(words: Sequence[tuple[str, ...]], text: str) -> bool:
    """Every word of the query is in the text: exactly, as a prefix, or with a typo.

    The text's stop words are left out as the index leaves them out, so that `der` alone
    matches a topic no more than `find der` finds a person.
    """
    vocabulary = _vocabulary([text])
    return all(match_vocabulary(forms, vocabulary) for forms in words)


class Page(NamedTuple):
    """What `browse` shows for one state of its search field and filters."""

    people: list[Person]  # best first (a query) or in file order (an empty field)
    total: int  # how many there are in all; more than `people` holds when cut
    leads: dict[str, Affiliation]  # the affiliation that explains each line (lead_affiliations)
    too_short: bool = False  # nothing found, and the text is shorter than a beginning


def people_as_you_type(
    loaded: Loaded,
    text: str,
    org_id: str | None = None,
    topic: str | None = None,
    limit: int = 200,
) -> Page:
    """`browse`'s list: `find`'s hits for the text (its ranking and rules), else everyone
    in file order; within the organisation (and its units) and the topic where given.
    `total` counts every hit, of which the best `limit` are decoded. Any text is fine:
    what finds no one is an empty page, never an error."""
    allowed: set[int] | None = None
    if org_id is not None:
        allowed = set(loaded.staff(org_id))
    if topic is not None:
        topical = topic_positions(loaded, topic)
        allowed = topical if allowed is None else allowed & topical
    people = loaded.directory.people
    if not text.strip():
        positions: Sequence[int] = sorted(allowed) if allowed is not None else range(len(people))
        hits = [Hit(position, 0.0) for position in positions]
    else:
        try:
            hits = find_hits(loaded, text, ALL_FIELDS, None)
        except KjcdirError:  # NotFound, or a text of only commas
            hits = []
        if allowed is not None:
            hits = [hit for hit in hits if hit.person in allowed]
    shown = [people.at(hit.person) for hit in hits[:limit]]
    leads = lead_affiliations(loaded, shown, query=text or None, org_text=org_id)
    too_short = not hits and 0 < len(text.strip()) < MIN_PREFIX_LENGTH
    return Page(shown, len(hits), leads, too_short)
