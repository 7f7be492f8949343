"""The kjcdir command line: parse options, call the core, hand the result to output.

Heavy modules (rich, yaml, phonenumbers, vobject, segno) are imported inside the
commands that need them, so that `kjcdir find` starts in about the time Python
needs to import typer.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NamedTuple, NoReturn

import typer
from typer.core import TyperGroup

from kjcdir import __version__
from kjcdir.errors import EXIT_USAGE, KjcdirError, NotFound, Terminated

if TYPE_CHECKING:
    from kjcdir.errors import DataError
    from kjcdir.output import Form
    from kjcdir.store import Loaded

# typer 0.28 bundles its own click; its exception base class is found through a
# public name, so that the same code runs with the click package of typer 0.26/0.27.
ClickException: type[Exception] = next(
    cls for cls in typer.BadParameter.__mro__ if cls.__name__ == "ClickException"
)


class Group(TyperGroup):
    """Runs every invocation, real or under CliRunner, through the same error handling."""

    def main(
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        windows_expand_args: bool = True,
        **extra: Any,
    ) -> Any:
        code = _handled(
            lambda: TyperGroup.main(
                self, args, prog_name, complete_var, False, windows_expand_args, **extra
            )
        )
        if standalone_mode:
            sys.exit(code)
        return code

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except BrokenPipeError:
            # click would turn it into exit 1 ("nothing found"); let _handled end quietly
            raise PipeClosed from None


class PipeClosed(Exception):
    """The reader of stdout went away."""


app = typer.Typer(
    cls=Group,
    name="kjcdir",
    help="Contact directory of the Hessian municipal jobcenters (Kommunale Jobcenter).",
    no_args_is_help=True,
    add_completion=True,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


class Settings(NamedTuple):
    """The global options, given before the command."""

    data: list[Path]
    include_bundled: bool = True


def _env_data() -> list[Path]:
    value = os.environ.get("KJCDIR_DATA", "")
    return [Path(part) for part in value.split(os.pathsep) if part]


def _settings(ctx: typer.Context) -> Settings:
    root = ctx.find_root()
    if isinstance(root.obj, Settings):
        return root.obj
    # Shell completion parses the options without running the callback that sets obj.
    return Settings(
        data=[*_env_data(), *(root.params.get("data") or [])],
        include_bundled=not root.params.get("no_bundled", False),
    )


def _open(ctx: typer.Context, json: bool = False) -> Loaded:
    """The directory in use; a first load shows its progress on a terminal, not with --json."""
    from kjcdir.errors import DataError
    from kjcdir.store import open_directory

    settings = _settings(ctx)
    try:
        return open_directory(settings.data, settings.include_bundled, False if json else None)
    except DataError as error:
        _data_error(error)


def _data_error(error: DataError) -> NoReturn:
    from kjcdir.output.emit import error as report
    from kjcdir.output.emit import problem as report_problem

    problems = error.problems
    for problem in problems[:20]:
        report_problem(str(problem))
    if len(problems) > 20:
        report(f"… and {len(problems) - 20} more problems; `kjcdir check` lists them all.")
    raise typer.Exit(EXIT_USAGE)


def _form(json: bool, plain: bool) -> Form:
    from kjcdir.output import choose_form

    return choose_form(json=json, plain=plain)


def _typed(words: Sequence[str] | None) -> str:
    """Query words as the user typed them.

    A byte that is not UTF-8 (a Latin-1 terminal sends 'ü' as 0xFC) reaches Python as a
    lone surrogate, which no output can encode; such a word is read as Windows-1252
    (Latin-1 with typographic quotes), so that `W\\xfcrfel` finds Würfel.
    """
    return " ".join(_decoded(word) for word in words or ())


def _decoded(word: str) -> str:
    try:
        word.encode("utf-8")
    except UnicodeEncodeError:
        raw = os.fsencode(word)
        try:
            return raw.decode("cp1252")
        except UnicodeDecodeError:
            return raw.decode("latin-1")
    return word


def _complete_ids(ctx: typer.Context, incomplete: str) -> list[str]:
    loaded = _quiet_open(ctx)
    if loaded is None:
        return []
    ids = [*loaded.directory.people, *loaded.directory.organizations]
    return [entry_id for entry_id in ids if entry_id.startswith(incomplete)]


def _complete_orgs(ctx: typer.Context, incomplete: str) -> list[str]:
    loaded = _quiet_open(ctx)
    if loaded is None:
        return []
    # The short where it fits what was typed (shells match case-sensitively), else the id.
    names: set[str] = set()
    for org in loaded.directory.organizations.values():
        if org.short and org.short.startswith(incomplete):
            names.add(org.short)
        elif org.id.startswith(incomplete):
            names.add(org.id)
    return sorted(names)


def _quiet_open(ctx: typer.Context) -> Loaded | None:
    """The directory for shell completion, which must never print (an error, or a bar)."""
    from kjcdir.store import open_directory

    settings = _settings(ctx)
    try:
        return open_directory(settings.data, settings.include_bundled, progress=False)
    except Exception:
        return None


def _version(value: bool) -> None:
    if value:
        sys.stdout.write(f"kjcdir {__version__}\n")
        raise typer.Exit()


JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON.")]
PlainOption = Annotated[
    bool, typer.Option("--plain", help="Tab-separated lines, also on a terminal.")
]


@app.callback()
def main_options(
    ctx: typer.Context,
    data: Annotated[
        list[Path] | None,
        typer.Option(
            "--data",
            help="A directory file of your own, layered over the bundled one (repeatable).",
            metavar="FILE",
            readable=False,  # the loader says so itself, as FILE:1:1 like every problem
        ),
    ] = None,
    no_bundled: Annotated[
        bool, typer.Option("--no-bundled", help="Leave the bundled directory out.")
    ] = False,
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Show the version."),
    ] = False,
) -> None:
    """Find the people of the Hessian Kommunale Jobcenter and the bodies around them."""
    ctx.obj = Settings(data=[*_env_data(), *(data or [])], include_bundled=not no_bundled)


@app.command()
def find(
    ctx: typer.Context,
    query: Annotated[list[str], typer.Argument(help="Name, organisation, topic, phone or e-mail.")],
    limit: Annotated[int, typer.Option("--limit", "-n", min=1, help="At most this many.")] = 10,
    fields: Annotated[
        str | None,
        typer.Option("--in", help="Search only these: name,org,role,topic,contact,place."),
    ] = None,
    json: JsonOption = False,
    plain: PlainOption = False,
) -> None:
    """Find people by name, organisation, role, topic, phone number or e-mail address."""
    from kjcdir.lookup import find_people, lead_affiliations, parse_fields
    from kjcdir.output import Form, emit

    search_fields = parse_fields(fields)
    loaded = _open(ctx, json)
    form = _form(json, plain)
    text = _typed(query)
    notes: list[str] = []  # the parts of "A, B" that found no one
    try:
        found = find_people(loaded, text, search_fields, limit, notes)
    except NotFound:
        if json:
            emit.write_json([])
        raise
    leads = None  # JSON lists every affiliation; the other forms show the one that explains
    if form is not Form.JSON:
        leads = lead_affiliations(loaded, [match.person for match in found], query=text)
    emit.found_people(loaded.directory, found, form, leads)
    for note in notes:
        emit.error(note)


@app.command()
def show(
    ctx: typer.Context,
    entry_id: Annotated[
        str,
        typer.Argument(
            metavar="ID", help="A person's or organisation's id.", autocompletion=_complete_ids
        ),
    ],
    json: JsonOption = False,
    plain: PlainOption = False,
    letter: Annotated[
        bool,
        typer.Option(
            "--letter",
            help="The address block (DIN 5008) and the greeting line, to paste into a letter.",
        ),
    ] = False,
) -> None:
    """Show one person or organisation in full."""
    from kjcdir.lookup import get_entry
    from kjcdir.output import emit

    if letter and json:
        raise KjcdirError("--letter prints text to paste; --json gives 'greeting' and 'address'.")
    loaded = _open(ctx, json)
    item = get_entry(loaded, entry_id)
    if letter:
        emit.letter(loaded.directory, item)
    else:
        emit.entry(loaded.directory, item, _form(json, plain))


@app.command("list")
def list_command(
    ctx: typer.Context,
    org: Annotated[
        str | None,
        typer.Option(
            "--org",
            help="Only this organisation and its units (id, short, name or alias).",
            autocompletion=_complete_orgs,
        ),
    ] = None,
    topic: Annotated[str | None, typer.Option("--topic", help="Only people of this topic.")] = None,
    json: JsonOption = False,
    plain: PlainOption = False,
) -> None:
    """List the people, by family name, optionally of one organisation or topic."""
    from kjcdir.lookup import lead_affiliations, list_people
    from kjcdir.output import emit

    loaded = _open(ctx, json)
    form = _form(json, plain)
    org_text = _decoded(org) if org is not None else None
    topic_text = _decoded(topic) if topic else topic
    people = list_people(loaded, org_text, topic_text)
    if not people:
        if json:
            emit.write_json([])
        raise NotFound("No one is listed for that selection.")
    leads = lead_affiliations(loaded, people, topic_text, org_text) if not json else None
    emit.people_list(loaded.directory, people, form, leads)


@app.command()
def orgs(
    ctx: typer.Context,
    query: Annotated[list[str] | None, typer.Argument(help="Find organisations.")] = None,
    json: JsonOption = False,
    plain: PlainOption = False,
) -> None:
    """The organisations as a tree; with a query, the cards of those that match."""
    from kjcdir.lookup import search_orgs
    from kjcdir.output import emit

    loaded = _open(ctx, json)
    form = _form(json, plain)
    directory = loaded.directory
    if not query:
        emit.organizations(directory, list(directory.organizations.values()), form, tree=True)
        return
    text = _typed(query)
    found = search_orgs(loaded, text)
    if not found:
        if json:
            emit.write_json([])
        raise NotFound(f"No organisation matches '{text}'.")
    emit.organizations(directory, found, form, tree=False)


@app.command()
def topics(
    ctx: typer.Context,
    query: Annotated[list[str] | None, typer.Argument(help="Only topics that match.")] = None,
    json: JsonOption = False,
    plain: PlainOption = False,
) -> None:
    """Who handles what: topics and tasks with their units and people."""
    from kjcdir.lookup import topic_rows
    from kjcdir.output import emit

    loaded = _open(ctx, json)
    form = _form(json, plain)
    text = _typed(query) if query else None
    try:
        rows = topic_rows(loaded, text)
    except NotFound:
        if json:
            emit.write_json([])
        raise
    emit.topics(rows, form)


@app.command()
def check(
    ctx: typer.Context,
    files: Annotated[
        list[Path] | None,
        typer.Argument(metavar="[FILE]...", help="Directory files to check.", readable=False),
    ] = None,
) -> None:
    """Validate directory files (without files: the data in use). Problems go to stderr."""
    from kjcdir.load import layer, parse_file
    from kjcdir.output.emit import problem as report
    from kjcdir.output.progress import Progress, stderr_is_terminal
    from kjcdir.sources import DataFile, OpenFiles, data_files

    settings = _settings(ctx)
    paths = data_files([*settings.data, *(files or [])], settings.include_bundled)
    parsed = []
    with Progress(stderr_is_terminal()) as bar:
        for path in paths:  # one open at a time: a pipe's writer may wait for the one before
            with OpenFiles([DataFile(path)]) as (source,):
                bar.stage(f"checking {path.name}", source.size or None, "bytes")
                parsed.append(parse_file(path, source, bar.update))
        _, problems = layer(parsed)
    for problem in problems:
        report(str(problem))
    if problems:
        raise typer.Exit(EXIT_USAGE)
    for item in parsed:
        sys.stdout.write(
            f"{item.path}: ok ({len(item.organizations)} organisations, "
            f"{len(item.people)} people)\n"
        )


@app.command()
def info(ctx: typer.Context, json: JsonOption = False) -> None:
    """Title, source, date, counts, the data files in use and the cache location."""
    from kjcdir import cache
    from kjcdir.output import emit

    loaded = _open(ctx, json)
    directory = loaded.directory
    cacheable = all(path.is_file() for path in loaded.files)  # pipes are never cached
    facts = {
        "version": __version__,
        "title": directory.meta.title,
        "source": directory.meta.source,
        "as_of": directory.meta.as_of,
        "organizations": len(directory.organizations),
        "people": len(directory.people),
        "files": [str(path) for path in loaded.files],
        "cache": str(cache.cache_file(loaded.files)) if cacheable else None,
    }
    if json:
        emit.write_json(facts)
        return
    from kjcdir.output.plain import line

    for name, value in facts.items():
        values = value if isinstance(value, list) else [value]
        for item in values:
            sys.stdout.write(line([name, str(item) if item is not None else ""]) + "\n")


# --- exports ---


@app.command()
def export(
    ctx: typer.Context,
    query: Annotated[
        list[str] | None,
        typer.Argument(metavar="[QUERY]...", help="Whom to export: a search, as `find` takes it."),
    ] = None,
    org: Annotated[
        str | None,
        typer.Option(
            "--org",
            help="The people of this organisation and its units (with a query: those of them).",
            autocompletion=_complete_orgs,
        ),
    ] = None,
    everyone: Annotated[bool, typer.Option("--all", help="Everyone in the directory.")] = False,
    format_name: Annotated[
        str | None,
        typer.Option(
            "--format",
            "-f",
            metavar="vcard|csv|json|xlsx|outlook|google|ldif",
            help="Default: from the ending of -o (.vcf, .csv, .json, .xlsx, .ldif), else vcard.",
        ),
    ] = None,
    output: Annotated[
        str | None,
        typer.Option(
            "--output", "-o", metavar="FILE", help="Write to FILE instead of stdout ('-': stdout)."
        ),
    ] = None,
    force: Annotated[
        bool,
        typer.Option(
            "--force",
            help="Replace an existing regular FILE; in a vdir, replace cards kjcdir did not write.",
        ),
    ] = False,
    vdir_text: Annotated[
        str | None,
        typer.Option(
            "--vdir",
            metavar="DIR",
            help="One <id>.vcf per contact in DIR (for khard, vdirsyncer); "
            "only changed files are rewritten.",
        ),
    ] = None,
    vcard_version: Annotated[
        str | None,
        typer.Option("--vcard-version", metavar="3.0|4.0", help="vCard version (default 3.0)."),
    ] = None,
    prune: Annotated[
        bool,
        typer.Option(
            "--prune",
            help="With --vdir: remove kjcdir's cards of contacts no longer in the directory.",
        ),
    ] = False,
    excel: Annotated[
        bool,
        typer.Option(
            "--excel", help="CSV for a double click in (German) Excel: byte order mark and ';'."
        ),
    ] = False,
    lang: Annotated[
        str | None,
        typer.Option(
            "--lang", metavar="de|en", help="Headers of outlook and xlsx (default: the locale's)."
        ),
    ] = None,
    with_orgs: Annotated[
        bool,
        typer.Option(
            "--with-orgs",
            help="Add the organisations behind them that have an address, phone, e-mail "
            "or website, as contacts of their own (vcard, json, outlook, google).",
        ),
    ] = False,
    base: Annotated[
        str | None,
        typer.Option(
            "--base",
            metavar="DN",
            help="With --format ldif: the DN the entries go under (ou=people and "
            "ou=organizations are made below it).",
        ),
    ] = None,
) -> None:
    """Export contacts of a query, an organisation, or all (vCard, CSV, JSON, XLSX, LDIF…)."""
    from kjcdir.export import files, render, selection
    from kjcdir.output.stdout import write_bytes

    if vdir_text == "":  # an unset shell variable: never the current folder by accident
        raise KjcdirError("--vdir needs a folder name.")
    vdir = Path(vdir_text) if vdir_text is not None else None
    to_stdout = output is None or output == "-"
    request = render.ExportRequest.from_options(
        format_name,
        Path(output) if output is not None else None,
        vdir,
        vcard_version,
        excel,
        with_orgs,
        lang,
        prune,
        base,
    )
    unfit = render.NOT_FOR_TERMINALS.get(request.format)
    if unfit and to_stdout and sys.stdout.isatty():
        raise KjcdirError(f"{request.format} writes {unfit}, not for a terminal; give -o FILE.")
    loaded = _open(ctx)
    text = _typed(query) if query else None
    org = _decoded(org) if org else org
    unanswered: list[str] = []  # the parts of "A, B" that found no one
    try:
        people = selection.select_people(loaded, text, org, everyone, unanswered)
    except NotFound:
        if request.format == "json" and to_stdout and vdir is None:
            write_bytes(b"[]\n")
        raise
    # The workbook always has its sheet of organisations, an LDIF file their entries.
    orgs = (
        selection.organizations_of(loaded, people, org, everyone)
        if with_orgs or request.format in ("xlsx", "ldif")
        else []
    )
    from kjcdir.output.emit import error as report

    for note in unanswered:
        report(note)

    from kjcdir.output.progress import Counted, Progress, stderr_is_terminal

    # a bar for an export that takes a while; not when the export itself goes to stdout
    bar = Progress(stderr_is_terminal() and (vdir is not None or not to_stdout))
    target = Path(str(output or vdir)).name
    written = len(people) + (len(orgs) if render.writes_organizations(request.format) else 0)
    bar.stage(f"exporting to {target}", written, "contacts")
    counted_people, counted_orgs = Counted(people, bar), Counted(orgs, bar)
    if vdir is not None:
        with bar:
            cards = render.vcard_files(
                loaded.directory, counted_people, counted_orgs, request.version
            )
            current = render.CardNames(loaded.directory)
            done = files.write_vdir(vdir, cards, render.is_own_card, force, current, prune)
        for sentence in [*done.skipped, *files.stale_sentences(done, prune)]:
            report(sentence)
        report(files.vdir_summary(vdir, done))
        if done.skipped:
            raise typer.Exit(EXIT_USAGE)
        return
    notes: list[str] = []  # said once the export is written, not before a failed write
    with bar:
        data = render.export_bytes(loaded.directory, request, counted_people, counted_orgs, notes)
    if to_stdout:
        write_bytes(data)
    else:
        assert output is not None
        files.write_file(output, data, force)
    for note in notes:
        report(note)
    if not to_stdout:
        report(f"wrote {written} {'contact' if written == 1 else 'contacts'} to {output}.")


@app.command("mutt-query")
def mutt_query(
    ctx: typer.Context,
    query: Annotated[
        list[str] | None,
        typer.Argument(
            metavar="QUERY",
            help="What mutt or aerc passes: the text typed so far (empty: everyone).",
        ),
    ] = None,
) -> None:
    """E-mail addresses for mutt's query_command and aerc's address-book-cmd."""
    import contextlib
    import io

    from kjcdir.errors import DataError
    from kjcdir.export import mutt
    from kjcdir.output.stdout import write_bytes
    from kjcdir.store import open_directory

    # mutt shows the first line as the message; stderr (a progress line, a warning about
    # the cache folder) would scribble over its screen.
    settings = _settings(ctx)
    try:
        with contextlib.redirect_stderr(io.StringIO()):
            loaded = open_directory(settings.data, settings.include_bundled, progress=False)
        answer = mutt.query(loaded, _typed(query))
    except DataError as error:
        status = mutt.data_error_status(len(error.problems))
        write_bytes(f"{status}\n".encode())
        raise typer.Exit(EXIT_USAGE) from None
    except KjcdirError as error:
        if isinstance(error, mutt.NoAddress):
            status = error.status  # made a status line by mutt.query
        else:
            status = mutt.status_line(f"kjcdir: {error.message}")
        write_bytes(f"{status}\n".encode())
        raise typer.Exit(error.exit_code) from None
    write_bytes(answer.text().encode())


@app.command()
def qr(
    ctx: typer.Context,
    entry_id: Annotated[
        str,
        typer.Argument(
            metavar="ID", help="A person's or organisation's id.", autocompletion=_complete_ids
        ),
    ],
    output: Annotated[
        str | None,
        typer.Option(
            "--output", "-o", metavar="FILE", help="Write FILE.png or FILE.svg ('-': stdout)."
        ),
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Replace an existing regular FILE.")
    ] = False,
    invert: Annotated[
        bool, typer.Option("--invert", help="For terminals with a light background.")
    ] = False,
) -> None:
    """The contact's vCard 3.0 as a QR code, to scan with a phone: in the terminal or a file."""
    import shutil

    from kjcdir.export import files, vcard
    from kjcdir.export import qr as qrcode
    from kjcdir.lookup import get_entry
    from kjcdir.model import Person
    from kjcdir.output.stdout import write_bytes

    if output == "-":
        output = None  # standard output: the drawing, as without -o
    if output is not None:
        qrcode.check_file_name(Path(output))
    loaded = _open(ctx)
    directory = loaded.directory
    entry = get_entry(loaded, entry_id)
    if isinstance(entry, Person):
        card = vcard.person_card(directory, entry, "3.0", compact=True)
    else:
        card = vcard.org_card(directory, entry, "3.0", compact=True)
    code = qrcode.make(card)
    if output is None:
        columns = shutil.get_terminal_size((0, 0)).columns if sys.stdout.isatty() else 0
        if 0 < columns < qrcode.width(code):
            from kjcdir.output.emit import error as report

            report(
                f"the code is {qrcode.width(code)} columns wide and the terminal {columns}: "
                "widen the window or write a file with -o FILE.png."
            )
        write_bytes(qrcode.terminal_text(code, invert).encode())
    else:
        from kjcdir.output.emit import error as report

        files.write_file(output, qrcode.image(code, Path(output)), force)
        report(f"wrote the QR code of {entry.id} to {output}.")


@app.command()
def browse(
    ctx: typer.Context,
    query: Annotated[
        list[str] | None,
        typer.Argument(metavar="[QUERY]...", help="Start with this in the search field."),
    ] = None,
) -> None:
    """Search as you type, in a full-screen view: the list, the card, filters, copy, QR."""
    if not (sys.stdout.isatty() and sys.stdin.isatty()):
        raise KjcdirError("browse needs a terminal; use find.")
    loaded = _open(ctx)  # a data error is the same sentence as for every command
    from kjcdir.browse import run  # Textual is imported here, by browse alone

    run(loaded, _typed(query) if query else "")


ldap_app = typer.Typer(
    help="The office's LDAP address book: keep it equal to the directory.",
    no_args_is_help=True,
)
app.add_typer(ldap_app, name="ldap")


@ldap_app.command("sync")
def ldap_sync(
    ctx: typer.Context,
    url: Annotated[
        str,
        typer.Option("--url", metavar="URL", help="ldap://HOST[:PORT] or ldaps://HOST[:PORT]."),
    ],
    base: Annotated[
        str,
        typer.Option(
            "--base", metavar="DN", help="The subtree kjcdir keeps; it must exist already."
        ),
    ],
    bind_dn: Annotated[str, typer.Option("--bind-dn", metavar="DN", help="Bind as this DN.")],
    password_file: Annotated[
        Path | None,
        typer.Option(
            "--password-file",
            metavar="FILE",
            help="Read the password from FILE (else KJCDIR_LDAP_PASSWORD, else a prompt).",
        ),
    ] = None,
    starttls: Annotated[
        bool, typer.Option("--starttls", help="Encrypt an ldap:// connection with StartTLS.")
    ] = False,
    ca_file: Annotated[
        Path | None,
        typer.Option(
            "--ca-file", metavar="FILE", help="Trust the CA certificates in FILE (PEM) for TLS."
        ),
    ] = None,
    dry_run: Annotated[
        bool,
        typer.Option("--dry-run", help="Print the changes as LDIF; send nothing."),
    ] = False,
    json: JsonOption = False,
) -> None:
    """Make the entries under --base equal to the directory: send only what differs."""
    from kjcdir.ldap import ldif
    from kjcdir.ldap.entries import mail_note
    from kjcdir.ldap.server import Target
    from kjcdir.ldap.sync import contacts, read_password, sync
    from kjcdir.output.emit import error as report
    from kjcdir.output.emit import write, write_json

    target = Target(url, base, bind_dn, starttls, ca_file)  # a typo is said before a prompt
    loaded = _open(ctx, json)
    people, orgs = contacts(loaded)
    password = read_password(password_file)
    from kjcdir.output.progress import Progress, stderr_is_terminal

    with Progress(stderr_is_terminal() and not json) as bar:
        changes = sync(target, password, loaded.directory, people, orgs, dry_run, bar)
    note = mail_note([*people, *orgs])
    if note is not None:
        report(note)
    if json:
        write_json(
            {
                "added": len(changes.adds),
                "changed": len(changes.modifies),
                "removed": len(changes.deletes),
                "unchanged": changes.unchanged,
                "dry_run": dry_run,
            }
        )
        return
    if dry_run:
        write(ldif.changes(changes))
        report(f"dry run, nothing sent: {changes.summary()}.")
    else:
        report(f"{changes.summary()}.")


def main() -> None:
    """Entry point of the console script and of `python -m kjcdir`."""
    if sys.stderr is None:  # started with 2>&-: errors have nowhere to go but away
        sys.stderr = open(os.devnull, "w")  # noqa: SIM115 (lives as long as the process)
    if sys.stdout is None:  # started with >&-
        sys.stderr.write("kjcdir: standard output is closed; there is nowhere to write to.\n")
        sys.exit(EXIT_USAGE)
    # An output stream that cannot encode umlauts still gets the contact, with '?'.
    reconfigure = getattr(sys.stderr, "reconfigure", None)
    if reconfigure is not None:
        reconfigure(errors="replace")
    from kjcdir.output.stdout import complete_stdout

    sys.stdout = complete_stdout(sys.stdout)  # all of the output, or a failing exit code
    _end_on_signals()
    _keep_only_the_invoked_command(sys.argv[1:])
    app()


def _end_on_signals() -> None:
    """SIGTERM and SIGHUP end kjcdir as Ctrl-C does: through every `finally`, so that no
    temporary file is left behind (SPEC 4). All three wait while a temporary file is
    made or cleared (atomic.signals_held). An ignored signal (nohup) stays ignored."""
    import signal

    def stop(number: int, frame: object) -> None:
        from kjcdir.atomic import interrupt

        interrupt(KeyboardInterrupt() if number == signal.SIGINT else Terminated(number))

    for name, default in [
        ("SIGINT", signal.default_int_handler),
        ("SIGTERM", signal.SIG_DFL),
        ("SIGHUP", signal.SIG_DFL),
    ]:
        number = getattr(signal, name, None)
        if number is not None and signal.getsignal(number) is default:
            signal.signal(number, stop)


# Global options and how many values each takes, to find the command name in argv.
_GLOBAL_OPTIONS = {"--data": 1, "--no-bundled": 0}


def _keep_only_the_invoked_command(args: list[str]) -> None:
    """Let typer build only the command being run (~10 ms of every lookup).

    typer turns every registered command into a click command on each run; a lookup
    needs one. Help, shell completion and unknown commands keep all of them.
    """
    if any(name.endswith("_COMPLETE") for name in os.environ):
        return
    position = 0
    while position < len(args):
        name, _, value = args[position].partition("=")
        if name not in _GLOBAL_OPTIONS:
            break
        position += 1 + (0 if value else _GLOBAL_OPTIONS[name])
    if position >= len(args) or args[position].startswith("-"):
        return
    wanted = args[position]
    chosen = [
        info
        for info in app.registered_commands
        if (info.name or getattr(info.callback, "__name__", "").replace("_", "-")) == wanted
    ]
    groups = [info for info in app.registered_groups if info.name == wanted]
    if chosen or groups:
        app.registered_commands[:] = chosen
        app.registered_groups[:] = groups


def _handled(run: Callable[[], Any]) -> int:
    """Run the command; turn every failure into one line on stderr and an exit code."""
    from kjcdir.output.emit import error as report

    try:
        result = run()
        sys.stdout.flush()
    except KjcdirError as error:
        report(error.message)
        return error.exit_code
    except typer.Exit as exit_:
        return int(exit_.exit_code or 0)
    except (typer.Abort, KeyboardInterrupt):
        report("interrupted.")
        return 130
    except Terminated as stopped:
        report("terminated.")
        return 128 + stopped.signal_number
    except ClickException as error:  # usage: unknown option, missing argument, bad value
        message = str(getattr(error, "format_message", error.__str__)()).strip()
        if message:  # `kjcdir` alone has printed the help and has nothing to add
            report(message if message.endswith((".", "?", "!")) else message + ".")
        return EXIT_USAGE
    except (BrokenPipeError, PipeClosed):
        return _broken_pipe()
    except OSError as error:  # writing the output failed: a full disk, a closed device
        _broken_pipe()  # so that the flush at exit does not fail a second time
        report(f"cannot write the output: {error.strerror or type(error).__name__}.")
        return EXIT_USAGE
    except Exception as error:  # a bug: one line, and the traceback only on request
        if _cache_was_damaged(error):
            return _without_cache(run)
        if os.environ.get("KJCDIR_DEBUG"):
            raise
        report(f"internal error: {type(error).__name__}: {error} (KJCDIR_DEBUG=1 shows more).")
        return EXIT_USAGE
    if result == 130:  # typer turns Ctrl-C into Exit(130)
        report("interrupted.")
    return int(result) if isinstance(result, int) else 0


def _cache_was_damaged(error: Exception) -> bool:
    """Could the cache be to blame: a cached record failed its checks (kjcdir.records), or
    the command failed in an unforeseen way while the directory came from the cache?"""
    store = sys.modules.get("kjcdir.store")
    if store is None or not store.READ_CACHE:
        return False
    from kjcdir.cache import CacheError

    return isinstance(error, CacheError) or bool(store.SERVED_FROM_CACHE)


def _without_cache(run: Callable[[], Any]) -> int:
    """Run the command once more from the files; their load writes a sound cache. (A bug
    that is not the cache's fails the second time too, and is reported then.)"""
    from kjcdir import store

    store.READ_CACHE = False
    try:
        return _handled(run)
    finally:
        store.READ_CACHE = True


def _broken_pipe() -> int:
    """The reader went away (`kjcdir list | head -1`): end quietly, as `cat` would."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    return 141
