"""Forms and Discord's 3 seconds: a form opens as the interaction's first response, which can't
be deferred, so what it opens with is read within the interaction's budget (else the member is
asked to try again, in time); an edited question's submission carries the draft's options in the
form's id and reads nothing before it is stored."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from typing import Any

import pytest
from discord_harness import Harness

from adapters.discord.interactions import NOT_NOW
from adapters.discord.translate import user_ref, workspace_ref
from bot.learning.model import FaqEntry

QUESTION = "How do I group a pandas DataFrame by two columns and sum one?"
VAGUE = "Can someone help me with pandas?"
MODAL = 9
MESSAGE = 4  # an answer as the first response
DEFERRED_UPDATE = 6  # a button or form acknowledged, its answers to follow
EPHEMERAL = 64
BUDGET = 0.3  # the runner's budget, shortened so a stuck read costs the test little


class Stuck:
    """Reads from one repository that wait (a locked database) until released."""

    def __init__(self, harness: Harness, monkeypatch: pytest.MonkeyPatch) -> None:
        self._harness = harness
        self._monkeypatch = monkeypatch
        self.released = asyncio.Event()

    async def on(self, repository: str) -> None:
        """From now on, ``uow.<repository>.get`` waits for :meth:`release`."""
        async with self._harness.app.uow_factory(read_only=True) as uow:
            kind = type(getattr(uow, repository))
        original = kind.get
        released = self.released

        async def get(self: Any, *args: Any, **kwargs: Any) -> Any:
            await released.wait()
            return await original(self, *args, **kwargs)

        self._monkeypatch.setattr(kind, "get", get)

    def release(self) -> None:
        self.released.set()


@pytest.fixture
async def stuck(harness: Harness, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Stuck]:
    harness.adapter.runner.answer_within = BUDGET
    held = Stuck(harness, monkeypatch)
    try:
        yield held
    finally:
        held.release()


async def _answered_in_time(harness: Harness, token: str, started: float) -> dict[str, Any]:
    (callback,) = await harness.fake.wait_request("POST", rf"/interactions/\d+/{token}/callback")
    assert time.monotonic() - started < BUDGET + 1.5  # Discord's 3 s, with room for a busy host
    return dict(callback.json())


async def _preview(harness: Harness, *, stage: str | None = None) -> dict[str, Any]:
    """A coached draft's preview (draft 1) with [Post as is] and [Edit]."""
    fake = harness.fake
    options: list[dict[str, object]] = [{"name": "question", "type": 3, "value": VAGUE}]
    if stage:
        options.append({"name": "stage", "type": 3, "value": stage})
    await fake.followups(await fake.slash("alice", "askmentor", options))
    preview = await harness.message_with("mm:edit:1")
    preview["channel_id"] = fake.mentoring_id  # an ephemeral follow-up lives where /askmentor ran
    return preview


async def _edit_form(harness: Harness, preview: dict[str, Any]) -> dict[str, Any]:
    token = await harness.fake.click("alice", "mm:edit:1", str(preview["id"]))
    (callback,) = await harness.fake.wait_request("POST", rf"/interactions/\d+/{token}/callback")
    assert callback.json()["type"] == MODAL
    return dict(callback.json()["data"])


async def test_edit_whose_draft_reads_slowly_asks_to_try_again_within_3_seconds(
    harness: Harness, stuck: Stuck
) -> None:
    preview = await _preview(harness)
    await stuck.on("drafts")
    started = time.monotonic()
    token = await harness.fake.click("alice", "mm:edit:1", str(preview["id"]))
    callback = await _answered_in_time(harness, token, started)
    assert callback["type"] == MESSAGE
    assert callback["data"]["content"] == NOT_NOW
    assert callback["data"]["flags"] & EPHEMERAL


async def test_update_whose_faq_entry_reads_slowly_asks_to_try_again_within_3_seconds(
    harness: Harness, stuck: Stuck
) -> None:
    fake = harness.fake
    card = await harness.ask("alice", QUESTION)
    async with harness.app.uow_factory() as uow:
        now = harness.app.clock.now()
        bob = user_ref(fake.users["bob"]["id"])
        q = await uow.questions.get(1)
        assert q is not None and q.id is not None
        here = workspace_ref(fake.guild_id)
        await uow.faq.add(FaqEntry(here, q.id, bob, QUESTION, "Use df.groupby.", now, now))
        await uow.commit()
    button = {"type": 2, "style": 2, "label": "Update", "custom_id": "mm:faqupdate:1"}
    card["components"] = [{"type": 1, "components": [button]}]  # the click's message has it
    await stuck.on("faq")
    started = time.monotonic()
    token = await fake.click("bob", "mm:faqupdate:1", str(card["id"]))
    callback = await _answered_in_time(harness, token, started)
    assert callback["type"] == MESSAGE
    assert callback["data"]["content"] == NOT_NOW


async def test_an_edited_question_is_taken_in_while_drafts_read_slowly(
    harness: Harness, stuck: Stuck
) -> None:
    """The form's id says anonymous or not and the stage: nothing is read before the inbox."""
    fake = harness.fake
    modal = await _edit_form(harness, await _preview(harness, stage="senior"))
    await stuck.on("drafts")
    started = time.monotonic()
    token = await fake.submit_modal("alice", modal, QUESTION)
    callback = await _answered_in_time(harness, token, started)
    assert callback["type"] == DEFERRED_UPDATE
    stuck.release()  # the database answers again: the stored question is asked
    await harness.message_with("mm:claim:1")
    async with harness.app.uow_factory() as uow:
        q = await uow.questions.get(1)
    assert q is not None and (q.text, q.wanted_stage) == (QUESTION, "senior")


async def test_an_edit_form_opened_before_ids_carried_options_asks_again_if_its_read_is_slow(
    harness: Harness, stuck: Stuck
) -> None:
    fake = harness.fake
    modal = await _edit_form(harness, await _preview(harness))
    modal["custom_id"] = "mmform:ask:1"  # as forms opened by the previous version were
    await stuck.on("drafts")
    started = time.monotonic()
    token = await fake.submit_modal("alice", modal, QUESTION)
    callback = await _answered_in_time(harness, token, started)
    assert callback["type"] == MESSAGE
    assert callback["data"]["content"] == NOT_NOW
