"""Migrations: to head from nothing, idempotent, safe for replicas starting together."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, pool, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.domain import Question, QuestionState, Workspace
from bot.recognition.model import Kudos
from bot.refs import MessageRef, UserRef, WorkspaceRef
from storage.engine import create_engine
from storage.migrate import alembic_config, upgrade
from storage.tables import metadata
from storage.uow import make_uow_factory

HEAD = ScriptDirectory.from_config(alembic_config()).get_current_head()


def _downgrade_to(revision: str) -> Callable[[sa.Connection], None]:
    """What `run_sync` runs to take a database down to `revision` on its own connection."""

    def downgrade(connection: sa.Connection) -> None:
        config = alembic_config()
        config.attributes["connection"] = connection
        command.downgrade(config, revision)

    return downgrade


async def _schema(url: str) -> tuple[set[str], str | None]:
    engine = create_engine(url, poolclass=pool.NullPool)
    try:
        async with engine.connect() as connection:
            tables = set(await connection.run_sync(lambda c: inspect(c).get_table_names()))
            version = (
                await connection.execute(text("SELECT version_num FROM alembic_version"))
            ).scalar()
    finally:
        await engine.dispose()
    return tables, version


async def test_upgrading_a_migrated_database_again_changes_nothing(db_url: str) -> None:
    before = await _schema(db_url)
    await upgrade(db_url)
    await upgrade(db_url)
    assert await _schema(db_url) == before
    assert before == ({t.name for t in metadata.sorted_tables} | {"alembic_version"}, HEAD)


async def test_a_migrated_database_has_the_models_columns_and_indexes(db_url: str) -> None:
    """What the migrations build is what `storage.tables` declares (tests and tools that create
    tables from the models see the same schema as a deployed database)."""
    await upgrade(db_url)
    engine = create_engine(db_url, poolclass=pool.NullPool)

    def read(connection: sa.Connection) -> dict[str, tuple[set[str], set[str]]]:
        found = {}
        inspector = inspect(connection)
        for table in metadata.sorted_tables:
            columns = {c["name"] for c in inspector.get_columns(table.name)}
            indexes = {
                str(i["name"])
                for i in inspector.get_indexes(table.name)
                if not i.get("duplicates_constraint")  # PostgreSQL: a unique constraint's
            }
            found[table.name] = (columns, indexes)
        return found

    try:
        async with engine.connect() as connection:
            migrated = await connection.run_sync(read)
    finally:
        await engine.dispose()
    declared = {
        t.name: ({c.name for c in t.columns}, {str(i.name) for i in t.indexes})
        for t in metadata.sorted_tables
    }
    assert migrated == declared


async def test_two_sqlite_starts_at_once_both_end_at_head(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'fresh.db'}"
    await asyncio.gather(upgrade(url), upgrade(url))
    assert (await _schema(url))[1] == HEAD


@pytest.mark.postgres
async def test_two_postgres_replicas_starting_at_once_both_end_at_head(
    fresh_postgres_url: str,
) -> None:
    await asyncio.gather(*(upgrade(fresh_postgres_url) for _ in range(3)))
    assert (await _schema(fresh_postgres_url))[1] == HEAD


@pytest.mark.postgres
async def test_upgrade_logs_never_show_the_password(
    fresh_postgres_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    url = make_url(fresh_postgres_url).set(password="s3cret-pw")
    caplog.set_level(logging.DEBUG)
    await upgrade(url.render_as_string(hide_password=False))
    assert "s3cret-pw" not in caplog.text


async def test_database_errors_never_carry_the_users_text(db_engine: AsyncEngine) -> None:
    secret = "my anonymous question about my manager"
    with pytest.raises(sa.exc.DBAPIError) as failed:
        async with db_engine.connect() as conn:
            await conn.execute(
                sa.text("INSERT INTO no_such_table (text) VALUES (:text)"), {"text": secret}
            )
    assert secret not in str(failed.value)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def empty_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty database (no schema yet) of each kind."""
    if request.param == "sqlite":
        return f"sqlite+aiosqlite:///{tmp_path / 'old.db'}"
    url: str = request.getfixturevalue("fresh_postgres_url")
    return url


async def test_a_database_of_the_first_release_upgrades_in_place(empty_url: str) -> None:
    """Rows written at revision 0002 survive: questions keep their numbers (= their old ids, so
    cards already posted still point at them), processed Slack events still drop retries."""
    await upgrade(empty_url, "0002")
    engine = create_engine(empty_url, poolclass=pool.NullPool)
    when = "2026-11-20 10:00:00"
    try:
        async with engine.begin() as conn:
            await conn.execute(
                text(
                    "INSERT INTO workspace (key, mentoring_channel, admin_channel, timezone, "
                    "name) VALUES ('slack:T1', 'slack:C1', 'slack:C2', 'UTC', 'One')"
                )
            )
            for qid in (3, 7):
                await conn.execute(
                    text(
                        "INSERT INTO question (id, workspace, asker, text, created_at, "
                        "anonymous, topics, state, suggested, extensions, claims) VALUES "
                        f"({qid}, 'slack:T1', 'slack:U1', 'How do I ...?', '{when}', false, "
                        "'[]', 'open', '[]', 0, 0)"
                    )
                )
            await conn.execute(
                text(
                    "INSERT INTO feedback (question_id, rater, role, score, comment, created_at)"
                    f" VALUES (7, 'slack:U1', 'asker', 5, '', '{when}')"
                )
            )
            await conn.execute(
                text(f"INSERT INTO processed_event (key, at) VALUES ('slack:Ev1', '{when}')")
            )
    finally:
        await engine.dispose()
    await upgrade(empty_url)
    engine = create_engine(empty_url, poolclass=pool.NullPool)
    try:
        async with engine.connect() as conn:
            numbers = (await conn.execute(text("SELECT id, number FROM question"))).all()
            last = (await conn.execute(text("SELECT last_number FROM workspace"))).scalar()
            inbox = (await conn.execute(text("SELECT key, state FROM inbox"))).all()
            rated = (await conn.execute(text("SELECT question_id FROM feedback"))).scalar()
    finally:
        await engine.dispose()
    assert sorted(tuple(r) for r in numbers) == [(3, 3), (7, 7)]
    assert last == 7 and rated == 7
    assert [tuple(r) for r in inbox] == [("slack:Ev1", "done")]
    factory_engine = create_engine(empty_url)
    try:
        async with make_uow_factory(factory_engine)() as uow:
            q = await uow.questions.add(
                Question(
                    workspace=WorkspaceRef("slack", "T1"),
                    asker=UserRef("slack", "U1"),
                    text="How do I ...?",
                    created_at=datetime.now(UTC),
                )
            )
            await uow.commit()
    finally:
        await factory_engine.dispose()
    assert q.number == 8


async def test_mentor_profiles_survive_0011_and_one_person_may_then_mentor_in_two_workspaces(
    empty_url: str,
) -> None:
    """Profiles written when a person had one (revision 0010) keep every value; afterwards the
    same Discord user can have a second profile, in another server, beside the first."""
    await upgrade(empty_url, "0010")
    engine = create_engine(empty_url, poolclass=pool.NullPool)
    try:
        async with engine.begin() as conn:
            for user, guild, skills in (("1", "G1", "python"), ("2", "G1", "sql")):
                await conn.execute(
                    text(
                        'INSERT INTO mentor_profile ("user", workspace, skills, timezone, hours, '
                        "capacity_per_week, joined_at, active, about, stage, region) VALUES "
                        f"('discord:{user}', 'discord:{guild}', '[\"{skills}\"]', "
                        "'Europe/Berlin', 'Mon-Fri 10:00-16:00', 4, '2026-11-20 10:00:00', "
                        "true, 'Happy to help', 'senior', 'Europe')"
                    )
                )
    finally:
        await engine.dispose()
    await upgrade(empty_url)
    bob, carol = UserRef("discord", "1"), UserRef("discord", "2")
    g1, g2 = WorkspaceRef("discord", "G1"), WorkspaceRef("discord", "G2")
    engine = create_engine(empty_url)
    try:
        factory = make_uow_factory(engine)
        async with factory() as uow:
            before = await uow.mentors.in_workspace(g1)
            there = await uow.mentors.get(bob, g1)
            assert there is not None
            await uow.mentors.save(replace(there, workspace=g2, skills=("kubernetes",)))
            await uow.commit()
        async with factory(read_only=True) as uow:
            in_g1 = await uow.mentors.in_workspace(g1)
            in_g2 = await uow.mentors.in_workspace(g2)
            bobs = await uow.mentors.of_person(bob)
    finally:
        await engine.dispose()
    assert [(p.ref, p.skills) for p in before] == [(bob, ("python",)), (carol, ("sql",))]
    kept = before[0]
    assert (kept.timezone, str(kept.hours), kept.capacity_per_week) == (
        "Europe/Berlin",
        "Mon-Fri 10:00-16:00",
        4,
    )
    assert (kept.about, kept.stage, kept.region, kept.active) == (
        "Happy to help",
        "senior",
        "Europe",
        True,
    )
    assert kept.joined_at == datetime(2026, 11, 20, 10, tzinfo=UTC)
    assert in_g1 == before  # the second profile changed nothing of the first
    assert [(p.ref, p.skills) for p in in_g2] == [(bob, ("kubernetes",))]
    assert [(p.workspace, p.skills) for p in bobs] == [(g1, ("python",)), (g2, ("kubernetes",))]


async def test_pauses_survive_0012_as_pauses_everywhere_and_then_belong_to_one_workspace(
    empty_url: str,
) -> None:
    """A pause written when it applied to every workspace (revision 0011) keeps its times and
    reads back with no workspace; afterwards a pause is of one workspace, and a resume there
    ends it and the old one but not a pause in another workspace."""
    from bot.recognition.model import PausePeriod

    await upgrade(empty_url, "0011")
    engine = create_engine(empty_url, poolclass=pool.NullPool)
    try:
        async with engine.begin() as conn:
            await conn.execute(
                text(
                    'INSERT INTO mentor_pause ("user", start, "end") VALUES '
                    "('discord:1', '2026-11-20 10:00:00', '2036-11-20 10:00:00')"
                )
            )
    finally:
        await engine.dispose()
    await upgrade(empty_url)
    bob = UserRef("discord", "1")
    g1, g2 = WorkspaceRef("discord", "G1"), WorkspaceRef("discord", "G2")
    start = datetime(2026, 11, 20, 10, tzinfo=UTC)
    engine = create_engine(empty_url)
    try:
        factory = make_uow_factory(engine)
        async with factory(read_only=True) as uow:
            [old] = await uow.streaks.pauses(bob, since=start)
        later = datetime(2026, 12, 1, tzinfo=UTC)
        async with factory() as uow:
            await uow.streaks.add_pause(PausePeriod(bob, later, later.replace(year=2027), g2))
            await uow.streaks.add_pause(PausePeriod(bob, later, later.replace(year=2027), g1))
            await uow.streaks.end_pauses(bob, later.replace(day=5), workspace=g1)
            await uow.commit()
        async with factory(read_only=True) as uow:
            pauses = await uow.streaks.pauses(bob, since=start)
    finally:
        await engine.dispose()
    assert old == PausePeriod(bob, start, start.replace(year=2036), None)
    ended = later.replace(day=5)
    assert sorted(
        (p.workspace is not None, p.workspace and p.workspace.id, p.end) for p in pauses
    ) == [
        (False, None, ended),
        (True, "G1", ended),
        (True, "G2", later.replace(year=2027)),
    ]


async def test_nudges_survive_0014_and_a_pruned_nudges_id_is_not_handed_out_again(
    empty_url: str,
) -> None:
    await upgrade(empty_url, "0013")
    insert = text(
        "INSERT INTO nudge (kind, workspace, step, due_at, state, attempts, last_error, "
        "created_at) VALUES ('wrap_up', 'slack:T1', 0, '2026-11-20 10:00:00', :state, 0, '', "
        "'2026-11-20 09:00:00')"
    )
    engine = create_engine(empty_url, poolclass=pool.NullPool)
    try:
        async with engine.begin() as conn:
            for state in ("pending", "sent", "sent"):
                await conn.execute(insert, {"state": state})
    finally:
        await engine.dispose()
    await upgrade(empty_url)
    engine = create_engine(empty_url, poolclass=pool.NullPool)
    try:
        async with engine.begin() as conn:
            kept = (await conn.execute(text("SELECT id, state FROM nudge ORDER BY id"))).all()
            assert [tuple(r) for r in kept] == [(1, "pending"), (2, "sent"), (3, "sent")]
            await conn.execute(text("DELETE FROM nudge WHERE state = 'sent'"))  # the prune
            await conn.execute(insert, {"state": "pending"})
            ids = (await conn.execute(text("SELECT id FROM nudge ORDER BY id"))).scalars().all()
    finally:
        await engine.dispose()
    assert ids == [1, 4]


async def test_0015_credits_a_waiting_hand_over_to_whoever_asked_for_it(empty_url: str) -> None:
    """A hand-over waiting when 0015 runs is credited as the audit trail told it before: to the
    admin whose entry is the newest for the question since its claim and names the same mentor,
    else to the question's mentor; a question with no hand-over waiting has nobody."""
    await upgrade(empty_url, "0014")
    question = text(
        "INSERT INTO question (id, workspace, asker, text, created_at, anonymous, topics, "
        "state, suggested, extensions, claims, number, released_by, notified, mentor, "
        "claimed_at, handover_to) VALUES (:n, 'slack:T1', 'slack:U1', 'How do I ...?', "
        "'2026-11-20 09:00:00', false, '[]', 'claimed', '[]', 0, 1, :n, '[]', '[]', "
        "'slack:UM', '2026-11-20 10:00:00', :to)"
    )
    entry = (
        "INSERT INTO audit_event (workspace, actor, actor_name, action, subject, detail, at) "
        "VALUES ('slack:T1', :actor, '', 'handover', :subject, :detail, '{at}')"
    )
    engine = create_engine(empty_url, poolclass=pool.NullPool)
    try:
        async with engine.begin() as conn:
            for n, to in ((1, "slack:U3"), (2, "slack:U3"), (3, "slack:U3"), (4, None)):
                await conn.execute(question, {"n": n, "to": to})
            for actor, subject, detail, at in (
                ("slack:UA", "#1", "to slack:U3", "2026-11-20 10:05:00"),  # the admin's offer
                ("slack:UA", "#3", "to slack:U3", "2026-11-20 09:30:00"),  # before this claim
                ("slack:UA", "#2", "to slack:U4", "2026-11-20 10:05:00"),  # to someone else
            ):
                await conn.execute(
                    text(entry.format(at=at)),
                    {"actor": actor, "subject": subject, "detail": detail},
                )
    finally:
        await engine.dispose()
    await upgrade(empty_url)
    engine = create_engine(empty_url)
    try:
        async with make_uow_factory(engine)(read_only=True) as uow:
            asked = [await uow.questions.get(n) for n in (1, 2, 3, 4)]
    finally:
        await engine.dispose()
    by = [q.handover_by.key() if q and q.handover_by else None for q in asked]
    assert by == ["slack:UA", "slack:UM", "slack:UM", None]


async def test_0015_goes_back_keeping_the_hand_over_and_sqlites_autoincrement(
    empty_url: str,
) -> None:
    """Down to 0014 and up again: the waiting hand-over stays, and on SQLite the rebuilt
    question table still never hands an id out twice."""
    await upgrade(empty_url)
    engine = create_engine(empty_url, poolclass=pool.NullPool)
    try:
        async with engine.begin() as conn:
            await conn.execute(
                text(
                    "INSERT INTO question (id, workspace, asker, text, created_at, anonymous, "
                    "topics, state, suggested, extensions, claims, number, released_by, "
                    "notified, mentor, handover_to, handover_by) VALUES (1, 'slack:T1', "
                    "'slack:U1', 'How do I ...?', '2026-11-20 09:00:00', false, '[]', "
                    "'claimed', '[]', 0, 1, 1, '[]', '[]', 'slack:UM', 'slack:U3', 'slack:UA')"
                )
            )
        async with engine.begin() as conn:
            await conn.run_sync(_downgrade_to("0014"))
        async with engine.connect() as conn:
            columns = await conn.run_sync(
                lambda c: {col["name"] for col in inspect(c).get_columns("question")}
            )
            kept = (await conn.execute(text("SELECT handover_to FROM question"))).scalar()
            ddl = (
                (
                    await conn.execute(
                        text("SELECT sql FROM sqlite_master WHERE name = 'question'")
                    )
                ).scalar()
                if conn.dialect.name == "sqlite"
                else "AUTOINCREMENT"
            )
    finally:
        await engine.dispose()
    assert "handover_by" not in columns and kept == "slack:U3"
    assert "AUTOINCREMENT" in str(ddl)
    await upgrade(empty_url)
    _, version = await _schema(empty_url)
    assert version == HEAD


async def test_0016_keeps_installations_whose_tokens_do_not_expire_and_goes_back(
    empty_url: str,
) -> None:
    """An installation from before token rotation keeps its token and is read as one that never
    expires; down to 0015 the rotation columns go and the installation stays."""
    from storage.slack_installations import SlackInstallations

    await upgrade(empty_url, "0015")
    insert = text(
        "INSERT INTO slack_installation (team_id, team_name, bot_token, bot_scopes, "
        "installed_at, active) VALUES ('T1', 'Alpha', 'xoxb-1', 'chat:write', "
        "'2026-11-20 09:00:00', true)"
    )
    engine = create_engine(empty_url, poolclass=pool.NullPool)
    try:
        async with engine.begin() as conn:
            await conn.execute(insert)
        await upgrade(empty_url)
        found = await SlackInstallations(engine).find("T1")
        assert found is not None and found.active and found.bot_token == "xoxb-1"
        assert found.bot_refresh_token is None and found.bot_token_expires_at is None
        async with engine.begin() as conn:
            await conn.run_sync(_downgrade_to("0015"))
        async with engine.connect() as conn:
            columns = await conn.run_sync(
                lambda c: {col["name"] for col in inspect(c).get_columns("slack_installation")}
            )
            kept = (await conn.execute(text("SELECT bot_token FROM slack_installation"))).scalar()
    finally:
        await engine.dispose()
    assert "bot_refresh_token" not in columns and "bot_token_expires_at" not in columns
    assert kept == "xoxb-1"
    await upgrade(empty_url)
    _, version = await _schema(empty_url)
    assert version == HEAD


async def test_0017_indexes_not_my_area_by_question_and_goes_back(empty_url: str) -> None:
    """Re-ranking reads "Not my area" by question: 0017 adds that index, and going down to
    0016 takes only it away."""

    def indexes(c: sa.Connection) -> set[str]:
        return {str(ix["name"]) for ix in inspect(c).get_indexes("not_my_area")}

    await upgrade(empty_url, "0016")
    engine = create_engine(empty_url, poolclass=pool.NullPool)
    try:
        async with engine.connect() as conn:
            before = await conn.run_sync(indexes)
        await upgrade(empty_url)
        async with engine.connect() as conn:
            after = await conn.run_sync(indexes)
        async with engine.begin() as conn:
            await conn.run_sync(_downgrade_to("0016"))
        async with engine.connect() as conn:
            down = await conn.run_sync(indexes)
    finally:
        await engine.dispose()
    assert "ix_not_my_area_question_id" not in before
    assert after == before | {"ix_not_my_area_question_id"}
    assert down == before
    await upgrade(empty_url)
    _, version = await _schema(empty_url)
    assert version == HEAD


async def test_0018_keeps_an_admin_flag_only_where_it_names_one_workspace_and_goes_back(
    empty_url: str,
) -> None:
    """`person.is_admin` said "admin of the workspace of their latest command", which was not
    stored: 0018 keeps it as admin of that workspace only when the database serves exactly one
    workspace of the person's platform; among several it guesses none (they are recorded again
    when they next act). Going down to 0017, admin of any workspace is the flag again."""
    await upgrade(empty_url, "0017")
    engine = create_engine(empty_url, poolclass=pool.NullPool)
    workspaces = [
        ("slack:T1", "slack:C1", "slack:C2"),
        ("discord:1", "discord:11", "discord:12"),
        ("discord:2", "discord:21", "discord:22"),
    ]
    people = [
        ("slack:U1", "Sam", True),  # the only Slack workspace: its admin
        ("slack:U2", "Sue", False),
        ("discord:7", "Dee", True),  # two Discord servers: which one is not known
        ("console:admin", "admin", True),  # no console workspace: none
    ]
    try:
        async with engine.begin() as conn:
            for key, mentoring, admin in workspaces:
                await conn.execute(
                    text(
                        "INSERT INTO workspace (key, mentoring_channel, admin_channel, timezone, "
                        "name, last_number) VALUES (:k, :m, :a, 'UTC', '', 0)"
                    ),
                    {"k": key, "m": mentoring, "a": admin},
                )
            for key, name, admin in people:
                await conn.execute(
                    text("INSERT INTO person (key, name, is_admin) VALUES (:k, :n, :a)"),
                    {"k": key, "n": name, "a": admin},
                )
        await upgrade(empty_url, "0018")
        async with engine.connect() as conn:
            rows = set(
                (await conn.execute(text("SELECT person, workspace FROM workspace_admin"))).all()
            )
            columns = await conn.run_sync(
                lambda c: {col["name"] for col in inspect(c).get_columns("person")}
            )
            names = set((await conn.execute(text("SELECT key, name FROM person"))).all())
        assert rows == {("slack:U1", "slack:T1")}
        assert "is_admin" not in columns
        assert names == {(key, name) for key, name, _ in people}
        async with engine.begin() as conn:
            await conn.execute(
                text(
                    "INSERT INTO workspace_admin (person, workspace) VALUES ('discord:7', 'discord:2')"
                )
            )
            await conn.run_sync(_downgrade_to("0017"))
        async with engine.connect() as conn:
            flags = dict((await conn.execute(text("SELECT key, is_admin FROM person"))).all())
            tables = await conn.run_sync(lambda c: set(inspect(c).get_table_names()))
    finally:
        await engine.dispose()
    assert {k: bool(v) for k, v in flags.items()} == {
        "slack:U1": True,
        "slack:U2": False,
        "discord:7": True,
        "console:admin": False,
    }
    assert "workspace_admin" not in tables


async def test_0019_versions_existing_questions_from_0_and_goes_back(empty_url: str) -> None:
    """Questions asked before 0019 start at version 0 (and can be updated: an update of what
    was read at 0 writes 1); down to 0018 the column goes, the question and SQLite's
    AUTOINCREMENT stay."""
    await upgrade(empty_url, "0018")
    engine = create_engine(empty_url, poolclass=pool.NullPool)
    try:
        async with engine.begin() as conn:
            await conn.execute(
                text(
                    "INSERT INTO question (id, workspace, asker, text, created_at, anonymous, "
                    "topics, state, suggested, extensions, claims, number, released_by, "
                    "notified, mentor) VALUES (1, 'slack:T1', 'slack:U1', 'How do I ...?', "
                    "'2026-11-20 09:00:00', false, '[]', 'claimed', '[]', 0, 1, 1, '[]', '[]', "
                    "'slack:UM')"
                )
            )
        await upgrade(empty_url)
        async with make_uow_factory(engine)() as uow:
            q = await uow.questions.get(1)
            assert q is not None and q.version == 0
            extended = replace(q, extensions=1)
            assert await uow.questions.update(extended, expected_state=QuestionState.CLAIMED)
            await uow.commit()
        async with make_uow_factory(engine)(read_only=True) as uow:
            q = await uow.questions.get(1)
        assert q is not None and (q.version, q.extensions) == (1, 1)
        async with engine.begin() as conn:
            await conn.run_sync(_downgrade_to("0018"))
        async with engine.connect() as conn:
            columns = await conn.run_sync(
                lambda c: {col["name"] for col in inspect(c).get_columns("question")}
            )
            kept = (await conn.execute(text("SELECT extensions FROM question"))).scalar()
            ddl = (
                (
                    await conn.execute(
                        text("SELECT sql FROM sqlite_master WHERE name = 'question'")
                    )
                ).scalar()
                if conn.dialect.name == "sqlite"
                else "AUTOINCREMENT"
            )
    finally:
        await engine.dispose()
    assert "version" not in columns and kept == 1
    assert "AUTOINCREMENT" in str(ddl)
    await upgrade(empty_url)
    _, version = await _schema(empty_url)
    assert version == HEAD


async def test_0020_deletes_rating_points_of_sessions_that_did_not_resolve(
    empty_url: str,
) -> None:
    """Only a resolved session earns rating points: 0020 deletes the "good rating" points (given
    and taken back alike) of expired and cancelled questions, so every reader of the ledger
    (leaderboards, the digest, the daily cap, exports) agrees; the rest of the ledger stays."""
    await upgrade(empty_url, "0019")
    engine = create_engine(empty_url, poolclass=pool.NullPool)
    questions = {1: "resolved", 2: "expired", 3: "cancelled"}
    ledger = [
        (1, "good rating", 2),
        (1, "resolve", 5),
        (2, "good rating", 2),
        (2, "good rating", -2),  # a corrected rating: given, then taken back
        (2, "good rating", 2),
        (3, "good rating", 2),
        (None, "kudos", 1),
    ]
    try:
        async with engine.begin() as conn:
            for qid, state in questions.items():
                await conn.execute(
                    text(
                        "INSERT INTO question (id, workspace, asker, text, created_at, anonymous, "
                        "topics, state, suggested, extensions, claims, number, released_by, "
                        "notified, mentor, version) VALUES (:id, 'slack:T1', 'slack:U1', 'How?', "
                        "'2026-11-20 09:00:00', false, '[]', :state, '[]', 0, 1, :id, '[]', "
                        "'[]', 'slack:UM', 0)"
                    ),
                    {"id": qid, "state": state},
                )
            for qid, reason, points in ledger:
                await conn.execute(
                    text(
                        'INSERT INTO points_ledger (workspace, "user", points, reason, at, '
                        "question_id) VALUES ('slack:T1', 'slack:UM', :p, :r, "
                        "'2026-11-20 10:00:00', :q)"
                    ),
                    {"p": points, "r": reason, "q": qid},
                )
        await upgrade(empty_url)
        async with engine.connect() as conn:
            rows = await conn.execute(text("SELECT question_id, reason, points FROM points_ledger"))
            kept = sorted((tuple(row) for row in rows), key=repr)
    finally:
        await engine.dispose()
    assert kept == sorted([(1, "good rating", 2), (1, "resolve", 5), (None, "kudos", 1)], key=repr)


async def test_0021_numbers_lightning_sessions_per_workspace_and_goes_back(
    empty_url: str,
) -> None:
    """Sessions stored before 0021 are numbered 1, 2, 3 … in each workspace in id order, each
    workspace's counter continues from its highest (a third workspace without sessions at 0),
    and the next session of a workspace takes the next number there; down to 0020 the number
    and the counter go, the sessions and SQLite's AUTOINCREMENT stay."""
    await upgrade(empty_url, "0020")
    engine = create_engine(empty_url, poolclass=pool.NullPool)
    a, b = "slack:TA", "slack:TB"
    try:
        async with engine.begin() as conn:
            for key in (a, b, "slack:TC"):
                await conn.execute(
                    text(
                        "INSERT INTO workspace (key, mentoring_channel, admin_channel, timezone, "
                        "name, last_number) VALUES (:k, 'C1', 'C2', 'UTC', '', 0)"
                    ),
                    {"k": key},
                )
            # ids (given in order) interleave the workspaces: A 1, B 2, A 3, B 4, B 5
            for ws in (a, b, a, b, b):
                await conn.execute(
                    text(
                        "INSERT INTO lightning (workspace, topic, state, minutes, title, "
                        "question_ids, invited, declined, created_at) VALUES (:ws, "
                        "'pandas', 'proposed', 15, '', '[]', '[]', '[]', '2026-11-20 09:00:00')"
                    ),
                    {"ws": ws},
                )
        await upgrade(empty_url)
        async with engine.connect() as conn:
            numbers = {
                tuple(r)
                for r in await conn.execute(text("SELECT id, workspace, number FROM lightning"))
            }
            counters = dict(
                tuple(r)  # type: ignore[misc]
                for r in await conn.execute(
                    text("SELECT key, last_lightning_number FROM workspace")
                )
            )
        assert numbers == {(1, a, 1), (3, a, 2), (2, b, 1), (4, b, 2), (5, b, 3)}
        assert counters == {a: 2, b: 3, "slack:TC": 0}
        async with make_uow_factory(engine)() as uow:
            from bot.lightning.model import Lightning

            added = await uow.lightning.add(
                Lightning(WorkspaceRef("slack", "TA"), "sql", datetime(2026, 11, 21, tzinfo=UTC))
            )
            await uow.commit()
        assert added is not None and (added.stored_id, added.number) == (6, 3)
        async with engine.begin() as conn:
            await conn.run_sync(_downgrade_to("0020"))
        async with engine.connect() as conn:
            columns = await conn.run_sync(
                lambda c: {col["name"] for col in inspect(c).get_columns("lightning")}
            )
            ws_columns = await conn.run_sync(
                lambda c: {col["name"] for col in inspect(c).get_columns("workspace")}
            )
            kept = (await conn.execute(text("SELECT COUNT(*) FROM lightning"))).scalar()
            ddl = (
                (
                    await conn.execute(
                        text("SELECT sql FROM sqlite_master WHERE name = 'lightning'")
                    )
                ).scalar()
                if conn.dialect.name == "sqlite"
                else "AUTOINCREMENT"
            )
    finally:
        await engine.dispose()
    assert "number" not in columns and "last_lightning_number" not in ws_columns
    assert kept == 6 and "AUTOINCREMENT" in str(ddl)
    await upgrade(empty_url)
    _, version = await _schema(empty_url)
    assert version == HEAD


async def test_0022_stores_unusable_channels_for_every_replica_and_goes_back(
    empty_url: str,
) -> None:
    """0022 adds `unusable_channel` (empty: nothing was stored before, the workspaces stay): a
    channel marked unusable is read by any unit of work, marked again later it takes the newer
    reason, cleared it is no longer read; down to 0021 the table goes and the workspaces stay."""
    from bot.refs import ChannelRef

    await upgrade(empty_url, "0021")
    engine = create_engine(empty_url, poolclass=pool.NullPool)
    ws = WorkspaceRef("slack", "TA")
    archived_at = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
    try:
        async with engine.begin() as conn:
            await conn.execute(
                text(
                    "INSERT INTO workspace (key, mentoring_channel, admin_channel, timezone, "
                    "name, last_number, last_lightning_number) "
                    "VALUES ('slack:TA', 'slack:C1', 'slack:C2', 'UTC', '', 0, 0)"
                )
            )
        await upgrade(empty_url)
        uows = make_uow_factory(engine)
        async with uows() as uow:
            assert await uow.workspaces.unusable_channels(ws) == {}
            await uow.workspaces.mark_unusable(
                ws, ChannelRef("slack", "C1"), "archived", archived_at
            )
            await uow.workspaces.mark_unusable(
                ws, ChannelRef("slack", "C2"), "not_found", archived_at
            )
            await uow.workspaces.mark_unusable(
                ws, ChannelRef("slack", "C2"), "deleted", archived_at + timedelta(minutes=1)
            )
            await uow.commit()
        async with uows(read_only=True) as uow:
            marked = await uow.workspaces.unusable_channels(ws)
            elsewhere = await uow.workspaces.unusable_channels(WorkspaceRef("slack", "TB"))
        assert marked == {
            ChannelRef("slack", "C1"): "archived",
            ChannelRef("slack", "C2"): "deleted",
        }
        assert elsewhere == {}
        async with uows() as uow:
            back_at = archived_at + timedelta(hours=1)
            assert await uow.workspaces.mark_usable(ws, ChannelRef("slack", "C1"), back_at)
            await uow.commit()
        async with uows(read_only=True) as uow:
            left = await uow.workspaces.unusable_channels(ws)
        assert left == {ChannelRef("slack", "C2"): "deleted"}
        async with engine.begin() as conn:
            await conn.run_sync(_downgrade_to("0021"))
        async with engine.connect() as conn:
            tables = set(await conn.run_sync(lambda c: inspect(c).get_table_names()))
            kept = (await conn.execute(text("SELECT COUNT(*) FROM workspace"))).scalar()
    finally:
        await engine.dispose()
    assert "unusable_channel" not in tables and kept == 1
    await upgrade(empty_url)
    _, version = await _schema(empty_url)
    assert version == HEAD


async def test_0023_records_a_workspace_the_app_was_removed_from_and_goes_back(
    empty_url: str,
) -> None:
    """0023 adds `workspace.removed_at` (every existing workspace present): marked once, the
    first time stays; registering it again (a save) clears it; down to 0022 the column goes and
    the workspace stays."""
    from bot.refs import ChannelRef

    await upgrade(empty_url, "0022")
    engine = create_engine(empty_url, poolclass=pool.NullPool)
    ws = WorkspaceRef("slack", "TA")
    gone_at = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
    try:
        async with engine.begin() as conn:
            await conn.execute(
                text(
                    "INSERT INTO workspace (key, mentoring_channel, admin_channel, timezone, "
                    "name, last_number, last_lightning_number) "
                    "VALUES ('slack:TA', 'slack:C1', 'slack:C2', 'Europe/Berlin', 'Acme', 4, 2)"
                )
            )
        await upgrade(empty_url)
        uows = make_uow_factory(engine)
        async with uows() as uow:
            before = await uow.workspaces.get(ws)
            assert await uow.workspaces.mark_removed(ws, gone_at)
            assert not await uow.workspaces.mark_removed(ws, gone_at + timedelta(days=1))
            assert not await uow.workspaces.mark_removed(WorkspaceRef("slack", "TB"), gone_at)
            await uow.commit()
        assert before is not None and before.removed_at is None
        async with uows(read_only=True) as uow:
            removed = await uow.workspaces.get(ws)
        assert removed is not None and removed.removed_at == gone_at
        assert removed.timezone == "Europe/Berlin" and removed.name == "Acme"
        async with uows() as uow:  # installed again: registered anew
            await uow.workspaces.save(
                Workspace(ws, ChannelRef("slack", "C1"), ChannelRef("slack", "C2"), name="Acme")
            )
            await uow.commit()
        async with uows(read_only=True) as uow:
            back = await uow.workspaces.get(ws)
        assert back is not None and back.removed_at is None
        async with engine.begin() as conn:
            await conn.run_sync(_downgrade_to("0022"))
        async with engine.connect() as conn:
            columns = await conn.run_sync(
                lambda c: {col["name"] for col in inspect(c).get_columns("workspace")}
            )
            numbers = (
                await conn.execute(text("SELECT last_number, last_lightning_number FROM workspace"))
            ).one()
    finally:
        await engine.dispose()
    assert "removed_at" not in columns and tuple(numbers) == (4, 2)
    await upgrade(empty_url)
    _, version = await _schema(empty_url)
    assert version == HEAD


async def test_0024_keeps_a_usable_again_channel_so_older_news_is_left_out_and_goes_back(
    empty_url: str,
) -> None:
    """0024 lets `unusable_channel.why` be NULL (usable since `since`): a channel stored
    unusable before stays so, as of when it was stored (older news is left out); one usable
    again keeps its row, read as usable; down to 0023 those rows go, the unusable ones stay,
    and `why` is required again."""
    from bot.refs import ChannelRef

    await upgrade(empty_url, "0023")
    engine = create_engine(empty_url, poolclass=pool.NullPool)
    ws = WorkspaceRef("slack", "TA")
    c1, c2 = ChannelRef("slack", "C1"), ChannelRef("slack", "C2")
    stored_at = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
    try:
        async with engine.begin() as conn:
            # As 0022 to 0023 stored them (the table's types bind the times the same way).
            await conn.execute(
                sa.insert(metadata.tables["unusable_channel"]),
                [
                    {"workspace": "slack:TA", "channel": c.key(), "why": why, "since": stored_at}
                    for c, why in ((c1, "archived"), (c2, "not_found"))
                ],
            )
        await upgrade(empty_url)
        uows = make_uow_factory(engine)
        async with uows() as uow:
            assert not await uow.workspaces.mark_usable(ws, c1, stored_at - timedelta(minutes=1))
            assert await uow.workspaces.mark_usable(ws, c2, stored_at + timedelta(minutes=1))
            await uow.commit()
        async with uows(read_only=True) as uow:
            marked = await uow.workspaces.unusable_channels(ws)
        assert marked == {c1: "archived"}
        async with engine.connect() as conn:
            rows = (await conn.execute(text("SELECT COUNT(*) FROM unusable_channel"))).scalar()
        assert rows == 2
        async with engine.begin() as conn:
            await conn.run_sync(_downgrade_to("0023"))
        async with engine.connect() as conn:
            kept = (await conn.execute(text("SELECT channel, why FROM unusable_channel"))).all()
            why = await conn.run_sync(
                lambda c: next(
                    col
                    for col in inspect(c).get_columns("unusable_channel")
                    if col["name"] == "why"
                )
            )
    finally:
        await engine.dispose()
    assert [tuple(row) for row in kept] == [("slack:C1", "archived")]
    assert why["nullable"] is False
    await upgrade(empty_url)
    _, version = await _schema(empty_url)
    assert version == HEAD


async def test_0025_leaves_older_questions_coverage_unrecorded_and_goes_back(
    empty_url: str,
) -> None:
    """0025 adds `question.mentor_at_work`: questions already stored read None (judged by the
    mentors as they are now), a new one keeps what was recorded; down to 0024 the column goes
    and the questions stay."""
    await upgrade(empty_url, "0024")
    engine = create_engine(empty_url, poolclass=pool.NullPool)
    ws = WorkspaceRef("slack", "T1")
    try:
        async with engine.begin() as conn:
            await conn.execute(
                text(
                    "INSERT INTO question (workspace, asker, text, created_at, anonymous, "
                    "topics, state, suggested, extensions, claims, number, released_by, "
                    "notified) VALUES ('slack:T1', 'slack:U1', 'How do I ...?', "
                    "'2026-11-20 09:00:00', false, '[]', 'open', '[]', 0, 0, 1, '[]', '[]')"
                )
            )
        await upgrade(empty_url)
        uows = make_uow_factory(engine)
        async with uows() as uow:
            older = await uow.questions.get_by_number(ws, 1)
            await uow.questions.add(
                Question(
                    workspace=ws,
                    asker=UserRef("slack", "U2"),
                    text="How do I rebase?",
                    created_at=datetime(2026, 12, 1, 9, 0, tzinfo=UTC),
                    mentor_at_work=False,
                )
            )
            await uow.commit()
        async with uows(read_only=True) as uow:
            newer = await uow.questions.get_by_number(ws, 2)
        assert older is not None and older.mentor_at_work is None
        assert newer is not None and newer.mentor_at_work is False
        async with engine.begin() as conn:
            await conn.run_sync(_downgrade_to("0024"))
        async with engine.connect() as conn:
            columns = await conn.run_sync(
                lambda c: {col["name"] for col in inspect(c).get_columns("question")}
            )
            count = (await conn.execute(text("SELECT COUNT(*) FROM question"))).scalar()
    finally:
        await engine.dispose()
    assert "mentor_at_work" not in columns and count == 2
    await upgrade(empty_url)
    _, version = await _schema(empty_url)
    assert version == HEAD


async def test_0026_reads_an_older_resolve_as_pressed_when_resolved_and_goes_back(
    empty_url: str,
) -> None:
    """0026 adds `question.resolve_pressed_at`: a question resolved before takes its
    `resolved_at` (one still open, none); a new resolve keeps its own press; down to 0025 the
    column goes and the questions stay."""
    await upgrade(empty_url, "0025")
    engine = create_engine(empty_url, poolclass=pool.NullPool)
    ws = WorkspaceRef("slack", "T1")
    try:
        async with engine.begin() as conn:
            for number, state, resolved in (
                (1, "resolved", "'2026-11-20 09:40:00'"),
                (2, "open", "NULL"),
            ):
                await conn.execute(
                    text(
                        "INSERT INTO question (workspace, asker, text, created_at, anonymous, "
                        "topics, state, suggested, extensions, claims, number, released_by, "
                        f"notified, resolved_at) VALUES ('slack:T1', 'slack:U1', 'How do I ...?', "
                        f"'2026-11-20 09:00:00', false, '[]', '{state}', '[]', 0, 0, {number}, "
                        f"'[]', '[]', {resolved})"
                    )
                )
        await upgrade(empty_url)
        uows = make_uow_factory(engine)
        pressed = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)
        async with uows() as uow:
            resolved = await uow.questions.get_by_number(ws, 1)
            still_open = await uow.questions.get_by_number(ws, 2)
            await uow.questions.add(
                Question(
                    workspace=ws,
                    asker=UserRef("slack", "U2"),
                    text="How do I rebase?",
                    created_at=datetime(2026, 12, 1, 9, 0, tzinfo=UTC),
                    state=QuestionState.RESOLVED,
                    resolved_at=datetime(2026, 12, 1, 9, 30, tzinfo=UTC),
                    resolve_pressed_at=pressed,
                )
            )
            await uow.commit()
        async with uows(read_only=True) as uow:
            newer = await uow.questions.get_by_number(ws, 3)
        assert resolved is not None and still_open is not None and newer is not None
        assert (
            resolved.resolve_pressed_at
            == resolved.resolved_at
            == datetime(2026, 11, 20, 9, 40, tzinfo=UTC)
        )
        assert still_open.resolve_pressed_at is None
        assert newer.resolve_pressed_at == pressed
        async with engine.begin() as conn:
            await conn.run_sync(_downgrade_to("0025"))
        async with engine.connect() as conn:
            columns = await conn.run_sync(
                lambda c: {col["name"] for col in inspect(c).get_columns("question")}
            )
            count = (await conn.execute(text("SELECT COUNT(*) FROM question"))).scalar()
    finally:
        await engine.dispose()
    assert "resolve_pressed_at" not in columns and count == 3
    await upgrade(empty_url)
    _, version = await _schema(empty_url)
    assert version == HEAD


async def test_0027_keeps_older_kudos_without_a_post_ref_and_goes_back(empty_url: str) -> None:
    """0027 adds `kudos.card` (where a public kudos was posted, redrawn when someone is
    forgotten): kudos given before read no ref (none was kept), a new one records its own; down
    to 0026 the column goes and the kudos stay."""
    await upgrade(empty_url, "0026")
    engine = create_engine(empty_url, poolclass=pool.NullPool)
    ws = WorkspaceRef("slack", "T1")
    try:
        async with engine.begin() as conn:
            await conn.execute(
                text(
                    "INSERT INTO kudos (workspace, giver, receiver, text, private, at) VALUES "
                    "('slack:T1', 'slack:U1', 'slack:U2', 'for the groupby tricks', false, "
                    "'2026-11-20 09:00:00')"
                )
            )
        await upgrade(empty_url)
        uows = make_uow_factory(engine)
        posted = MessageRef("slack", "C1:1700000000.000100")
        async with uows() as uow:
            older = await uow.kudos.get(1)
            newer = await uow.kudos.add(
                Kudos(
                    ws,
                    UserRef("slack", "U2"),
                    UserRef("slack", "U1"),
                    "for the SQL tip",
                    datetime(2026, 12, 1, 9, 0, tzinfo=UTC),
                )
            )
            await uow.kudos.set_card(newer, posted)
            await uow.commit()
        async with uows(read_only=True) as uow:
            stored = await uow.kudos.get(newer)
        assert older is not None and older.card is None and older.text == "for the groupby tricks"
        assert stored is not None and stored.card == posted and newer == 2
        async with engine.begin() as conn:
            await conn.run_sync(_downgrade_to("0026"))
        async with engine.connect() as conn:
            columns = await conn.run_sync(
                lambda c: {col["name"] for col in inspect(c).get_columns("kudos")}
            )
            count = (await conn.execute(text("SELECT COUNT(*) FROM kudos"))).scalar()
    finally:
        await engine.dispose()
    assert "card" not in columns and count == 2
    await upgrade(empty_url)
    _, version = await _schema(empty_url)
    assert version == HEAD
