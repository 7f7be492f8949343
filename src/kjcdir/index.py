"""The search index: the directory's words, normalised once, and where each one occurs.

Everything in a SearchIndex is a flat array of int32, a str, or a tuple of str, so that
the cache can store it as it is and map it back without decoding: a search in 100,000
people reads the postings of the words it matched and nothing else. People and
organisations are referred to by their position in the directory.

Words of an organisation are indexed once for the organisation, not once per person:
search carries an organisation's score to its people (and to the people of its units),
so that a directory of 100,000 people in 4,000 organisations stays small. For the same
reason a person's place is indexed only when they have an address of their own; the
address they inherit from their organisation reaches them through the organisation,
with the same weight.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

from kjcdir.normalize import content_words, fold

if TYPE_CHECKING:
    from array import array

    from kjcdir.cache import CacheFile
    from kjcdir.model import Directory, Organization, Person

FIELD_NAME = "name"
FIELD_CONTACT = "contact"
FIELD_ORG = "org"
FIELD_ROLE = "role"
FIELD_TOPIC = "topic"
FIELD_DESCRIPTION = "description"
FIELD_PLACE = "place"

PERSON_FIELDS = (FIELD_NAME, FIELD_CONTACT, FIELD_ROLE, FIELD_TOPIC, FIELD_PLACE)
ORG_FIELDS = (FIELD_ORG, FIELD_TOPIC, FIELD_DESCRIPTION, FIELD_PLACE)

CHUNK = 64  # strings per marshalled chunk in the cache: decoding one costs ~0.1 ms

_EMPTY: tuple[int, ...] = ()


def _int32(values: Iterable[int] = ()) -> array[int]:
    """A growable int32 array, for building (a cached index is read through memoryviews,
    so a lookup never imports array)."""
    from array import array

    return array("i", values)


def _view(data: memoryview) -> Sequence[int]:
    """A cache segment as int32 values, without copying."""
    return data.cast("i")


class Packed:
    """Lists of ints in one int32 array: list i is values[offsets[i]:offsets[i + 1]].

    Used for postings (word id → people or organisations) and for the people and
    units of each organisation. Built as arrays in memory, mapped from the cache.
    """

    __slots__ = ("offsets", "values")

    def __init__(self, offsets: Sequence[int], values: Sequence[int]) -> None:
        self.offsets = offsets
        self.values = values

    @classmethod
    def pack(cls, lists: Iterable[Iterable[int]]) -> Packed:
        offsets = _int32([0])
        values = _int32()
        for items in lists:
            values.extend(items)
            offsets.append(len(values))
        return cls(offsets, values)

    def __len__(self) -> int:
        return len(self.offsets) - 1

    def __getitem__(self, position: int) -> Sequence[int]:
        if not 0 <= position < len(self.offsets) - 1:
            raise IndexError(position)
        return self.values[self.offsets[position] : self.offsets[position + 1]]

    def get(self, position: int, default: Sequence[int] = _EMPTY) -> Sequence[int]:
        """The list at this position, or the default when it is empty or out of range."""
        if not 0 <= position < len(self.offsets) - 1:
            return default
        start, end = self.offsets[position], self.offsets[position + 1]
        return self.values[start:end] if end > start else default

    def __iter__(self) -> Iterator[Sequence[int]]:
        return (self[position] for position in range(len(self)))

    def segments(self, name: str) -> dict[str, Any]:
        return {f"{name}.offsets": self.offsets, f"{name}.values": self.values}

    @classmethod
    def mapped(cls, stored: CacheFile, name: str) -> Packed:
        return cls(
            _view(stored.segment(f"{name}.offsets")), _view(stored.segment(f"{name}.values"))
        )


class TextTable:
    """Short texts of people (phone digits, e-mail addresses) joined into one string,
    so that a substring is found by str.find at C speed instead of a loop over people.

    Entries are in order of person; each is followed by NUL, which no entry holds.
    """

    __slots__ = ("_text", "_text_source", "people", "starts")

    def __init__(
        self,
        text: str | Callable[[], str],
        starts: Sequence[int],
        people: Sequence[int],
    ) -> None:
        self._text: str | None = text if isinstance(text, str) else None
        self._text_source = None if isinstance(text, str) else text
        self.starts = starts  # offset of each entry in the text
        self.people = people  # person position of each entry

    @classmethod
    def build(cls, entries: Iterable[tuple[int, str]]) -> TextTable:
        parts: list[str] = []
        starts = _int32()
        people = _int32()
        offset = 0
        for person, entry in entries:
            starts.append(offset)
            people.append(person)
            parts.append(entry)
            offset += len(entry) + 1
        return cls("\0".join(parts) + "\0" if parts else "", starts, people)

    @property
    def text(self) -> str:
        if self._text is None:
            assert self._text_source is not None
            self._text = self._text_source()
        return self._text

    def __len__(self) -> int:
        return len(self.starts)

    def entry(self, number: int) -> tuple[int, str]:
        start = self.starts[number]
        return self.people[number], self.text[start : self.text.index("\0", start)]

    def __iter__(self) -> Iterator[tuple[int, str]]:
        return (self.entry(number) for number in range(len(self)))

    def containing(self, needle: str) -> Iterator[tuple[int, str]]:
        """(person, entry) for each entry that holds the needle, in order of person."""
        if not needle or "\0" in needle or not len(self.starts):
            return
        text = self.text
        found = text.find(needle)
        while found != -1:
            number = bisect_right(self.starts, found) - 1
            start = self.starts[number]
            end = text.index("\0", start)
            yield self.people[number], text[start:end]
            found = text.find(needle, end + 1)

    def segments(self, name: str) -> dict[str, Any]:
        return {
            f"{name}.text": self.text.encode("utf-8", "surrogatepass"),
            f"{name}.starts": self.starts,
            f"{name}.people": self.people,
        }

    @classmethod
    def mapped(cls, stored: CacheFile, name: str) -> TextTable:
        raw = stored.segment(f"{name}.text")
        return cls(
            lambda: str(raw, "utf-8", "surrogatepass"),
            _view(stored.segment(f"{name}.starts")),
            _view(stored.segment(f"{name}.people")),
        )


class Chunked(Sequence[Any]):
    """A long tuple of strings (or records) stored as marshalled chunks; a chunk is decoded
    when an item in it is first asked for, and must hold items of `kind` only."""

    def __init__(
        self, data: memoryview, offsets: Sequence[int], length: int, size: int, kind: type = str
    ) -> None:
        self._data = data
        self._offsets = offsets
        self._length = length
        self._size = size
        self._kind = kind
        self._chunks: dict[int, tuple[Any, ...]] = {}

    @staticmethod
    def segments(name: str, items: Sequence[Any], size: int = CHUNK) -> dict[str, Any]:
        import marshal

        blobs = [marshal.dumps(tuple(items[at : at + size])) for at in range(0, len(items), size)]
        offsets = _int32([0])
        for blob in blobs:
            offsets.append(offsets[-1] + len(blob))
        return {f"{name}.chunks": b"".join(blobs), f"{name}.offsets": offsets}

    @classmethod
    def mapped(
        cls, stored: CacheFile, name: str, length: int, kind: type = str, size: int = CHUNK
    ) -> Chunked:
        offsets = _view(stored.segment(f"{name}.offsets"))
        if len(offsets) != -(-length // size) + 1:
            raise ValueError(f"cached chunks of {name} that do not fit their count")
        return cls(stored.segment(f"{name}.chunks"), offsets, length, size, kind)

    def __len__(self) -> int:
        return self._length

    def __getitem__(self, position: Any) -> Any:
        if isinstance(position, slice):
            return [self[at] for at in range(*position.indices(self._length))]
        if position < 0:
            position += self._length
        if not 0 <= position < self._length:
            raise IndexError(position)
        number, offset = divmod(position, self._size)
        chunk = self._chunks.get(number)
        if chunk is None:
            chunk = self._decode(number)
            self._chunks[number] = chunk
        return chunk[offset]

    def _decode(self, number: int) -> tuple[Any, ...]:
        import marshal

        from kjcdir.cache import CacheError

        expected = min(self._size, self._length - number * self._size)
        try:
            chunk = marshal.loads(self._data[self._offsets[number] : self._offsets[number + 1]])
        except (ValueError, EOFError, TypeError) as error:
            raise CacheError(f"a cache chunk that cannot be read: {error}") from None
        if not (
            isinstance(chunk, tuple)
            and len(chunk) == expected
            and all(isinstance(item, self._kind) for item in chunk)
        ):
            raise CacheError("a cache chunk that is not what was written")
        return chunk

    def __iter__(self) -> Iterator[Any]:
        return (self[position] for position in range(self._length))


class SearchIndex:
    """Normalised words and where they occur, in flat arrays."""

    __slots__ = (
        "emails",
        "names",
        "org_descendants",
        "org_people",
        "org_postings",
        "person_postings",
        "phones",
        "sort_keys",
        "sort_ranks",
        "vocabulary",
    )

    def __init__(
        self,
        vocabulary: tuple[str, ...],
        person_postings: dict[str, Packed],
        org_postings: dict[str, Packed],
        org_people: Packed,
        org_descendants: Packed,
        phones: TextTable,
        emails: TextTable,
        sort_keys: Sequence[str],
        sort_ranks: Sequence[int],
        names: Sequence[str],
    ) -> None:
        self.vocabulary = vocabulary  # sorted, distinct normalised word forms
        self.person_postings = person_postings  # field → word id → people
        self.org_postings = org_postings  # field → word id → organisations
        self.org_people = org_people  # per organisation: its own people
        self.org_descendants = org_descendants  # per organisation: its units, however deep
        self.phones = phones  # international digits (49611170669) of each person's numbers
        self.emails = emails  # folded e-mail addresses
        self.sort_keys = sort_keys  # per person: family name, given name, folded
        self.sort_ranks = sort_ranks  # per person: place in the order of sort_keys, then file
        self.names = names  # per person: the name as shown (for hints)

    # -- the cache ------------------------------------------------------------------
    def segments(self) -> dict[str, Any]:
        """The index as named cache segments (see kjcdir.cache)."""
        segments: dict[str, Any] = {"vocabulary": self.vocabulary}
        for field_name, postings in self.person_postings.items():
            segments.update(postings.segments(f"person.{field_name}"))
        for field_name, postings in self.org_postings.items():
            segments.update(postings.segments(f"org.{field_name}"))
        segments.update(self.org_people.segments("org_people"))
        segments.update(self.org_descendants.segments("org_descendants"))
        segments.update(self.phones.segments("phones"))
        segments.update(self.emails.segments("emails"))
        segments.update(Chunked.segments("sort_keys", self.sort_keys))
        segments.update(Chunked.segments("names", self.names))
        segments["sort_ranks"] = _int32(self.sort_ranks)
        return segments

    @classmethod
    def mapped(cls, stored: CacheFile, people: int) -> SearchIndex:
        """The index from a cache file; arrays are views into it, strings decoded lazily."""
        vocabulary = stored.load("vocabulary")
        if not isinstance(vocabulary, tuple):
            raise ValueError("a cached vocabulary that is not a tuple")
        index = cls(
            vocabulary=vocabulary,
            person_postings={
                name: Packed.mapped(stored, f"person.{name}") for name in PERSON_FIELDS
            },
            org_postings={name: Packed.mapped(stored, f"org.{name}") for name in ORG_FIELDS},
            org_people=Packed.mapped(stored, "org_people"),
            org_descendants=Packed.mapped(stored, "org_descendants"),
            phones=TextTable.mapped(stored, "phones"),
            emails=TextTable.mapped(stored, "emails"),
            sort_keys=Chunked.mapped(stored, "sort_keys", people),
            sort_ranks=_view(stored.segment("sort_ranks")),
            names=Chunked.mapped(stored, "names", people),
        )
        if len(index.sort_ranks) != people:
            raise ValueError("a cached index for another number of people")
        for postings in (*index.person_postings.values(), *index.org_postings.values()):
            if len(postings) != len(vocabulary):
                raise ValueError("cached postings that do not fit the vocabulary")
        return index


def sort_key(person: Person) -> str:
    return fold(f"{person.family_name}\t{person.given_name or ''}")


ProgressCallback = Callable[[float], None]


def build_index(directory: Directory, progress: ProgressCallback | None = None) -> SearchIndex:
    """Index the directory; `progress` is told the share done (0..1) now and then."""
    people = directory.people
    count = len(people)
    orgs = list(directory.organizations.values())
    org_position = {org.id: position for position, org in enumerate(orgs)}

    word_ids: dict[str, int] = {}
    text_words: dict[str, tuple[int, ...]] = {}  # roles, topics, places repeat: split once

    def words(text: str) -> tuple[int, ...]:
        found = text_words.get(text)
        if found is None:
            found = tuple(
                word_ids.setdefault(form, len(word_ids))
                for forms in content_words(text)
                for form in forms
            )
            text_words[text] = found
        return found

    # the words of a list of texts (a team's topics, the roles of a post) repeat whole
    list_words: dict[tuple[str, ...], tuple[int, ...]] = {}

    def words_of(texts: tuple[str, ...]) -> tuple[int, ...]:
        found = list_words.get(texts)
        if found is None:
            found = tuple(dict.fromkeys(word for text in texts for word in words(text)))
            list_words[texts] = found
        return found

    person_words: dict[str, dict[int, list[int]]] = {name: {} for name in PERSON_FIELDS}
    org_words: dict[str, dict[int, list[int]]] = {name: {} for name in ORG_FIELDS}

    def add(table: dict[int, list[int]], texts: Iterable[str], position: int) -> None:
        # positions arrive in increasing order, so each list stays sorted and distinct
        for text in texts:
            post(table, words(text), position)

    def post(table: dict[int, list[int]], found: tuple[int, ...], position: int) -> None:
        for word_id in found:
            places = table.get(word_id)
            if places is None:
                table[word_id] = [position]
            elif places[-1] != position:
                places.append(position)

    org_people: list[list[int]] = [[] for _ in orgs]
    phones: list[tuple[int, str]] = []
    emails: list[tuple[int, str]] = []
    sort_keys: list[str] = []
    names: list[str] = []
    name_words, contact_words = person_words[FIELD_NAME], person_words[FIELD_CONTACT]
    role_words, topic_words = person_words[FIELD_ROLE], person_words[FIELD_TOPIC]
    place_words = person_words[FIELD_PLACE]
    step = max(1000, count // 100)
    at = people.at
    for position in range(count):
        if progress is not None and position % step == 0:
            progress(position / count)
        person = at(position)
        given_name, family_name = person.given_name, person.family_name
        if given_name:
            post(name_words, words(given_name), position)
        post(name_words, words(family_name), position)
        for email in person.emails:
            # the local part of an address is a name; the domain would match everyone there
            post(contact_words, words(email.split("@")[0]), position)
            emails.append((position, fold(email)))
        affiliations = person.affiliations
        if affiliations:
            roles = tuple(aff.role for aff in affiliations if aff.role)
            if roles:
                post(role_words, words_of(roles), position)
            for affiliation in affiliations:
                org_at = org_position.get(affiliation.org_id)
                if org_at is not None and position not in org_people[org_at][-1:]:
                    org_people[org_at].append(position)
        if person.address is not None:
            post(place_words, words_of(person.address.lines()), position)
        if person.topics:
            post(topic_words, words_of(person.topics), position)
        for phone in person.phones:
            phones.append((position, phone.e164.lstrip("+")))
        sort_keys.append(sort_key(person))
        names.append(person.name)

    for position, org in enumerate(orgs):
        add(org_words[FIELD_ORG], _org_names(org), position)
        add(org_words[FIELD_TOPIC], [*org.topics, *org.tasks], position)
        add(org_words[FIELD_DESCRIPTION], [org.description] if org.description else [], position)
        if org.address is not None:
            add(org_words[FIELD_PLACE], org.address.lines(), position)

    descendants = (
        sorted(
            org_position[unit]
            for unit in directory.subtree(org.id)
            if unit != org.id and unit in org_position
        )
        for org in orgs
    )

    # Renumber words in sorted order, so that prefixes can be found by bisection.
    vocabulary = tuple(sorted(word_ids))
    new_ids = {word_ids[word]: new_id for new_id, word in enumerate(vocabulary)}

    def freeze(table: dict[int, list[int]]) -> Packed:
        by_new_id: list[Sequence[int]] = [_EMPTY] * len(vocabulary)
        for word_id, places in table.items():
            by_new_id[new_ids[word_id]] = places
        return Packed.pack(by_new_id)

    order = sorted(range(count), key=sort_keys.__getitem__)  # stable: file order on ties
    sort_ranks = _int32([0]) * count
    for rank, position in enumerate(order):
        sort_ranks[position] = rank
    if progress is not None:
        progress(1.0)
    return SearchIndex(
        vocabulary=vocabulary,
        person_postings={name: freeze(table) for name, table in person_words.items()},
        org_postings={name: freeze(table) for name, table in org_words.items()},
        org_people=Packed.pack(org_people),
        org_descendants=Packed.pack(descendants),
        phones=TextTable.build(phones),
        emails=TextTable.build(emails),
        sort_keys=tuple(sort_keys),
        sort_ranks=sort_ranks,
        names=tuple(names),
    )


def _org_names(org: Organization) -> list[str]:
    return [org.name, *([org.short] if org.short else []), *org.aliases]
