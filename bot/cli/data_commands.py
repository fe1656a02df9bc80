"""The commands about the data: `db`, `digest`, `mentors`, `dashboard` and `people`."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from bot.cli.base import (
    EXIT_FAILURE,
    EXIT_OK,
    EXIT_USAGE,
    CliCommand,
    CliGroup,
    cli_app,
    config,
    fail,
    progress,
    run_async,
)
from bot.clock import SystemClock
from bot.config import Config
from bot.main import build_app
from bot.mentors.roster_csv import EmailLookup
from bot.privacy.signin import DASHBOARD_PORT

__all__ = ["slack_email_lookup"]


db_app = typer.Typer(cls=CliGroup, help="Database maintenance.", no_args_is_help=True)
cli_app.add_typer(db_app, name="db")


@db_app.command("upgrade", cls=CliCommand)
def db_upgrade_command() -> int:
    """Apply the migrations up to the newest schema (`run` does this at start too)."""
    return run_async(_db_upgrade(config()))


async def _db_upgrade(cfg: Config) -> int:
    from storage.engine import safe_url
    from storage.migrate import upgrade

    with progress("Migrating the database…"):
        before, after = await upgrade(cfg.database_url(), announce=False)  # said below
    where = safe_url(cfg.database_url())
    if before == after:
        print(f"database is up to date: {where}")
    else:
        print(f"database upgraded {before or 'empty'} → {after}: {where}")
    return 0


@db_app.command("downgrade", cls=CliCommand)
def db_downgrade_command(
    revision: Annotated[
        str, typer.Argument(metavar="REVISION", help="The revision to go back to, e.g. 0023.")
    ],
    yes: Annotated[bool, typer.Option("--yes", help="Do not ask for confirmation.")] = False,
) -> int:
    """Undo the migrations newer than REVISION (to run an older release): lists what each one
    undoes and asks first; what they added (columns, tables, rows) is dropped. Back up first."""
    return run_async(_db_downgrade(config(), revision=revision, yes=yes))


async def _db_downgrade(cfg: Config, *, revision: str, yes: bool) -> int:
    from storage.engine import safe_url
    from storage.migrate import downgrade, downgrade_plan

    url = cfg.database_url()
    at, undo = await downgrade_plan(url, revision)
    if not yes:
        if not sys.stdin.isatty():
            raise fail(
                "db downgrade: no terminal to confirm on; add --yes to downgrade without asking",
                EXIT_USAGE,
            )
        print(f"Going back from {at} to {revision} undoes these migrations, newest first:")
        for migration in undo:
            print(f"  {migration.revision}  {migration.about}")
        question = "What they added (columns, tables, rows) is dropped. Downgrade? [y/N] "
        answer = await asyncio.to_thread(input, question)
        if answer.strip().lower() not in ("y", "yes"):
            print("Nothing was changed.")
            return EXIT_FAILURE
    with progress("Downgrading the database…"):
        after = await downgrade(url, at=at, undo=undo)
    print(f"database downgraded {at} → {after}: {safe_url(url)}")
    return EXIT_OK


# --- digest ------------------------------------------------------------------------------------


@cli_app.command("digest", cls=CliCommand)
def digest_command(
    week: Annotated[
        str | None,
        typer.Option(metavar="WEEK", help="ISO week like 2026-W48 (default: the last full week)."),
    ] = None,
    png: Annotated[
        str | None,
        typer.Option(metavar="FILE", help="Also write the chart to this PNG file (\\[charts])."),
    ] = None,
    workspace: Annotated[
        str | None,
        typer.Option(metavar="WORKSPACE", help="Workspace key or name (default: all)."),
    ] = None,
) -> int:
    """Print a weekly digest (read-only: never migrates the database)."""
    cfg = config()
    # The arguments first: a wrong week or chart folder is said before any work is done.
    if week is not None:
        from bot.digest.figures import IsoWeek

        try:
            IsoWeek.parse(week)
        except ValueError as e:
            raise fail(f"digest: {e}", EXIT_USAGE) from None
    if png is not None:
        folder = Path(png).parent
        if not folder.is_dir():
            why = "Not a directory" if folder.exists() else "No such file or directory"
            raise fail(f"{png}: {why}", EXIT_FAILURE)
    return run_async(_digest(cfg, week=week, png=png, workspace=workspace))


async def _digest(cfg: Config, *, week: str | None, png: str | None, workspace: str | None) -> int:
    from bot.digest.report import print_digest

    app = await build_app(cfg, clock=SystemClock(), load_similar=False, migrate=False)
    try:
        return await print_digest(
            uow_factory=app.uow_factory,
            config=cfg,
            now=app.clock.now(),
            week=week,
            png=Path(png) if png else None,
            workspace=workspace,
        )
    finally:
        await app.dispose()


# --- mentors -----------------------------------------------------------------------------------

mentors_app = typer.Typer(
    cls=CliGroup, help="The mentor roster in and out (CSV).", no_args_is_help=True
)
cli_app.add_typer(mentors_app, name="mentors")


@mentors_app.command("import", cls=CliCommand)
def mentors_import_command(
    file: Annotated[str, typer.Argument(metavar="FILE", help="The CSV file to import.")],
) -> int:
    """Import mentors from a CSV file: all rows or none (problems on stderr, exit 2)."""
    return run_async(_mentors_import(config(), Path(file)))


@mentors_app.command("export", cls=CliCommand)
def mentors_export_command(
    workspace: Annotated[
        str | None,
        typer.Option(
            metavar="WORKSPACE", help="Only this workspace, e.g. slack:T0123 (default: all)."
        ),
    ] = None,
) -> int:
    """Write the roster as CSV to standard output (read-only: never migrates)."""
    return run_async(_mentors_export(config(), workspace=workspace))


async def _mentors_import(cfg: Config, file: Path) -> int:
    from bot.mentors.roster_csv import import_roster

    app = await build_app(cfg, clock=SystemClock(), load_similar=False)
    try:
        return await import_roster(
            app.bus,
            app.uow_factory,
            file,
            out=print,
            err=lambda s: print(s, file=sys.stderr),
            by_email=slack_email_lookup(app.engine),
            progress=sys.stderr.isatty(),
        )
    finally:
        await app.dispose()


async def _mentors_export(cfg: Config, *, workspace: str | None) -> int:
    from bot.mentors.roster_csv import export_roster

    app = await build_app(cfg, clock=SystemClock(), load_similar=False, migrate=False)
    try:
        return await export_roster(
            app.uow_factory, out=sys.stdout, workspace=workspace, now=app.clock.now()
        )
    finally:
        await app.dispose()


# --- dashboard and people ---------------------------------------------------------------------


@cli_app.command("dashboard", cls=CliCommand)
def dashboard_command(
    port: Annotated[
        int,
        typer.Option(
            metavar="PORT", min=0, max=65535, help="HTTP port of the dashboard (0: any free port)."
        ),
    ] = DASHBOARD_PORT,
    link: Annotated[
        str | None,
        typer.Option(
            metavar="ADMIN_ID",
            help="Print a one-time sign-in link for this admin (e.g. slack:U0123) and exit.",
        ),
    ] = None,
) -> int:
    """Serve the admin web dashboard at /admin (for deployments without Slack HTTP mode, whose
    port serves it already); sign in with a link from /mentoradmin dashboard or --link."""
    return run_async(_dashboard(config(), port=port, link=link))


async def _dashboard(cfg: Config, *, port: int, link: str | None) -> int:
    from adapters.dashboard.cli import print_signin_link, serve_dashboard
    from adapters.web import bind

    if link:
        from bot.privacy.people_cli import person_ref

        if isinstance(admin := person_ref(link), str):  # before the database: the real mistake
            raise fail(f"dashboard --link: {admin}", EXIT_USAGE)
        if port == 0 and not cfg.dashboard.public_url:
            # Nothing listens here: the link is to a dashboard served elsewhere, on its port.
            raise fail(
                "dashboard --link: --port 0 names no port to link to; give the port the "
                "dashboard listens on (or set [dashboard] public_url)",
                EXIT_USAGE,
            )
        # Never migrates (as `digest`): a database that is missing or behind is refused.
        app = await build_app(cfg, clock=SystemClock(), load_similar=False, migrate=False)
        try:
            return await print_signin_link(app, admin.key(), port=port)
        finally:
            await app.dispose()
    # A busy port stops start-up before the database is opened.
    sock = bind("0.0.0.0", port, setting="set --port")
    try:
        app = await build_app(cfg, clock=SystemClock(), load_similar=False, migrate=False)
    except BaseException:
        sock.close()
        raise
    try:
        bound = sock.getsockname()[1]  # --port 0: the port the system chose
        print(f"dashboard: http://localhost:{bound}/admin (sign in with a link)", file=sys.stderr)
        return await serve_dashboard(app, sock)
    finally:
        await app.dispose()


people_app = typer.Typer(
    cls=CliGroup, help="One person's data: export or erase.", no_args_is_help=True
)
cli_app.add_typer(people_app, name="people")


@people_app.command("export", cls=CliCommand)
def people_export_command(
    person: Annotated[str, typer.Argument(metavar="ID", help="Platform id, e.g. slack:U0123.")],
) -> int:
    """Write everything stored about one person as JSON to standard output."""
    return run_async(_people(config(), action="export", person=person, yes=True))


@people_app.command("delete", cls=CliCommand)
def people_delete_command(
    person: Annotated[str, typer.Argument(metavar="ID", help="Platform id, e.g. slack:U0123.")],
    yes: Annotated[bool, typer.Option("--yes", help="Do not ask for confirmation.")] = False,
) -> int:
    """Erase one person's name, question texts and comments (aggregates stay, attributed to
    nobody)."""
    return run_async(_people(config(), action="delete", person=person, yes=yes))


async def _people(cfg: Config, *, action: str, person: str, yes: bool) -> int:
    from bot.privacy.people_cli import delete_person, export_person, person_ref
    from storage.migrate import require_database

    problem = person_ref(person)
    if isinstance(problem, str):  # said before the database is opened (or migrated)
        raise fail(problem, EXIT_USAGE)
    if action == "delete" and not yes and not sys.stdin.isatty():
        raise fail(
            "people delete: no terminal to confirm on; add --yes to erase without asking",
            EXIT_USAGE,
        )
    require_database(cfg.database_url())  # a person is looked up, never a database created
    # Never migrates: a schema that is behind is refused (`micromentor db upgrade` first).
    app = await build_app(cfg, clock=SystemClock(), load_similar=False, migrate=False)
    try:
        if action == "export":
            return await export_person(app, person)

        def confirm(question: str) -> bool:
            return yes or input(f"{question} [y/N] ").strip().lower() in ("y", "yes")

        return await delete_person(app, person, confirm=confirm)
    finally:
        await app.dispose()


def slack_email_lookup(engine: Any) -> EmailLookup:
    """users.lookupByEmail for roster rows with an e-mail, with the token of the row's workspace
    (its installation's in the OAuth mode, else `SLACK_BOT_TOKEN`)."""
    from adapters.slack.users import workspace_email_lookup
    from storage.slack_installations import SlackInstallations

    installations = SlackInstallations(engine) if engine is not None else None

    async def token_of(team_id: str) -> str | None:
        if installations is None:
            return None
        inst = await installations.find(team_id)
        return inst.bot_token if inst is not None and inst.active else None

    return workspace_email_lookup(
        token_of,
        base_url=os.environ.get("SLACK_API_URL") or "https://slack.com/api/",
        token=os.environ.get("SLACK_BOT_TOKEN") or None,
    )
