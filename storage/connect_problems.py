"""Why a database could not be used, in one line in the operator's terms (never the password):
a configuration mistake to fix (exit 2) or a server that did not answer (exit 1)."""

from __future__ import annotations

import re
import socket

from sqlalchemy.engine import URL, make_url

from storage.engine import safe_url

__all__ = ["database_said", "describe_connect_error", "misconfigured", "unreachable"]


def unreachable(url: str, e: BaseException) -> str:
    """The line for a database that could not be used: a host name that does not resolve, a
    database or role the server says does not exist, a password it refused, a file that is not
    SQLite are each named with what to do; a server that did not answer (refused, timed out)
    gives the driver's reason and where it was looked for. Never the password."""
    parsed = make_url(url)
    if _caused_by(e, socket.gaierror):
        host = parsed.host or "localhost"
        return (
            f"database host {host} was not found (its name does not resolve); check the host "
            "in DATABASE_URL (or [bot] database_url) and this machine's DNS and network"
        )
    answered = misconfigured(parsed, e) or _refused(parsed, e)
    if answered:
        return answered
    said = f"database {safe_url(url)} does not answer: {describe_connect_error(e)}"
    if parsed.get_backend_name() != "postgresql":
        return said
    where = f"{parsed.host or 'localhost'}:{parsed.port or 5432}"
    return (
        f"{said}; is PostgreSQL running on {where}? start it, or fix the host/port in "
        "DATABASE_URL (or [bot] database_url)"
    )


# PostgreSQL's SQLSTATEs for the refusals a server gives a connection it did answer.
_NO_DATABASE = "3D000"  # invalid_catalog_name
_NO_ROLE = "28000"  # invalid_authorization_specification
_WRONG_PASSWORD = "28P01"  # invalid_password


def misconfigured(parsed: URL, e: BaseException) -> str | None:
    """What the server (or the SQLite file) answered that the URL names wrongly, in the
    operator's terms: a configuration mistake (exit 2), which waiting will not mend; None when
    it did not answer or refused for another reason (exit 1: it may work later)."""
    if parsed.get_backend_name() == "sqlite":
        reason = _reason(e)
        if "file is not a database" in reason:
            return (
                f"{parsed.database} is not a SQLite database (some other file is there); point "
                "DATABASE_URL (or [bot] database_url) at the bot's database file, or at a new one"
            )
        return None
    state = _sqlstate(e)
    host, port = parsed.host or "localhost", parsed.port or 5432
    where = f"{host}:{port}"
    if any("rejected SSL upgrade" in str(found) for found in _chain(e)):
        # asyncpg's words for sslmode=require (ssl=require) and a server without SSL.
        return (
            f"the PostgreSQL server at {where} does not offer SSL, which DATABASE_URL requires "
            "(sslmode=require); drop sslmode=require from DATABASE_URL (or [bot] database_url), "
            "or enable SSL on the server (ssl = on in postgresql.conf)"
        )
    # The names as the server saw them (a URL without them gets the driver's defaults).
    named = re.search(r'"([^"]*)"', _reason(e))
    as_user = f" -U {parsed.username}" if parsed.username else ""
    if state == _NO_DATABASE:
        name = named.group(1) if named else parsed.database
        return (
            f'database "{name}" does not exist on {where}; create it (createdb -h {host} -p '
            f"{port}{as_user} {name}) or fix the database name in DATABASE_URL (or [bot] "
            "database_url)"
        )
    if state == _NO_ROLE and "does not exist" in _reason(e):
        name = named.group(1) if named else parsed.username
        return (
            f'role "{name}" does not exist on {where}; create it (createuser -h {host} -p {port} '
            f"--pwprompt {name}, as a superuser) or fix the user in DATABASE_URL (or [bot] "
            "database_url)"
        )
    if state == _WRONG_PASSWORD:
        return (
            f'the password for role "{parsed.username}" was refused by {where}; check the password in '
            "DATABASE_URL (or [bot] database_url)"
        )
    return None


def _refused(parsed: URL, e: BaseException) -> str | None:
    """A server that answered and refused for another reason (too many connections, starting
    up): the driver's words; None when it did not answer at all."""
    if parsed.get_backend_name() == "sqlite" or _sqlstate(e) is None:
        return None
    return f"database {parsed.render_as_string(hide_password=True)} refused the connection: " + (
        describe_connect_error(e)
    )


def _sqlstate(e: BaseException) -> str | None:
    """The SQLSTATE a PostgreSQL server answered with, found along the exception's causes."""
    for found in _chain(e):
        state = getattr(found, "sqlstate", None)
        if isinstance(state, str) and state:
            return state
    return None


def _reason(e: BaseException) -> str:
    reason = str(getattr(e, "orig", None) or e).strip().splitlines()
    return reason[0] if reason else ""


def _chain(e: BaseException) -> list[BaseException]:
    seen: set[int] = set()
    chain: list[BaseException] = []
    found: BaseException | None = e
    while found is not None and id(found) not in seen:
        chain.append(found)
        seen.add(id(found))
        found = getattr(found, "orig", None) or found.__cause__ or found.__context__
    return chain


def _caused_by(e: BaseException, kind: type[BaseException]) -> bool:
    return any(isinstance(found, kind) for found in _chain(e))


def describe_connect_error(e: BaseException) -> str:
    """A driver's failure to connect as one line, without a password."""
    reason = str(getattr(e, "orig", None) or e).strip().splitlines()
    return f"{type(e).__name__}: {reason[0]}" if reason and reason[0] else type(e).__name__


def database_said(e: BaseException) -> str:
    """The database's own words for a failed statement, in one line (no driver class noise)."""
    reason = _reason(e)
    reason = re.sub(r"^<class '[\w.]+'>: ", "", reason)
    return reason or type(e).__name__
