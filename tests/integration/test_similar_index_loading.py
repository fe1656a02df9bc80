"""The similar-question index is filled from the database: at start-up, or in the background."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.clock import ManualClock
from bot.config import Config
from bot.domain import Question, QuestionState, Workspace
from bot.main import build_app, load_similar_index
from bot.refs import ChannelRef, UserRef, WorkspaceRef

WS = WorkspaceRef("console", "local")
T0 = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)


async def _seed(url: str, n: int) -> None:
    app = await build_app(Config(), clock=ManualClock(T0), database_url=url, load_similar=False)
    try:
        async with app.uow_factory() as uow:
            await uow.workspaces.save(
                Workspace(WS, ChannelRef("console", "m"), ChannelRef("console", "a"))
            )
            for i in range(n):
                await uow.questions.add(
                    Question(
                        workspace=WS,
                        asker=UserRef("console", "alice"),
                        text=f"How do I merge pandas frames number {i}?",
                        created_at=T0,
                        topics=("pandas",),
                        state=QuestionState.RESOLVED,
                    )
                )
            await uow.commit()
    finally:
        await app.dispose()


async def test_start_up_indexes_every_resolved_question(sqlite_url: str) -> None:
    await _seed(sqlite_url, 7)
    app = await build_app(Config(), clock=ManualClock(T0), database_url=sqlite_url)
    try:
        assert len(app.bus.services.similar) == 7
    finally:
        await app.dispose()


async def test_the_index_can_be_filled_later_in_pages_and_chunks(sqlite_url: str) -> None:
    await _seed(sqlite_url, 1203)
    app = await build_app(
        Config(), clock=ManualClock(T0), database_url=sqlite_url, load_similar=False
    )
    try:
        index = app.bus.services.similar
        assert len(index) == 0
        await load_similar_index(app.uow_factory, index, chunk=70, page=500)  # 3 pages
        assert len(index) == 1203
        hits = index.of(WS).search("merge pandas frames", ["pandas"], limit=3)
        assert len(hits) == 3
    finally:
        await app.dispose()
