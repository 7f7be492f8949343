"""The kjcdir command line: parse options, call the core, hand the result to output.

Heavy modules (rich, yaml, phonenumbers, vobject, segno) are imported inside the
commands that need them, so that `kjcdir find` starts in about the time Python
needs to import typer.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer
from typer.core import TyperGroup

from kjcdir import __version__
from kjcdir.errors import EXIT_USAGE, KjcdirError, NotFound

if TYPE_CHECKING:
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


app = typer.Typer(
    cls=Group,
    name="kjcdir",
    help="Contact directory of the Hessian municipal jobcenters (Kommunale Jobcenter).",
    no_args_is_help=True,
    add_completion=True,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


@dataclass
class Settings:
    """The global options, given before the command."""

    data: list[Path] = field(default_factory=list)
    include_bundled: bool = True


def _env_data() -> list[Path]:
    value = os.environ.get("KJCDIR_DATA", "")
    return [Path(part) for part in value.split(os.pathsep) if part]


def _settings(ctx: typer.Context) -> Settings:
    settings = ctx.find_root().obj
    return settings if isinstance(settings, Settings) else Settings(data=_env_data())


def _open(ctx: typer.Context) -> Loaded:
    from kjcdir.load import DataError
    from kjcdir.store import open_directory

    settings = _settings(ctx)
    try:
        return open_directory(settings.data, settings.include_bundled)
    except DataError as error:
        _data_error(error)


def _data_error(error: Exception) -> NoReturn:
    from kjcdir.load import DataError
    from kjcdir.output.emit import error as report
    from kjcdir.output.emit import problem as report_problem

    problems = error.problems if isinstance(error, DataError) else []
    for problem in problems[:20]:
        report_problem(str(problem))
    if len(problems) > 20:
        report(f"… and {len(problems) - 20} more problems; `kjcdir check` lists them all.")
    raise typer.Exit(EXIT_USAGE)


def _form(json: bool, plain: bool) -> Form:
    from kjcdir.output import choose_form

    return choose_form(json=json, plain=plain)


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
    names = {org.short or org.id for org in loaded.directory.organizations.values()}
    folded = incomplete.casefold()
    return sorted(name for name in names if name.casefold().startswith(folded))


def _quiet_open(ctx: typer.Context) -> Loaded | None:
    """The directory for shell completion, which must never print an error."""
    from kjcdir.store import open_directory

    settings = _settings(ctx)
    try:
        return open_directory(settings.data, settings.include_bundled)
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
    from kjcdir.lookup import find_people, parse_fields
    from kjcdir.output import emit

    search_fields = parse_fields(fields)
    loaded = _open(ctx)
    form = _form(json, plain)
    text = " ".join(query)
    try:
        found = find_people(loaded, text, search_fields, limit)
    except NotFound:
        if json:
            emit.write_json([])
        raise
    emit.found_people(loaded.directory, found, form)


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
) -> None:
    """Show one person or organisation in full."""
    from kjcdir.lookup import get_entry
    from kjcdir.output import emit

    loaded = _open(ctx)
    emit.entry(loaded.directory, get_entry(loaded, entry_id), _form(json, plain))


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
    from kjcdir.lookup import list_people
    from kjcdir.output import emit

    loaded = _open(ctx)
    form = _form(json, plain)
    people = list_people(loaded, org, topic)
    if not people:
        if json:
            emit.write_json([])
        raise NotFound("No one is listed for that selection.")
    emit.people_list(loaded.directory, people, form)


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

    loaded = _open(ctx)
    form = _form(json, plain)
    directory = loaded.directory
    if not query:
        emit.organizations(directory, list(directory.organizations.values()), form, tree=True)
        return
    text = " ".join(query)
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

    loaded = _open(ctx)
    form = _form(json, plain)
    text = " ".join(query) if query else None
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
        list[Path] | None, typer.Argument(metavar="[FILE]...", help="Directory files to check.")
    ] = None,
) -> None:
    """Validate directory files (without files: the data in use). Problems go to stderr."""
    from kjcdir.load import data_files, layer, parse_file
    from kjcdir.output.emit import problem as report

    settings = _settings(ctx)
    paths = data_files([*settings.data, *(files or [])], settings.include_bundled)
    parsed = [parse_file(path) for path in paths]
    directory, problems = layer(parsed)
    for problem in problems:
        report(str(problem))
    if problems:
        raise typer.Exit(EXIT_USAGE)
    for item in parsed:
        sys.stdout.write(
            f"{item.path}: ok ({len(item.organizations)} organisations, "
            f"{len(item.people)} people)\n"
        )
    del directory


@app.command()
def info(ctx: typer.Context, json: JsonOption = False) -> None:
    """Title, source, date, counts, the data files in use and the cache location."""
    from kjcdir import cache
    from kjcdir.output import emit

    loaded = _open(ctx)
    directory = loaded.directory
    key = cache.cache_key(list(loaded.files))
    facts = {
        "version": __version__,
        "title": directory.meta.title,
        "source": directory.meta.source,
        "as_of": directory.meta.as_of,
        "organizations": len(directory.organizations),
        "people": len(directory.people),
        "files": [str(path) for path in loaded.files],
        "cache": str(cache.cache_file(key)) if key else None,
    }
    if json:
        emit.write_json(facts)
        return
    from kjcdir.output.plain import line

    for name, value in facts.items():
        values = value if isinstance(value, list) else [value]
        for item in values:
            sys.stdout.write(line([name, str(item) if item is not None else ""]) + "\n")


def main() -> None:
    """Entry point of the console script and of `python -m kjcdir`."""
    # An output stream that cannot encode umlauts still gets the contact, with '?'.
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(errors="replace")
    app()


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
    except ClickException as error:  # usage: unknown option, missing argument, bad value
        message = str(getattr(error, "format_message", error.__str__)()).rstrip(".")
        if message:  # `kjcdir` alone has printed the help and has nothing to add
            report(message + ".")
        return EXIT_USAGE
    except BrokenPipeError:
        return _broken_pipe()
    except Exception as error:  # a bug: one line, and the traceback only on request
        if os.environ.get("KJCDIR_DEBUG"):
            raise
        report(f"internal error: {type(error).__name__}: {error} (KJCDIR_DEBUG=1 shows more).")
        return EXIT_USAGE
    if result == 130:  # typer turns Ctrl-C into Exit(130)
        report("interrupted.")
    return int(result) if isinstance(result, int) else 0


def _broken_pipe() -> int:
    """The reader went away (`kjcdir list | head -1`): end quietly, as `cat` would."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    return 141
