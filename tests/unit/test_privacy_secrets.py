"""Messages that carry a secret (a dashboard sign-in link, a person's data export) leave no copy
in the outbox once delivered, and the link is never logged."""

from __future__ import annotations

import logging

import pytest

from bot.flow.outbox import SCRUBBED, OutboxItem
from bot.messages import ChatMessage
from bot.ports import DeliveryRefused
from bot.privacy.commands import ExportPerson, OpenDashboard
from bot.refs import MessageRef, UserRef
from tests.unit.core_harness import Core, start_core
from tests.unit.fake_chat import ChatCall, FakeChat


@pytest.fixture
async def core() -> Core:
    return await start_core()


def _token(core: Core) -> str:
    [dm] = [c.message for c in core.chat.calls if c.method == "send_dm" and c.message]
    found = [w for w in dm.plain().split() if "token=" in w]
    if not found:  # the link's address is not in its plain text: read it from the markup
        found = [w for w in repr(dm).split("'") if "token=" in w]
    assert found, dm
    return found[0].split("token=", 1)[1].rstrip(").,")


def _outbox(core: Core) -> list[OutboxItem]:
    return list(core.db.tables["outbox"].values())


async def test_a_delivered_sign_in_link_is_no_longer_in_its_outbox_row(core: Core) -> None:
    await core.handle(OpenDashboard(core.actor("admin")))
    token = _token(core)
    rows = [r for r in _outbox(core) if r.delivery.user == core.user("admin")]
    assert rows and all(r.state == "sent" for r in rows)
    assert all(token not in repr(r.delivery.to_json()) for r in _outbox(core))
    [link] = [r for r in rows if r.delivery.secret]
    assert link.delivery.message is not None and link.delivery.message.plain() == SCRUBBED


async def test_a_link_from_a_process_serving_no_dashboard_says_what_serves_it(
    core: Core, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The console serves no dashboard: its link leads to `micromentor dashboard`'s port and
    says to run it; a process serving one (its HTTP port known) needs no such line."""
    monkeypatch.delenv("PUBLIC_URL", raising=False)
    await core.handle(OpenDashboard(core.actor("admin")))
    [console] = core.chat.messages("send_dm", user=core.user("admin"))
    assert "http://localhost:3001/admin/signin?token=" in repr(console)
    assert "`micromentor dashboard` runs on this machine" in console.plain()
    core.bus.services.web_port = 8080
    await core.handle(OpenDashboard(core.actor("admin")))
    [_, served] = core.chat.messages("send_dm", user=core.user("admin"))
    assert "http://localhost:8080/admin/signin?token=" in repr(served)
    assert "micromentor dashboard" not in served.plain()


async def test_a_delivered_data_export_is_no_longer_in_its_outbox_row(core: Core) -> None:
    await core.ask("alice", "How do I tell my manager I'm burning out?")
    await core.handle(ExportPerson(core.actor("admin"), core.user("alice")))
    [export] = core.chat.messages("send_dm", user=core.user("admin"))
    assert export.attachment is not None and b"burning out" in export.attachment.data
    [row] = [r for r in _outbox(core) if r.delivery.secret]
    assert row.state == "sent"
    assert row.delivery.message is not None and row.delivery.message.attachment is None


class _NoDms(FakeChat):
    """A platform that refuses every DM for good (the admin blocked the bot, say)."""

    async def send_dm(
        self, user: UserRef, message: ChatMessage, *, key: str = "", retry: bool = False
    ) -> MessageRef:
        self.calls.append(ChatCall("send_dm", {"user": user, "message": message}))
        raise DeliveryRefused("cannot send messages to this user")


async def test_a_sign_in_link_that_never_went_out_is_scrubbed_and_not_logged(
    caplog: pytest.LogCaptureFixture,
) -> None:
    core = await start_core(chat=_NoDms(platform="test"))
    with caplog.at_level(logging.DEBUG):
        await core.handle(OpenDashboard(core.actor("admin")))
    token = _token(core)
    [row] = [r for r in _outbox(core) if r.delivery.secret]
    assert row.state == "failed"
    assert token not in repr(row.delivery.to_json())
    assert any(r.levelno >= logging.WARNING for r in caplog.records)  # the failure was logged
    assert all(token not in r.getMessage() for r in caplog.records)
