"""`answer_now` after a "thinking…" deferral: the answer edits that response; an edit Discord
refuses leaves the response to be edited by the next answer, not taken as done."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import discord
import pytest

from adapters.discord.acknowledgements import Acknowledgements
from adapters.discord.interactions import InteractionRunner


class _Interaction:
    def __init__(self, *, fail: bool) -> None:
        self.token = "tok-1"
        self.response = SimpleNamespace(is_done=lambda: True)
        self.fail = fail
        self.edits: list[dict[str, Any]] = []
        self.followup = SimpleNamespace(send=self._followup)
        self.followups: list[dict[str, Any]] = []

    async def edit_original_response(self, **kwargs: Any) -> None:
        if self.fail:
            response = SimpleNamespace(status=503, reason="Service Unavailable")
            raise discord.HTTPException(response, "unavailable")  # type: ignore[arg-type]
        self.edits.append(kwargs)

    async def _followup(self, **kwargs: Any) -> None:
        self.followups.append(kwargs)


def _runner(acks: Acknowledgements) -> InteractionRunner:
    gateway = SimpleNamespace(
        acknowledgements=acks, send_kwargs=lambda message: {"content": message.body.plain()}
    )
    return InteractionRunner(app=SimpleNamespace(), gateway=gateway)  # type: ignore[arg-type]


@pytest.mark.parametrize("fail", [False, True], ids=["edited", "edit refused"])
async def test_an_answer_after_thinking_edits_it_and_a_refused_edit_is_tried_again(
    fail: bool,
) -> None:
    acks = Acknowledgements()
    acks.responded("tok-1", thinking=True)
    interaction = _Interaction(fail=fail)
    await _runner(acks).answer_now(interaction, "Questions can't be posted right now.")  # type: ignore[arg-type]
    assert interaction.followups == []
    if fail:
        assert interaction.edits == []
        assert acks.take_original("tok-1") is True  # the next answer edits it
    else:
        assert interaction.edits == [{"content": "Questions can't be posted right now."}]
        assert acks.take_original("tok-1") is False  # the next one is a follow-up
