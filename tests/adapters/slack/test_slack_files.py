"""The digest chart is uploaded to Slack with files_upload_v2; a failed upload keeps the digest."""

from __future__ import annotations

import logging
from collections.abc import Callable

import pytest
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.gateway import SlackGateway
from adapters.slack.translate import thread_ref
from bot.messages import Attachment, ChatMessage, text
from tests.adapters.slack.conftest import SlackHarness
from tests.adapters.slack.fake_slack import Call, FakeSlack

ADMINS = "C0ADMINS1"
PNG = b"\x89PNG\r\n\x1a\n"
CLI_NOTE = "micromentor digest --png"


def digest_post(slack: SlackHarness) -> Callable[[], Call | None]:
    return lambda: next(
        (
            c
            for c in slack.fake.to("chat.postMessage", channel=ADMINS)
            if "weekly digest" in c.text()
        ),
        None,
    )


async def test_admin_digest_uploads_the_chart_png_to_the_admin_channel(
    slack: SlackHarness,
) -> None:
    await slack.command("root", "/mentoradmin", "digest")
    completed = await slack.fake.wait_for(
        lambda: slack.fake.to("files.completeUploadExternal", channel_id=ADMINS),
        what="files.completeUploadExternal for the admin channel",
    )
    posted = digest_post(slack)()
    assert posted is not None and CLI_NOTE not in posted.text()
    asked = slack.fake.to("files.getUploadURLExternal")
    assert len(asked) == 1 and asked[0].params["filename"].startswith("digest-")
    file_id = completed[0].params["files"][0]["id"]
    data = slack.fake.uploads[file_id]
    assert data.startswith(PNG) and int(asked[0].params["length"]) == len(data)
    assert "thread_ts" not in completed[0].params
    assert slack.fake.calls.index(posted) < slack.fake.calls.index(completed[0])
    await slack.replies_to("root", "Posted the digest of")


@pytest.mark.parametrize("failure", ["complete_refused", "upload_url_refused"])
async def test_a_failed_chart_upload_still_posts_the_digest_text(
    slack: SlackHarness, failure: str, caplog: pytest.LogCaptureFixture
) -> None:
    if failure == "complete_refused":
        slack.fake.errors["files.completeUploadExternal"] = "not_in_channel"
    else:
        slack.fake.upload_status = 403
    with caplog.at_level(logging.WARNING, logger="adapters.slack.gateway"):
        await slack.command("root", "/mentoradmin", "digest")
        await slack.replies_to("root", "Posted the digest of")
        await slack.settled()
    posted = digest_post(slack)()
    assert posted is not None and "Questions" in posted.text()
    assert len(slack.fake.to("chat.postMessage", channel=ADMINS)) == 1
    if failure == "complete_refused":
        assert len(slack.fake.to("files.completeUploadExternal", channel_id=ADMINS)) == 1
    else:
        assert slack.fake.to("upload", failed=True) and not slack.fake.uploads
        assert not slack.fake.to("files.completeUploadExternal")
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert any(m.startswith("uploading an attachment (image/png) failed") for m in warnings)
    assert not any("digest-" in m or ADMINS in m for m in warnings), warnings


async def test_an_attachment_in_a_thread_is_uploaded_into_that_thread(
    fake_slack: FakeSlack,
) -> None:
    client = AsyncWebClient(token="xoxb-test", base_url=fake_slack.api_url)
    gateway = SlackGateway(client)
    chart = PNG + b"chart"
    message = ChatMessage(body=text("Here is the chart"), attachment=Attachment("c.png", chart))
    ref = await gateway.post_in_thread(thread_ref("C0MENTOR1", "1700000000.000042"), message)
    [complete] = fake_slack.to("files.completeUploadExternal")
    assert complete.params["channel_id"] == "C0MENTOR1"
    assert complete.params["thread_ts"] == "1700000000.000042"
    assert list(fake_slack.uploads.values()) == [chart]
    assert ref.id.startswith("C0MENTOR1:")
