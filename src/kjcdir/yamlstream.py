"""YAML bytes → positioned values, one entry at a time, within limits.

The reader never composes the whole document. It turns the parser's event stream
(libyaml's where present) into small positioned values and hands each item of the
top-level lists ('organizations', 'people') to a sink as soon as that item is
complete, then forgets it: memory holds one entry at a time, plus the values that
carry an anchor (&name), which a later alias (*name) may repeat.

- A scalar stays the parser's ScalarEvent: its value, tag and start mark are all
  a reader of the schema needs, and it costs nothing beyond the event itself.
- A list becomes a Sequence and a mapping a Mapping (keys and values alternating in
  `items`), each with its resolved tag, anchor and start mark.
- Nothing is constructed: a tag is only a string here, so no tag can run code.

The limits are enforced as events arrive, so that a hostile file costs only as much
reading as a limit allows: a list or mapping the reader keeps may hold READ_LIMIT
items, an entry MAX_ENTRY values, the values kept for anchors MAX_ANCHORED, and
nesting is bounded by MAX_DEPTH; the reader then stops and marks what it kept as cut
short. The top mapping and the lists of entries are streamed even when they carry an
anchor; an alias to one of them once it is read is refused. Errors of YAML itself
are raised as the composer would raise them (MarkedYAMLError), with the same
marks, so that messages stay the same whichever reader made them.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import IO, Any, NoReturn, Protocol

import yaml
from yaml.composer import ComposerError
from yaml.events import (
    AliasEvent,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
    StreamEndEvent,
)

STR = "tag:yaml.org,2002:str"
SEQ = "tag:yaml.org,2002:seq"
MAP = "tag:yaml.org,2002:map"

READ_LIMIT = 5_000  # items of one list or mapping kept whole (a directory's lists hold 500)
MAX_ENTRY = 20_000  # values kept for one entry (the largest sound one holds about 3,600)
MAX_ANCHORED = 100_000  # values kept for aliases: anchors are for a few shared values
MAX_DEPTH = 1_000  # as libyaml's own limit; the pure-Python parser has none

# What the sink wants of the value of a top-level key: nothing (an unknown or repeated
# key: the value is read for its syntax only), the whole value, or its items one by one.
SKIP, VALUE, ITEMS = 0, 1, 2

Scalar = ScalarEvent
Mark = Any  # yaml.Mark, or the same made by libyaml's binding (yaml._Mark)


class Collection:
    """A list or mapping that was read: resolved tag, anchor, start mark and items."""

    __slots__ = ("anchor", "items", "more", "start_mark", "streamed", "tag")

    def __init__(self, event: MappingStartEvent | SequenceStartEvent, default_tag: str) -> None:
        tag = event.tag
        self.tag: str = default_tag if tag is None or tag == "!" else tag
        self.anchor: str | None = event.anchor
        self.start_mark = event.start_mark
        self.items: list[Value] = []
        # True when reading stopped inside it (see READ_LIMIT): its items are only the first
        self.more = False
        # the top mapping and the lists of entries are streamed, not kept: 1 while they are
        # read, 2 after (an alias may name one while it is open, as its kind, not after)
        self.streamed = 0

    def __repr__(self) -> str:
        more = ", …" if self.more else ""
        return f"{type(self).__name__}({self.items!r}{more})"


class Sequence(Collection):
    __slots__ = ()


class Mapping(Collection):
    """Keys and values alternate in `items`: [key, value, key, value, …]."""

    __slots__ = ()

    def pairs(self) -> list[tuple[Value, Value]]:
        items = self.items
        return list(zip(items[0::2], items[1::2], strict=False))


Value = ScalarEvent | Sequence | Mapping


class Sink(Protocol):
    """What the reader tells as it reads (kjcdir.validate.FileValidator is one).

    A document whose top is a mapping is streamed: `begin`, then `key` for each
    top-level key; the value of a key follows as `value` (or, for a list the sink
    wants ITEMS of, `section` and one `item` per entry); `end` last. Any other
    document (a list, a scalar, none) is handed over whole to `whole`.
    """

    def begin(self, root: Mapping) -> None: ...
    def key(self, key: Value) -> int: ...
    def value(self, key: Value, value: Value) -> None: ...
    def section(self, key: Value, start: Sequence) -> object: ...
    def item(self, key: Value, item: Value) -> None: ...
    def end(self) -> None: ...
    def whole(self, root: Value | None) -> None: ...


class ReadStopped(Exception):
    """Reading stopped at a limit.

    `mark` is where, and `message` says why in one sentence. Every list and mapping
    open at that moment is marked `more` (cut short) and holds what was read of it;
    `cut` is the one that outgrew READ_LIMIT, if that was the limit. `hand_over()`
    gives the sink the entry (or top-level value) that was being read, so that what
    was read of it is checked too.
    """

    def __init__(
        self, mark: Mark, message: str, cut: Collection | None, hand_over: Callable[[], None]
    ) -> None:
        super().__init__(message)
        self.mark = mark
        self.message = message
        self.cut = cut
        self.hand_over = hand_over


# -- scalars ------------------------------------------------------------------------
_IMPLICIT = yaml.resolver.Resolver.yaml_implicit_resolvers
_PLAIN_TAGS: dict[str, str] = {}  # plain scalars that a resolver looks at, by value


def scalar_tag(event: ScalarEvent) -> str:
    """The tag the composer would give the scalar: its own, or the one its text implies
    (yaml.resolver.Resolver.resolve: `42` is an int, `yes` a bool, `~` a null)."""
    tag = event.tag
    if tag is not None and tag != "!":
        return str(tag)
    if not event.implicit[0]:
        return STR
    value = event.value
    resolvers = _IMPLICIT.get(value[0] if value else "")
    if resolvers is None:
        return STR  # most text: nothing resolves a value that starts this way
    found = _PLAIN_TAGS.get(value)
    if found is None:
        found = next((tag for tag, pattern in resolvers if pattern.match(value)), STR)
        if len(value) <= 32 and len(_PLAIN_TAGS) < 10_000:  # keys and short values repeat
            _PLAIN_TAGS[value] = found
    return found


# -- reading ------------------------------------------------------------------------
_NORMAL, _ROOT, _SECTION = 0, 1, 2


class _Frame:
    """An open list or mapping: what is kept of it, and what its values are for."""

    __slots__ = ("anchored", "collection", "expect_key", "items", "key", "limit", "role", "want")

    def __init__(
        self,
        collection: Sequence | Mapping | None,
        keep: bool,
        role: int,
        anchored: bool,
        limit: int,
    ) -> None:
        self.collection = collection  # None: read for its syntax only
        self.items = collection.items if keep and collection is not None else None
        self.role = role
        self.anchored = anchored  # inside a value that carries an anchor: kept for good
        self.limit = limit
        self.expect_key = True  # _ROOT: is the next value a key?
        self.key: Value | None = None  # _ROOT and _SECTION: the top-level key
        self.want = SKIP  # _ROOT: what the sink wants of the current key's value


class _Reader:
    def __init__(self, sink: Sink) -> None:
        self.sink = sink
        self.anchors: dict[str, Value] = {}
        self.anchored = 0  # values kept because they are (inside) an anchored value
        self.kept = 0  # values kept for the entry (or top-level value) being read
        self.stack: list[_Frame] = []
        self.root_mark: Mark | None = None

    def run(
        self, next_event: Callable[[], yaml.Event], drain: tuple[type[Exception], ...] = ()
    ) -> None:
        next_event()  # StreamStartEvent
        event = next_event()
        if isinstance(event, StreamEndEvent):
            self.sink.whole(None)
            return
        try:
            self.document(next_event)
        except drain:
            # the sink has heard enough, but a file that is not YAML further on must still
            # say that first: the rest is parsed for its syntax, keeping nothing
            self.drain(next_event)
            raise
        self.end_of_stream(next_event)

    def drain(self, next_event: Callable[[], yaml.Event]) -> None:
        """Parse the rest of the document for its syntax alone (and its anchors' names)."""
        depth = len(self.stack)
        while depth:
            event = next_event()
            kind = event.__class__
            if kind is MappingStartEvent or kind is SequenceStartEvent:
                depth += 1
            elif kind is MappingEndEvent or kind is SequenceEndEvent:
                depth -= 1
                continue
            elif kind is AliasEvent:
                if event.anchor not in self.anchors:  # type: ignore[attr-defined]
                    raise _composer_error(None, None, "found undefined alias", event.start_mark)
                continue
            anchor = getattr(event, "anchor", None)
            if anchor is not None:
                self.new_anchor(anchor, event)  # type: ignore[arg-type]  # kept for its mark
        self.end_of_stream(next_event)

    def end_of_stream(self, next_event: Callable[[], yaml.Event]) -> None:
        next_event()  # DocumentEndEvent
        event = next_event()
        if not isinstance(event, StreamEndEvent):
            raise _composer_error(
                "expected a single document in the stream",
                self.root_mark,
                "but found another document",
                event.start_mark,
            )

    def document(self, next_event: Callable[[], yaml.Event]) -> None:
        """Read the document's one node: every event from its first to its last."""
        stack = self.stack
        top: _Frame | None = None
        while True:
            event = next_event()
            kind = event.__class__
            value: Value | None
            if kind is ScalarEvent:
                value = event  # type: ignore[assignment]
                if event.anchor is not None:  # type: ignore[attr-defined]
                    self.anchor(event.anchor, event)  # type: ignore[attr-defined, arg-type]
            elif kind is MappingStartEvent or kind is SequenceStartEvent:
                if (
                    event.anchor is None  # type: ignore[attr-defined]
                    and top is not None
                    and (top.items is not None or top.role == _SECTION)
                    and not top.anchored
                ):  # the most common case, a part of an entry: kept, nothing more to decide
                    if kind is MappingStartEvent:
                        collection: Mapping | Sequence = Mapping(event, MAP)  # type: ignore[arg-type]
                        top = _Frame(collection, True, _NORMAL, False, 2 * READ_LIMIT)
                    else:
                        collection = Sequence(event, SEQ)  # type: ignore[arg-type]
                        top = _Frame(collection, True, _NORMAL, False, READ_LIMIT)
                    stack.append(top)
                    if len(stack) > MAX_DEPTH:
                        raise _composer_error(
                            None, None, "exceeded maximum nesting depth", event.start_mark
                        )
                    continue
                top = self.open(event, top)  # type: ignore[arg-type]
                continue
            elif kind is MappingEndEvent or kind is SequenceEndEvent:
                frame = stack.pop()
                top = stack[-1] if stack else None
                value = frame.collection
                if frame.items is not None:
                    self.kept += len(frame.items)
                    if self.kept > MAX_ENTRY:
                        self.too_large(frame)
                elif frame.role != _NORMAL:
                    frame.collection.streamed = 2  # type: ignore[union-attr]
                    if frame.role == _ROOT:
                        self.sink.end()
                        return
                    top.expect_key = True  # type: ignore[union-attr]  # a section's end
                    continue
            elif kind is AliasEvent:
                value = self.alias(event)  # type: ignore[arg-type]
            else:  # pragma: no cover - libyaml sends nothing else inside a document
                raise _composer_error(None, None, f"unexpected {kind.__name__}", event.start_mark)

            # hand the finished value to the list or mapping around it
            if top is None:
                self.sink.whole(value)
                return
            role = top.role
            if role == _NORMAL:
                items = top.items
                if items is not None:
                    items.append(value)  # type: ignore[arg-type]
                    if top.anchored:
                        self.count_anchored(top)
                    if len(items) > top.limit:
                        self.overflow(top)
            elif role == _SECTION:
                self.kept = 0
                self.sink.item(top.key, value)  # type: ignore[arg-type]
            elif top.expect_key:  # _ROOT
                self.kept = 0
                top.key = value
                top.want = self.sink.key(value)  # type: ignore[arg-type]
                top.expect_key = False
            else:
                self.kept = 0
                if top.want != SKIP:
                    self.sink.value(top.key, value)  # type: ignore[arg-type]
                top.expect_key = True

    def open(self, event: MappingStartEvent | SequenceStartEvent, top: _Frame | None) -> _Frame:
        """A list or mapping starts: decide what of it is kept, and for what."""
        is_mapping = type(event) is MappingStartEvent
        anchor = event.anchor
        role = _NORMAL
        if top is None:  # the document's top
            self.root_mark = event.start_mark
            # a mapping is streamed: the sink hears of each top-level key; a list at the
            # top is no directory: its kind is all that matters, unless an alias repeats it
            role = _ROOT if is_mapping else _NORMAL
            keep = anchor is not None and not is_mapping
        elif top.role == _ROOT and top.expect_key:
            keep = True  # a key that is a list or mapping: kept for its place in a message
        elif top.role == _ROOT:
            keep = top.want != SKIP
            if top.want == ITEMS and not is_mapping:
                role = _SECTION  # the entries are streamed, anchor or not
        else:
            keep = top.role == _SECTION or top.items is not None
        # what an anchor names is kept for its aliases, unless it is streamed
        anchored = role == _NORMAL and (anchor is not None or (top is not None and top.anchored))
        collection: Sequence | Mapping | None = None
        if keep or anchored or role != _NORMAL or top is None:
            collection = Mapping(event, MAP) if is_mapping else Sequence(event, SEQ)
            if role != _NORMAL:
                collection.streamed = 1
        if anchor is not None:
            self.anchor(anchor, collection)  # type: ignore[arg-type]
        limit = 2 * READ_LIMIT if is_mapping else READ_LIMIT
        frame = _Frame(collection, (keep or anchored) and role == _NORMAL, role, anchored, limit)
        self.stack.append(frame)
        if len(self.stack) > MAX_DEPTH:
            raise _composer_error(None, None, "exceeded maximum nesting depth", event.start_mark)
        if role == _ROOT:
            self.sink.begin(collection)  # type: ignore[arg-type]
        elif role == _SECTION:
            frame.key = top.key  # type: ignore[union-attr]
            self.sink.section(frame.key, collection)  # type: ignore[arg-type]
        return frame

    def alias(self, event: AliasEvent) -> Value:
        value = self.anchors.get(event.anchor)  # type: ignore[arg-type]
        if value is None:
            raise _composer_error(None, None, "found undefined alias", event.start_mark)
        if isinstance(value, Collection) and value.streamed == 2:
            self.stop(
                event.start_mark,
                f"the alias *{event.anchor} repeats the whole file or a whole list of entries, "
                "which kjcdir reads once and does not keep; anchor single values only",
            )
        return value

    def too_large(self, frame: _Frame) -> None:
        reading = _reading(self.stack)
        unit = reading[1] if reading is not None else frame
        assert unit.collection is not None
        self.stop(
            unit.collection.start_mark,
            f"reading stopped at an entry of more than {MAX_ENTRY:,} values (a directory "
            "entry holds a few hundred at most)",
        )

    def new_anchor(self, name: str, value: Value) -> None:
        """Name a value; a name given twice is an error of YAML, as yaml's composer says."""
        first = self.anchors.get(name)
        if first is not None:
            raise _composer_error(
                "found duplicate anchor; first occurrence",
                first.start_mark,
                "second occurrence",
                value.start_mark,
            )
        self.anchors[name] = value

    def anchor(self, name: str, value: Value) -> None:
        self.new_anchor(name, value)
        self.anchored += 1
        if self.anchored > MAX_ANCHORED:
            self.stop(
                value.start_mark,
                f"the file anchors (&) more than {MAX_ANCHORED:,} values; anchors are for "
                "a few shared values, such as an address",
            )

    def count_anchored(self, top: _Frame) -> None:
        self.anchored += 1
        if self.anchored > MAX_ANCHORED:
            assert top.collection is not None
            self.stop(
                top.collection.start_mark,
                f"the values anchored (&) in the file hold more than {MAX_ANCHORED:,} "
                "values; anchors are for a few shared values, such as an address",
            )

    def overflow(self, top: _Frame) -> None:
        """A kept list or mapping outgrew READ_LIMIT: stop, and hand over what was read."""
        collection = top.collection
        assert collection is not None
        collection.items.pop()
        what = "mapping" if isinstance(collection, Mapping) else "list"
        amount = f"{READ_LIMIT:,} keys" if what == "mapping" else f"{READ_LIMIT:,} items"
        self.stop(
            collection.start_mark,
            f"reading stopped at a {what} of more than {amount} (a directory file's lists "
            "hold a few hundred at most, apart from 'organizations' and 'people')",
            cut=collection,
        )

    def stop(self, mark: Mark, message: str, cut: Collection | None = None) -> NoReturn:
        """Mark every open list and mapping as cut short, each holding what was read of
        it, and stop reading (see ReadStopped)."""
        stack = self.stack
        for frame in stack:
            if frame.collection is not None:
                frame.collection.more = True
        for below, frame in itertools.pairwise(stack):
            if below.items is not None and frame.collection is not None:
                below.items.append(frame.collection)  # what was read of it is in its place
        reading = _reading(stack)
        sink = self.sink

        def hand_over() -> None:
            if reading is None:
                return
            below, frame = reading
            if below is None:
                sink.whole(frame.collection)
            elif below.role == _SECTION:
                sink.item(below.key, frame.collection)  # type: ignore[arg-type]
            else:
                sink.value(below.key, frame.collection)  # type: ignore[arg-type]

        raise ReadStopped(mark, message, cut, hand_over)


def _reading(stack: list[_Frame]) -> tuple[_Frame | None, _Frame] | None:
    """The open value the sink is waiting for, with the frame it belongs to (None: the
    document's top): an entry of a section, the value of a top-level key, or the top."""
    if not stack:
        return None
    top = stack[0]
    if top.role != _ROOT:
        return (None, top) if top.items is not None else None
    if len(stack) < 2 or top.expect_key or top.want == SKIP:
        return None
    second = stack[1]
    if second.role == _SECTION:
        return (second, stack[2]) if len(stack) > 2 else None
    return top, second


def _composer_error(context: str | None, first: Mark, problem: str, mark: Mark) -> ComposerError:
    """The error yaml's composer raises, with its marks (typed loosely: libyaml's binding
    makes marks of its own class)."""
    return ComposerError(context, first, problem, mark)


class _Feed:
    """The file's bytes as a stream for the parser, telling how far it has read."""

    def __init__(self, data: bytes | memoryview, progress: Callable[[int], None] | None) -> None:
        self.data = memoryview(data)
        self.position = 0
        self.progress = progress

    def read(self, size: int = -1) -> bytes:
        start = self.position
        end = len(self.data) if size < 0 else min(len(self.data), start + size)
        self.position = end
        if self.progress is not None:
            self.progress(end)
        return bytes(self.data[start:end])


def read(
    data: bytes | memoryview,
    sink: Sink,
    progress: Callable[[int], None] | None = None,
    drain: tuple[type[Exception], ...] = (),
) -> None:
    """Read one YAML document from UTF-8 bytes into `sink`.

    Raises yaml.YAMLError for YAML syntax (with the composer's messages and marks),
    ReadStopped at a limit, and lets whatever the sink raises end the reading; if it is
    one of `drain`, the rest of the file is first parsed for its syntax (nothing kept),
    so that a later YAML error is raised instead. `progress` is told the number of
    bytes the parser has taken so far.
    """
    loader_class = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    stream: IO[bytes] = _Feed(data, progress)  # type: ignore[assignment]
    loader = loader_class(stream)
    try:
        _Reader(sink).run(loader.get_event, drain)
    finally:
        loader.dispose()
