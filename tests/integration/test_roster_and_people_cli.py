"""The roster CSV by e-mail or id, `paused` both ways, all rows or none, audited; and the
operator's `micromentor people export|delete` and `dashboard --link`."""

from __future__ import annotations

import asyncio
import io
import json
import os
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.clock import ManualClock
from bot.commands import RegisterWorkspace
from bot.config import Config
from bot.main import build_app
from bot.mentors.roster_csv import export_roster, import_roster
from bot.refs import ChannelRef, UserRef, WorkspaceRef
from tests.unit.fake_chat import FakeChat

WS = WorkspaceRef("slack", "T1")
T0 = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
HEADER = "workspace,user,email,name,skills,paused\n"
DIRECTORY = {"bob@example.com": (UserRef("slack", "U0BOB"), "Bob B")}


async def by_email(workspace: WorkspaceRef, email: str) -> tuple[UserRef, str] | None:
    return DIRECTORY.get(email)


async def _app(url: str):  # type: ignore[no-untyped-def]
    app = await build_app(
        Config(),
        clock=ManualClock(T0),
        gateways={"slack": FakeChat(platform="slack")},
        database_url=url,
    )
    await app.bus.handle(
        RegisterWorkspace(WS, ChannelRef("slack", "C1"), ChannelRef("slack", "C2"))
    )
    return app


OTHER = WorkspaceRef("slack", "T2")


async def _app_in_two_workspaces(url: str):  # type: ignore[no-untyped-def]
    """`_app` with a second Slack workspace, `OTHER`, registered too."""
    app = await _app(url)
    await app.bus.handle(
        RegisterWorkspace(OTHER, ChannelRef("slack", "C3"), ChannelRef("slack", "C4"))
    )
    return app


async def test_rows_by_email_and_by_id_import_with_paused_and_are_audited(
    sqlite_url: str, tmp_path: Path
) -> None:
    app = await _app(sqlite_url)
    try:
        csv = tmp_path / "roster.csv"
        csv.write_text(
            HEADER
            + "slack:T1,,bob@example.com,,python,yes\n"
            + "slack:T1,slack:U0CAROL,,Carol,sql,no\n"
        )
        said: list[str] = []
        code = await import_roster(
            app.bus, app.uow_factory, csv, out=said.append, by_email=by_email, progress=True
        )
        assert code == 0, said
        async with app.uow_factory() as uow:
            bob = await uow.mentors.get(UserRef("slack", "U0BOB"), WS)
            carol = await uow.mentors.get(UserRef("slack", "U0CAROL"), WS)
            person = await uow.people.get(UserRef("slack", "U0BOB"))
            [entry] = await uow.audit.recent([WS], limit=5)
        assert bob is not None and bob.is_paused(T0) and bob.skills == ("python",)
        assert person is not None and person.name == "Bob B"
        assert carol is not None and not carol.is_paused(T0)
        assert entry.action == "roster import" and entry.detail == "2 mentor(s) from roster.csv"
        out = io.StringIO()
        assert await export_roster(app.uow_factory, out=out, now=T0) == 0
        rows = out.getvalue().splitlines()
        assert rows[0].endswith(",paused")
        paused = {r.split(",")[1]: r.rsplit(",", 1)[1] for r in rows[1:]}
        assert paused == {"slack:U0BOB": "yes", "slack:U0CAROL": "no"}
    finally:
        await app.dispose()


async def test_an_unknown_email_imports_nothing(sqlite_url: str, tmp_path: Path) -> None:
    app = await _app(sqlite_url)
    try:
        csv = tmp_path / "roster.csv"
        csv.write_text(
            HEADER
            + "slack:T1,slack:U0CAROL,,Carol,sql,no\n"
            + "slack:T1,,nobody@example.com,,python,\n"
        )
        said: list[str] = []
        code = await import_roster(
            app.bus, app.uow_factory, csv, out=said.append, by_email=by_email
        )
        assert code == 2
        assert "roster.csv:3: `nobody@example.com`: nobody has that address" in "\n".join(said)
        async with app.uow_factory() as uow:
            assert await uow.mentors.get(UserRef("slack", "U0CAROL"), WS) is None
            assert await uow.audit.recent([WS], limit=5) == []
    finally:
        await app.dispose()


async def test_a_user_of_another_platform_or_not_shaped_as_its_ids_imports_nothing(
    sqlite_url: str, tmp_path: Path
) -> None:
    """Each wrong `user` is named with its line; the good row is not imported either."""
    app = await _app(sqlite_url)
    try:
        csv = tmp_path / "roster.csv"
        csv.write_text(
            HEADER
            + "slack:T1,slack:U0CAROL,,Carol,sql,no\n"  # line 2: fine
            + "slack:T1,discord:123456789012345678,,Dan,go,\n"
            + "slack:T1,slack:alice,,Alice,go,\n"
            + "slack:T1,slack:u0lower,,Lower,go,\n"
            + "slack:T1,SLACK:U0UPPER,,Upper,go,\n"
            + "slack:T1,slack:,,Nobody,go,\n"
        )
        said: list[str] = []
        code = await import_roster(app.bus, app.uow_factory, csv, out=said.append)
        text = "\n".join(said)
        assert code == 2, text
        assert "roster.csv:2:" not in text
        assert "roster.csv:3: `user` discord:123456789012345678 is not a slack user" in text
        for line, user in [(4, "slack:alice"), (5, "slack:u0lower"), (7, "slack:")]:
            assert f"roster.csv:{line}: `user` {user} is not a Slack member id" in text, text
        assert "roster.csv:6: `user` SLACK:U0UPPER is not a slack user" in text
        async with app.uow_factory() as uow:
            assert await uow.mentors.get(UserRef("slack", "U0CAROL"), WS) is None
        local = WorkspaceRef("console", "local")
        await app.bus.handle(
            RegisterWorkspace(local, ChannelRef("console", "m"), ChannelRef("console", "a"))
        )
        csv.write_text(
            HEADER
            + "console:local,slack:U999,,Sam,go,\n"
            + "console:local,CONSOLE:gus,,Gus,go,\n"
            + "console:local,console:gus,,Gus,go,\n"
        )
        said.clear()
        assert await import_roster(app.bus, app.uow_factory, csv, out=said.append) == 2
        text = "\n".join(said)
        assert "roster.csv:2: `user` slack:U999 is not a console user" in text, text
        assert "roster.csv:3: `user` CONSOLE:gus is not a console user" in text, text
        assert "roster.csv:4:" not in text, text
    finally:
        await app.dispose()


@pytest.mark.parametrize(
    ("user", "good"),
    [
        ("discord:123456789012345678", True),
        ("discord:1234", True),  # a snowflake of the early days, or a test server's
        ("discord:0123", False),
        ("discord:12345678901234567x", False),
        ("discord:dee", False),
        ("slack:U0123ABCD", False),
    ],
)
async def test_a_discord_user_is_a_snowflake(
    sqlite_url: str, tmp_path: Path, user: str, good: bool
) -> None:
    app = await _app(sqlite_url)
    try:
        guild = WorkspaceRef("discord", "987654321098765432")
        await app.bus.handle(
            RegisterWorkspace(guild, ChannelRef("discord", "1"), ChannelRef("discord", "2"))
        )
        csv = tmp_path / "roster.csv"
        csv.write_text(HEADER + f"discord:987654321098765432,{user},,Dee,go,\n")
        said: list[str] = []
        code = await import_roster(app.bus, app.uow_factory, csv, out=said.append)
        assert (code == 0) is good, said
    finally:
        await app.dispose()


@pytest.fixture
def cli_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'mm.db'}")
    monkeypatch.setenv("MICROMENTOR_LOG_LEVEL", "WARNING")
    monkeypatch.delenv("MICROMENTOR_CONFIG", raising=False)
    (tmp_path / "bot.toml").write_text('[bot]\nadmins = ["console:admin"]\n')
    (tmp_path / "s.txt").write_text(
        "as alice\n/askmentor How do I group a pandas DataFrame by two columns?\nas admin\n"
    )
    return tmp_path


def test_people_export_writes_json_and_delete_asks_first(
    cli_env: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from bot.cli import main

    assert main(["console", "--script", "s.txt"]) == 0
    capsys.readouterr()
    assert main(["people", "export", "console:alice"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["user"] == "console:alice"
    assert data["questions_asked"][0]["text"].startswith("How do I group")
    # No terminal to ask on (a script, a container): refused before anything is opened.
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    assert main(["people", "delete", "console:alice"]) == 2
    assert "add --yes" in capsys.readouterr().err
    monkeypatch.setattr(sys.stdin, "isatty", lambda: True)  # a person at a terminal
    monkeypatch.setattr("builtins.input", lambda _: "n")
    assert main(["people", "delete", "console:alice"]) == 1
    assert "Nothing was changed" in capsys.readouterr().out
    assert main(["people", "delete", "console:alice", "--yes"]) == 0
    assert "is forgotten" in capsys.readouterr().out
    assert main(["people", "export", "console:alice"]) == 1
    assert "nothing is stored" in capsys.readouterr().err


def test_dashboard_link_is_printed_for_an_admin_only(
    cli_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from bot.cli import main

    assert main(["console", "--script", "s.txt"]) == 0
    capsys.readouterr()
    assert main(["dashboard", "--link", "console:admin", "--port", "3999"]) == 0
    printed = capsys.readouterr().out
    assert printed.startswith("http://localhost:3999/admin/signin?token=")
    assert main(["dashboard", "--link", "console:alice"]) == 2
    out, err = capsys.readouterr()
    assert out == ""  # a refusal goes to standard error, as the CLI's other ones do
    assert "micromentor: console:alice is not an admin" in err


def test_a_dashboard_link_to_port_0_is_refused_unless_a_public_url_is_set(
    cli_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Port 0 means "any free port" when serving; a printed link to localhost:0 leads nowhere."""
    from bot.cli import main

    assert main(["console", "--script", "s.txt"]) == 0
    capsys.readouterr()
    assert main(["dashboard", "--link", "console:admin", "--port", "0"]) == 2
    out, err = capsys.readouterr()
    assert "localhost:0" not in out
    assert "--port 0 names no port to link to" in err
    (cli_env / "bot.toml").write_text(
        '[bot]\nadmins = ["console:admin"]\n[dashboard]\npublic_url = "https://mm.example.com"\n'
    )
    assert main(["dashboard", "--link", "console:admin", "--port", "0"]) == 0
    assert capsys.readouterr().out.startswith("https://mm.example.com/admin/signin?token=")


async def test_the_operators_export_and_delete_cover_every_workspace(sqlite_url: str) -> None:
    """An admin's export and forget stay in their workspace; the operator's reach them all."""
    from bot.commands import Actor, AskQuestion, RegisterMentor
    from bot.privacy.people_cli import delete_person, export_person

    bob = UserRef("slack", "U0BOB")
    app = await _app_in_two_workspaces(sqlite_url)
    try:
        await app.bus.handle(RegisterMentor(Actor(bob, "bob", WS), ("pandas",)))
        await app.bus.handle(
            AskQuestion(Actor(bob, "bob", OTHER), "How do I roll back a kubernetes deployment?")
        )
        said: list[str] = []
        assert await export_person(app, bob.key(), out=said.append) == 0
        data = json.loads(said[-1])
        assert "workspace" not in data
        assert [p["workspace"] for p in data["mentor_profile"]] == [WS.key()]
        assert [q["workspace"] for q in data["questions_asked"]] == [OTHER.key()]
        assert await delete_person(app, bob.key(), confirm=lambda _: True, out=said.append) == 0
        assert "is forgotten" in said[-1]
        async with app.uow_factory(read_only=True) as uow:
            assert not (await uow.privacy.person_data(bob)).found()
            assert await uow.mentors.of_person(bob) == []
    finally:
        await app.dispose()


async def test_the_operators_export_is_audited_where_the_person_has_records_only(
    sqlite_url: str,
) -> None:
    """An admin of a workspace the person has nothing in must not learn from its audit trail
    that the operator exported them (nor whom): the export is recorded in the person's
    workspaces, each of them."""
    from bot.commands import Actor, RegisterMentor
    from bot.privacy.people_cli import export_person

    zed = UserRef("slack", "U0ZED")
    app = await _app_in_two_workspaces(sqlite_url)
    try:
        await app.bus.handle(RegisterMentor(Actor(zed, "Zed Secret", OTHER), ("kubernetes",)))
        assert await export_person(app, zed.key(), out=lambda _: None) == 0
        async with app.uow_factory(read_only=True) as uow:
            here = await uow.audit.recent([WS], limit=10, action="export")
            there = await uow.audit.recent([OTHER], limit=10, action="export")
        assert here == []
        assert [(e.subject, e.actor_name) for e in there] == [(zed.key(), "operator (CLI)")]
    finally:
        await app.dispose()


async def test_the_operators_delete_is_audited_in_each_workspace_of_the_person(
    sqlite_url: str,
) -> None:
    """Like export, `people delete` is recorded in every workspace that held the person's
    records (computed before they are erased), not only in the first of them."""
    from bot.commands import Actor, AskQuestion, RegisterMentor
    from bot.privacy.people_cli import delete_person

    bob = UserRef("slack", "U0BOB")
    app = await _app_in_two_workspaces(sqlite_url)
    try:
        await app.bus.handle(RegisterMentor(Actor(bob, "bob", WS), ("pandas",)))
        await app.bus.handle(
            AskQuestion(Actor(bob, "bob", OTHER), "How do I roll back a kubernetes deployment?")
        )
        assert await delete_person(app, bob.key(), confirm=lambda _: True, out=lambda _: None) == 0
        async with app.uow_factory(read_only=True) as uow:
            for ws in (WS, OTHER):
                entries = await uow.audit.recent([ws], limit=10, action="forget")
                assert [e.actor_name for e in entries] == ["operator (CLI)"], ws
                assert entries[0].subject.startswith("slack:forgotten-"), entries
    finally:
        await app.dispose()


async def test_the_operators_delete_is_not_audited_where_the_person_only_asked_anonymously(
    sqlite_url: str,
) -> None:
    """A workspace whose admins never could see the person (one anonymous question) is not told
    that a member was erased then: that would point at the hidden asker."""
    from bot.commands import Actor, AskQuestion, RegisterMentor
    from bot.privacy.people_cli import delete_person

    bob = UserRef("slack", "U0BOB")
    app = await _app_in_two_workspaces(sqlite_url)
    try:
        await app.bus.handle(RegisterMentor(Actor(bob, "bob", WS), ("pandas",)))
        await app.bus.handle(
            AskQuestion(
                Actor(bob, "bob", OTHER),
                "How do I roll back a kubernetes deployment?",
                anonymous=True,
            )
        )
        assert await delete_person(app, bob.key(), confirm=lambda _: True, out=lambda _: None) == 0
        async with app.uow_factory(read_only=True) as uow:
            here = await uow.audit.recent([WS], limit=10, action="forget")
            there = await uow.audit.recent([OTHER], limit=10, action="forget")
        assert [e.actor_name for e in here] == ["operator (CLI)"]
        assert there == []
    finally:
        await app.dispose()


async def test_the_operators_export_and_delete_of_an_anonymous_asker_tell_no_workspace(
    sqlite_url: str,
) -> None:
    """Someone whose only trace is an anonymous question: neither the operator's export nor
    their erasure appears in that workspace's audit trail (its admins would learn that a hidden
    member was looked at, or erased); both are recorded in the operator's own place."""
    from bot.commands import Actor, AskQuestion
    from bot.privacy.people_cli import delete_person, export_person

    dave = UserRef("slack", "U0DAVE")
    app = await _app_in_two_workspaces(sqlite_url)
    try:
        await app.bus.handle(
            AskQuestion(
                Actor(dave, "dave", OTHER),
                "How do I roll back a kubernetes deployment?",
                anonymous=True,
            )
        )
        assert await export_person(app, dave.key(), out=lambda _: None) == 0
        assert await delete_person(app, dave.key(), confirm=lambda _: True, out=lambda _: None) == 0
        async with app.uow_factory(read_only=True) as uow:
            there = await uow.audit.recent([WS, OTHER], limit=10)
            own = await uow.audit.recent([WorkspaceRef("slack", "cli")], limit=10)
        assert there == []
        assert sorted(e.action for e in own) == ["export", "forget"]
    finally:
        await app.dispose()


async def test_the_operators_delete_cancels_their_talks_and_questions_in_every_workspace(
    sqlite_url: str,
) -> None:
    """`people delete` forgets everywhere: the person's coming lightning talks and open
    questions end in each workspace, not only in the one the operator's action is recorded in."""
    from datetime import timedelta

    from bot.commands import Actor, AskQuestion
    from bot.domain import QuestionState
    from bot.lightning.commands import ProposeLightning
    from bot.lightning.model import LightningState
    from bot.privacy.people_cli import delete_person

    bob = UserRef("slack", "U0BOB")
    app = await _app_in_two_workspaces(sqlite_url)
    try:
        for ws in (WS, OTHER):
            await app.bus.handle(
                ProposeLightning(
                    Actor(bob, "bob", ws), "pandas", T0 + timedelta(days=3), "Pandas in 10"
                )
            )
            await app.bus.handle(
                AskQuestion(Actor(bob, "bob", ws), "How do I roll back a kubernetes deployment?")
            )
        async with app.uow_factory(read_only=True) as uow:
            talks = [s for ws in (WS, OTHER) for s in await uow.lightning.upcoming(ws, T0)]
            asked = await uow.questions.open_for(bob)
        assert sorted(s.workspace.key() for s in talks) == sorted([WS.key(), OTHER.key()])
        assert sorted(q.workspace.key() for q in asked) == sorted([WS.key(), OTHER.key()])
        said: list[str] = []
        assert await delete_person(app, bob.key(), confirm=lambda _: True, out=said.append) == 0
        assert "is forgotten" in said[-1]
        async with app.uow_factory(read_only=True) as uow:
            for s in talks:
                assert s.id is not None
                now = await uow.lightning.get(s.id)
                assert now is not None and now.state is LightningState.CANCELLED, (
                    s.workspace,
                    now,
                )
            for q in asked:
                now_q = await uow.questions.get(q.pk)
                assert now_q is not None and now_q.state is QuestionState.CANCELLED, (
                    q.workspace,
                    now_q,
                )
    finally:
        await app.dispose()


@pytest.mark.parametrize("port", ["99999", "-1", "65536"])
def test_a_dashboard_port_out_of_range_is_a_usage_error_not_a_traceback(
    cli_env: Path, capsys: pytest.CaptureFixture[str], port: str
) -> None:
    from bot.cli import main

    assert main(["dashboard", f"--port={port}"]) == 2
    err = capsys.readouterr().err
    assert "Invalid value for '--port'" in err, err
    assert "Traceback" not in err and "OverflowError" not in err


async def test_email_rows_are_looked_up_with_their_own_workspaces_token(
    sqlite_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Installed in two workspaces (OAuth: no SLACK_BOT_TOKEN), every e-mail row was refused
    as "look-up by e-mail needs Slack"; with a SLACK_BOT_TOKEN, T2's rows were looked up in the
    token's workspace. Each row is looked up with its own workspace's installation token."""
    from bot.cli import _slack_email_lookup as slack_email_lookup
    from storage.slack_installations import SlackInstallation, SlackInstallations
    from tests.adapters.slack.fake_slack import FakeSlack

    fake = FakeSlack()
    for team, token in (("T1", "xoxb-one"), ("T2", "xoxb-two")):
        fake.add_workspace(team, team, token=token, installer="U0ADMIN", code=team)
    fake.add_user("U0BOB", "bob", email="bob@example.com", team_id="T1")
    fake.add_user("U0ANN", "ann", email="ann@example.com", team_id="T2")
    await fake.start()
    monkeypatch.delenv("SLACK_BOT_TOKEN", raising=False)
    monkeypatch.setenv("SLACK_API_URL", fake.api_url)
    app = await _app_in_two_workspaces(sqlite_url)
    try:
        installations = SlackInstallations(app.engine)
        await installations.save(SlackInstallation("T1", bot_token="xoxb-one"))
        await installations.save(SlackInstallation("T2", bot_token="xoxb-two"))
        csv = tmp_path / "roster.csv"
        csv.write_text(
            HEADER + "slack:T1,,bob@example.com,,python,no\nslack:T2,,ann@example.com,,sql,no\n"
        )
        said: list[str] = []
        lookup = slack_email_lookup(app.engine)
        code = await import_roster(app.bus, app.uow_factory, csv, out=said.append, by_email=lookup)
        assert code == 0, said
        async with app.uow_factory() as uow:
            assert await uow.mentors.get(UserRef("slack", "U0BOB"), WS) is not None
            assert await uow.mentors.get(UserRef("slack", "U0ANN"), OTHER) is not None
        tokens = {c.params["email"]: fake.token_of(c) for c in fake.to("users.lookupByEmail")}
        assert tokens == {"bob@example.com": "xoxb-one", "ann@example.com": "xoxb-two"}
        said.clear()
        await installations.deactivate("T2")  # uninstalled there since
        csv.write_text(HEADER + "slack:T2,,ann@example.com,,go,no\n")
        lookup = slack_email_lookup(app.engine)
        assert await import_roster(app.bus, app.uow_factory, csv, out=said.append, by_email=lookup)
        assert "needs the app installed in slack:T2" in "\n".join(said), said
        # A bot token of another workspace in the environment is not used for T2's rows.
        said.clear()
        monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-one")
        lookup = slack_email_lookup(app.engine)
        assert await import_roster(app.bus, app.uow_factory, csv, out=said.append, by_email=lookup)
        assert "(SLACK_BOT_TOKEN is another workspace's)" in "\n".join(said), said
        assert [fake.token_of(c) for c in fake.to("users.lookupByEmail")] == [
            "xoxb-one",
            "xoxb-two",
        ]
    finally:
        await app.dispose()
        await fake.stop()


async def test_importing_an_admin_as_a_mentor_keeps_them_admin(
    sqlite_url: str, tmp_path: Path
) -> None:
    """A roster row carries no reading of the admin role: importing the workspace's admin as a
    mentor recorded them as no admin, and signed them out of the dashboard."""
    app = await _app(sqlite_url)
    try:
        admin = UserRef("slack", "U0ADMIN")
        async with app.uow_factory() as uow:
            await uow.people.set_admin(admin, WS, True)
            await uow.commit()
        csv = tmp_path / "roster.csv"
        csv.write_text(HEADER + "slack:T1,slack:U0ADMIN,,Ada,python,no\n")
        said: list[str] = []
        assert await import_roster(app.bus, app.uow_factory, csv, out=said.append) == 0, said
        async with app.uow_factory() as uow:
            assert await uow.mentors.get(admin, WS) is not None
            assert WS in await uow.people.admin_of(admin)
    finally:
        await app.dispose()


@pytest.mark.parametrize(
    ("given", "said"),
    [
        ("U0123ABCD", "'U0123ABCD' has no platform; did you mean slack:U0123ABCD?"),
        ("123456789012345678", "did you mean discord:123456789012345678?"),
        ("alice", "Copy member ID"),
        ("teams:U1", "it starts with one of slack:, discord:, console:"),
        ("slack:<@U0123ABCD>", "is a mention; did you mean slack:U0123ABCD?"),
        ("discord:<@!123456789012345678>", "did you mean discord:123456789012345678?"),
        ("slack:u0123abcd", "did you mean slack:U0123ABCD?"),
        ("discord:abc", "Copy User ID"),
    ],
)
def test_a_dashboard_link_for_an_id_in_the_wrong_form_says_what_was_meant(
    cli_env: Path, capsys: pytest.CaptureFixture[str], given: str, said: str
) -> None:
    """The same checks and hints as `people export` (a bare Slack id, a Discord snowflake),
    on stderr and before the database (there is none here)."""
    from bot.cli import main

    assert main(["dashboard", "--link", given, "--port", "3999"]) == 2
    assert said in capsys.readouterr().err


def test_a_dashboard_link_takes_the_platform_in_any_case(
    cli_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from bot.cli import main

    assert main(["console", "--script", "s.txt"]) == 0
    capsys.readouterr()
    assert main(["dashboard", "--link", "Console:admin", "--port", "3999"]) == 0
    assert capsys.readouterr().out.startswith("http://localhost:3999/admin/signin?token=")


def test_the_console_refuses_a_database_that_serves_slack_or_discord(
    cli_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`DATABASE_URL` left set to production's: the console's made-up people would join the real
    workspaces' figures (and its workspace get a weekly digest there). One line, exit 2, and
    no console workspace, person or question added."""
    from bot.cli import main

    async def serve_slack() -> None:
        app = await build_app(
            Config(),
            clock=ManualClock(datetime(2026, 11, 23, tzinfo=UTC)),
            database_url=os.environ["DATABASE_URL"],
        )
        try:
            await app.bus.handle(
                RegisterWorkspace(WS, ChannelRef("slack", "C1"), ChannelRef("slack", "C2"))
            )
        finally:
            await app.dispose()

    asyncio.run(serve_slack())
    assert main(["console", "--script", "s.txt"]) == 2
    err = capsys.readouterr().err
    assert "the console won't run on this database: it serves Slack workspaces" in err
    assert "Unset DATABASE_URL to play on console.db" in err

    async def stored() -> tuple[list[str], int]:
        app = await build_app(
            Config(),
            clock=ManualClock(datetime(2026, 11, 23, tzinfo=UTC)),
            database_url=os.environ["DATABASE_URL"],
        )
        try:
            async with app.uow_factory(read_only=True) as uow:
                spaces = [ws.ref.key() for ws in await uow.workspaces.all()]
                asked = len(await uow.questions.created_between(WS, None, None))
            return spaces, asked
        finally:
            await app.dispose()

    assert asyncio.run(stored()) == (["slack:T1"], 0)
