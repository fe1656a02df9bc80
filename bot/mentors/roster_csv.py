"""The mentor roster as CSV: `micromentor mentors import FILE.csv` and `mentors export`.

A row names its mentor by platform id (`user`, e.g. ``slack:U0123``) or by `email` (looked up
on the platform: Slack's users.lookupByEmail); `paused` (yes/no) goes both ways. An import
applies every row or none, with a progress bar, and is recorded in the audit trail."""

from __future__ import annotations

import csv
import re
import sys
from collections.abc import Awaitable, Callable
from datetime import datetime
from pathlib import Path
from typing import TextIO

from rich.progress import Progress

from bot.commands import MAX_CAPACITY_PER_WEEK, Actor, Command, PauseMentor, RegisterMentor
from bot.hours import HoursError, WeeklyHours, check_timezone
from bot.mentors.career import MAX_REGION, parse_stage, stage_problem
from bot.mentors.skills import renamed_skills
from bot.messagebus import MessageBus
from bot.ports import UnitOfWorkFactory
from bot.privacy.commands import AuditRosterImport
from bot.refs import UserRef, WorkspaceRef
from bot.textcommands import split_skills

__all__ = ["COLUMNS", "EmailLookup", "export_roster", "import_roster", "safe_cell"]

# (workspace, e-mail) → (the user, their name), or None when nobody has that address.
# Who has an e-mail address in a workspace: (their id, name), None for nobody, or what to say
# instead when it can't be looked up there.
EmailLookup = Callable[[WorkspaceRef, str], Awaitable[tuple[UserRef, str] | str | None]]

COLUMNS = [
    "workspace",
    "user",
    "name",
    "skills",
    "timezone",
    "hours",
    "capacity_per_week",
    "about",
    "stage",
    "region",
    "paused",
]


def _row_problems(row: dict[str, str]) -> list[str]:
    problems = []
    if _EXTRA in row:
        problems.append(f'{row[_EXTRA]}: quote a cell that holds the separator, e.g. "python, go"')
    for key in ("workspace", "skills"):
        if not (row.get(key) or "").strip():
            problems.append(f"`{key}` is empty")
    user, email = (row.get("user") or "").strip(), (row.get("email") or "").strip()
    if not user and not email:
        problems.append("give the mentor's `user` id or their `email`")
    if user and not (row.get("name") or "").strip():
        problems.append("`name` is empty")
    if email and "@" not in email:
        problems.append(f"`{email}` is not an e-mail address")
    workspace = (row.get("workspace") or "").strip()
    if (user and ":" not in user) or ":" not in workspace:
        problems.append("`user` and `workspace` are keys like `slack:U123` and `slack:T123`")
    elif user:
        problems += _user_problems(user, workspace.partition(":")[0])
    paused = (row.get("paused") or "").strip().lower()
    if paused not in _YES + _NO:
        problems.append(f"`paused` is yes or no, not `{paused}`")
    if row.get("hours"):
        try:
            WeeklyHours.parse(row["hours"])
        except HoursError as e:
            problems.append(f"`hours`: {e}")
    if row.get("timezone"):
        try:
            check_timezone(row["timezone"])
        except HoursError as e:
            problems.append(f"`timezone`: {e}")
    cap = (row.get("capacity_per_week") or "").strip()
    if cap and (not cap.isdigit() or not 1 <= int(cap) <= MAX_CAPACITY_PER_WEEK):
        problems.append(f"`capacity_per_week` is a whole number from 1 to {MAX_CAPACITY_PER_WEEK}")
    stage = (row.get("stage") or "").strip()
    if stage and parse_stage(stage) is None:
        problems.append(stage_problem(stage))
    if len((row.get("region") or "").strip()) > MAX_REGION:
        problems.append(f"`region` is at most {MAX_REGION} characters")
    return problems


# What a user id looks like on each platform (any other platform: anything not empty).
_USER_IDS = {
    "slack": (re.compile(r"[UW][A-Z0-9]+"), "a Slack member id like `slack:U0123ABCD`"),
    "discord": (
        re.compile(r"[1-9]\d{0,19}"),
        "a Discord user id like `discord:123456789012345678`",
    ),
}


def _user_problems(user: str, platform: str) -> list[str]:
    """A `user` of the workspace's platform, written as that platform's ids are (by id, never
    a name: `slack:alice` would register a mentor nobody can be)."""
    own, _, uid = user.partition(":")
    if own != platform:
        why = "write it in lower case" if own.lower() == platform else "the `workspace` is"
        return [f"`user` {user} is not a {platform} user ({why} `{platform}:…`)"]
    shape = _USER_IDS.get(platform)
    if not uid.strip() or (shape is not None and not shape[0].fullmatch(uid)):
        expected = shape[1] if shape is not None else f"an id like `{platform}:alice`"
        return [f"`user` {user} is not {expected}"]
    return []


_DELIMITERS = (",", ";", "\t")


def _column(name: str) -> str:
    """A header cell as a column name: `Capacity per week` and ` USER ` read as the columns
    `capacity_per_week` and `user` (spreadsheets capitalise, people type spaces)."""
    column = "_".join(name.strip().lower().replace("-", " ").split())
    return _ALIASES.get(column, column)


_ALIASES = {
    "time_zone": "timezone",
    "tz": "timezone",
    "e_mail": "email",
    "capacity": "capacity_per_week",
}


def _read_rows(file: Path) -> str | tuple[list[str], list[tuple[int, dict[str, str]]]]:
    """The rows of `file`, each with the line it starts on, and the unknown columns (ignored);
    or what is wrong with the header. What spreadsheets write is read as meant: a byte-order
    mark, CRLF line ends, `;` (European Excel) or tab separators, header names in any case and
    order, and blank rows (`,,,,`) at the end or in between, which are skipped."""
    # utf-8-sig: spreadsheet programs often start a CSV with a byte-order mark.
    with file.open(newline="", encoding="utf-8-sig") as fh:
        first = fh.readline()
        # The header's separator is the file's: a header cell never holds `,`, `;` or a tab.
        delimiter = max(_DELIMITERS, key=first.count)
        fh.seek(0)
        # strict: a quote that is never closed is an error at the end of the file, not a last
        # cell that swallowed every row after it.
        reader = csv.reader(fh, delimiter=delimiter, strict=True)
        try:
            header = next(reader, [])
        except csv.Error as e:
            return _unparsable(file, 1, e)
        names = [_column(h) for h in header]
        doubled = sorted({n for n in names if n and names.count(n) > 1})
        if doubled:
            return f"{file}: column(s) {', '.join(doubled)} appear more than once in the header"
        columns = set(names)
        missing = {"workspace", "skills"} - columns
        if not columns & {"user", "email"}:
            missing |= {"user"}
        if "user" in columns and "name" not in columns:
            missing |= {"name"}  # else every row would fail with "`name` is empty"
        if missing:
            return (
                f"{file}: missing column(s) {', '.join(sorted(missing))}; "
                f"expected {', '.join(COLUMNS)} (`email` may stand for `user`)"
            )
        ignored = [h.strip() for h, n in zip(header, names, strict=True) if n and n not in _KNOWN]
        rows: list[tuple[int, dict[str, str]]] = []
        line = reader.line_num + 1
        while True:
            start = line
            try:
                cells = next(reader)
            except StopIteration:
                break
            except csv.Error as e:
                return _unparsable(file, start, e)
            line = reader.line_num + 1
            if not any(c.strip() for c in cells):
                continue
            row = {n: _unquoted(c) for n, c in zip(names, cells, strict=False) if n}
            if len(cells) > len(names):
                # Not a problem of the row's own: _row_problems says it with the others.
                row[_EXTRA] = f"{len(cells)} cells under a header of {len(names)} columns"
            rows.append((start, row))
    return ignored, rows


def _unparsable(file: Path, line: int, e: csv.Error) -> str:
    """What is wrong at `line`, the line the row that could not be read starts on."""
    if "unexpected end of data" in str(e):
        return (
            f"{file}:{line}: a quote opened here is never closed; nothing was imported "
            '(close it, e.g. "python, go")'
        )
    return f"{file}:{line}: not readable as CSV ({e}); nothing was imported"


_KNOWN = {*COLUMNS, "email"}
_EXTRA = "\0extra"  # never a column name


def _duplicates(rows: list[tuple[int, dict[str, str]]]) -> list[tuple[int, str]]:
    """A mentor named on two rows (by id, or by e-mail) of the same workspace: which rows."""
    first: dict[tuple[str, str], int] = {}
    problems = []
    for line, row in rows:
        workspace = (row.get("workspace") or "").strip()
        for column in ("user", "email"):
            who = (row.get(column) or "").strip()
            if not who:
                continue
            key = (workspace, f"{column}:{who.lower() if column == 'email' else who}")
            if key in first:
                problems.append(
                    (
                        line,
                        f"`{column}` {who} is already on line {first[key]}; keep one row per "
                        "mentor",
                    )
                )
            else:
                first[key] = line
    return problems


_YES = ("yes", "true", "1", "y")
_NO = ("", "no", "false", "0", "n")


async def import_roster(
    bus: MessageBus,
    uow_factory: UnitOfWorkFactory,
    file: Path,
    *,
    out: Callable[[str], None],
    err: Callable[[str], None] | None = None,
    by_email: EmailLookup | None = None,
    progress: bool = False,
) -> int:
    """Check every row first; import nothing if any row is wrong (all or nothing). The result
    goes to `out`, problems to `err` (default: `out` too). `by_email` finds the mentors of rows
    that give an e-mail; `progress` shows a bar (on stderr)."""
    ok, out = out, err or out
    try:
        read = _read_rows(file)
    except (UnicodeDecodeError, csv.Error) as unreadable:
        out(f"Nothing was imported: {file} is not a UTF-8 CSV file ({unreadable}).")
        return 2
    if isinstance(read, str):
        out(read)
        return 2
    ignored, numbered = read
    if ignored:
        out(f"{file}: ignoring unknown column(s) {', '.join(ignored)}; known: {', '.join(COLUMNS)}")
    rows = [row for _, row in numbered]
    lines = [line for line, _ in numbered]
    async with uow_factory() as uow:
        known = {ws.ref.key() for ws in await uow.workspaces.all()}
    # Every problem of every row at once, in line order: one pass fixes the file.
    wrong = [(line, p) for line, row in numbered for p in _row_problems(row)]
    wrong += _duplicates(numbered)
    for line, row in numbered:
        workspace = (row.get("workspace") or "").strip()
        if ":" in workspace and workspace not in known:
            wrong.append((line, f"unknown workspace `{workspace}`: start the bot there first"))
    if wrong:
        out("Nothing was imported. Fix these rows and run it again:")
        for line, p in sorted(wrong, key=lambda lp: lp[0]):
            out(f"  {file}:{line}: {p}")
        return 2
    commands: list[Command] = []
    line_of: list[int] = []  # the file line each command comes from
    not_found: list[str] = []
    with Progress(transient=True, disable=not progress) as bar:
        task = bar.add_task("Reading the roster", total=len(rows))
        actors = []
        for i, row in enumerate(rows):
            actors.append(await _actor(row, by_email, file=file, line=lines[i], problems=not_found))
            bar.advance(task)
    if not_found:
        out("Nothing was imported. Fix these rows and run it again:")
        for p in not_found:
            out(f"  {p}")
        return 2
    for i, (row, found) in enumerate(zip(rows, actors, strict=True)):
        assert found is not None
        actor = found
        cap = (row.get("capacity_per_week") or "").strip()
        commands.append(
            RegisterMentor(
                actor,
                split_skills(row["skills"]),
                hours=(row.get("hours") or "").strip() or None,
                timezone=(row.get("timezone") or "").strip() or None,
                capacity_per_week=int(cap) if cap else None,
                about=(row.get("about") or "").strip(),
                stage=(row.get("stage") or "").strip() or None,
                region=(row.get("region") or "").strip() or None,
            )
        )
        line_of.append(lines[i])
        if (row.get("paused") or "").strip().lower() in _YES:
            commands.append(PauseMentor(actor))
            line_of.append(lines[i])
    for ws in sorted({a.workspace for a in actors if a is not None}, key=lambda w: w.key()):
        count = sum(1 for a in actors if a is not None and a.workspace == ws)
        commands.append(AuditRosterImport(ws, count, file.name))
        line_of.append(0)
    # One transaction: the bot's own checks refuse a row (say, skills it can't use), and then
    # no row is kept, and every refusal is reported.
    refused = await bus.handle_together(commands)
    problems = [
        f"{file}:{line}: {r.plain()}" for line, r in zip(line_of, refused, strict=True) if r
    ]
    if problems:
        out("Nothing was imported. Fix these rows and run it again:")
        for p in problems:
            out(f"  {p}")
        return 2
    ok(f"Imported {len(rows)} mentor(s).")
    # As `/mentor join` says it: a typed skill the taxonomy lists under another name.
    for row, line in zip(rows, lines, strict=True):
        for typed, listed in renamed_skills(bus.services.taxonomy, split_skills(row["skills"])):
            ok(f"  {file}:{line}: “{typed}” is listed as “{listed}”")
    return 0


async def _actor(
    row: dict[str, str],
    by_email: EmailLookup | None,
    *,
    file: Path,
    line: int,
    problems: list[str],
) -> Actor | None:
    """The mentor a row names: by id, or by e-mail on the platform."""
    workspace = WorkspaceRef.from_key(row["workspace"].strip())
    user = (row.get("user") or "").strip()
    if user:
        return Actor(UserRef.from_key(user), row["name"].strip(), workspace)
    email = (row.get("email") or "").strip()
    found = await by_email(workspace, email) if by_email is not None else None
    if found is None or isinstance(found, str):
        why = found or ("nobody has that address" if by_email else "look-up by e-mail needs Slack")
        problems.append(f"{file}:{line}: `{email}`: {why}")
        return None
    return Actor(found[0], (row.get("name") or "").strip() or found[1], workspace)


# A cell a spreadsheet would run as a formula (CSV injection): shown as text instead.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _unquoted(cell: str | None) -> str:
    """Inverse of :func:`safe_cell`, so an exported roster imports as it was."""
    cell = cell or ""
    return cell[1:] if cell.startswith("'") and cell[1:].startswith(_FORMULA_START) else cell


def safe_cell(value: object) -> str:
    """`value` as a CSV cell that opens as plain text in a spreadsheet."""
    cell = str(value)
    return "'" + cell if cell.startswith(_FORMULA_START) else cell


async def export_roster(
    uow_factory: UnitOfWorkFactory,
    *,
    out: TextIO,
    workspace: str | None = None,
    now: datetime | None = None,
) -> int:
    """Every mentor as a CSV row (of one workspace, given as `micromentor digest --workspace`
    takes it: its key, id or name); names and skills people typed can't run as spreadsheet
    formulas."""
    from bot.digest.report import _not_found as workspace_not_found  # digest's words

    async with uow_factory() as uow:
        workspaces = await uow.workspaces.all()
    if workspace is not None:
        chosen = [ws for ws in workspaces if workspace in (ws.ref.key(), ws.ref.id, ws.name)]
        if not chosen:  # a usage error, said as digest says it
            problem = workspace_not_found(workspace, workspaces)
            print(f"micromentor: mentors export: {problem}", file=sys.stderr)
            return 2
        workspaces = chosen
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    async with uow_factory() as uow:
        for ws in workspaces:
            profiles = await uow.mentors.in_workspace(ws.ref)
            people = await uow.people.get_many([p.ref for p in profiles])
            for p in profiles:
                name = people[p.ref].name if p.ref in people else p.ref.id
                writer.writerow(
                    safe_cell(cell)
                    for cell in [
                        ws.ref.key(),
                        p.ref.key(),
                        name,
                        ", ".join(p.skills),
                        p.timezone,
                        str(p.hours),
                        p.capacity_per_week,
                        p.about,
                        p.stage or "",
                        p.region,
                        "yes" if _paused(p.paused_until, now) else "no",
                    ]
                )
    return 0


def _paused(until: datetime | None, now: datetime | None) -> bool:
    """Paused at `now` (without a time: any pause on record)."""
    return until is not None and (now is None or until > now)
