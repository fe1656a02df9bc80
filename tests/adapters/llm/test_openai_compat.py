"""The OpenAI-compatible client against a loopback fake endpoint: what it sends, what it
returns, and its failures (HTTP errors, timeouts, junk), which never show the key."""

from __future__ import annotations

import asyncio
import json
import logging
import time
from typing import Any

import aiohttp
import pytest

from adapters.llm.openai_compat import (
    MAX_CONCURRENT,
    MAX_REPLY_BYTES,
    LlmError,
    LlmSettings,
    complete,
)
from bot.learning.model import SuggestionRequest
from bot.learning.suggestions import LlmSuggester
from tests.adapters.llm.fake_openai import FakeOpenAI

KEY = "sk-test-very-secret-key"
MESSAGES = [{"role": "user", "content": "Hello?"}]


def settings(fake: FakeOpenAI, **changes: str) -> LlmSettings:
    return LlmSettings(**{"url": fake.url, "api_key": KEY, "model": "tiny-1", **changes})


async def test_a_reply_is_the_first_choices_message(fake_openai: FakeOpenAI) -> None:
    fake_openai.reply = "Hi there."
    assert await complete(settings(fake_openai), MESSAGES, timeout=5) == "Hi there."
    [sent] = fake_openai.received
    assert sent.path == "/v1/chat/completions"
    assert sent.headers["Authorization"] == f"Bearer {KEY}"
    assert sent.body["model"] == "tiny-1" and sent.body["messages"] == MESSAGES


async def test_the_full_endpoint_url_works_too_and_no_key_means_no_header(
    fake_openai: FakeOpenAI,
) -> None:
    full = settings(fake_openai, url=fake_openai.url + "/chat/completions/", api_key="")
    assert await complete(full, MESSAGES, timeout=5)
    assert "Authorization" not in fake_openai.received[0].headers


@pytest.mark.parametrize("status", [401, 429, 500, 503])
async def test_an_http_error_is_an_error_naming_only_the_status(
    fake_openai: FakeOpenAI, status: int
) -> None:
    fake_openai.status = status
    with pytest.raises(LlmError) as failed:
        await complete(settings(fake_openai), MESSAGES, timeout=5)
    assert str(failed.value) == f"HTTP {status}"


async def test_a_slow_endpoint_is_given_up_on_in_time(fake_openai: FakeOpenAI) -> None:
    fake_openai.delay = 3.0
    started = time.monotonic()
    with pytest.raises(LlmError, match=r"no answer within 0\.2 s"):
        await complete(settings(fake_openai), MESSAGES, timeout=0.2)
    assert time.monotonic() - started < 2.0


@pytest.mark.parametrize(
    "raw", ["not json at all", '{"choices": []}', '{"choices": [{"message": {}}]}']
)
async def test_a_malformed_reply_is_an_error(fake_openai: FakeOpenAI, raw: str) -> None:
    fake_openai.raw = raw
    with pytest.raises(LlmError):
        await complete(settings(fake_openai), MESSAGES, timeout=5)


async def test_an_unreachable_endpoint_is_an_error(fake_openai: FakeOpenAI) -> None:
    url = fake_openai.url
    await fake_openai.stop()
    with pytest.raises(LlmError):
        await complete(LlmSettings(url=url, api_key=KEY), MESSAGES, timeout=2)


async def test_the_key_never_shows_in_errors_logs_or_repr(
    fake_openai: FakeOpenAI, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    fake_openai.status = 401
    with pytest.raises(LlmError) as failed:
        await complete(settings(fake_openai), MESSAGES, timeout=5)
    assert KEY not in str(failed.value) and KEY not in repr(failed.value)
    assert KEY not in caplog.text
    assert KEY not in repr(settings(fake_openai))


def test_settings_come_from_the_environment_and_are_off_without_a_url() -> None:
    env = {
        "MICROMENTOR_LLM_URL": " https://llm.example/v1 ",
        "MICROMENTOR_LLM_API_KEY": KEY,
        "MICROMENTOR_LLM_MODEL": "m",
    }
    got = LlmSettings.from_env(env)
    assert got == LlmSettings("https://llm.example/v1", KEY, "m")
    assert got.endpoint == "https://llm.example/v1/chat/completions"
    assert LlmSettings.from_env({"MICROMENTOR_LLM_API_KEY": KEY}) is None


async def test_the_suggester_over_the_endpoint_sends_the_question_and_reads_the_reply(
    fake_openai: FakeOpenAI,
) -> None:
    fake_openai.reply = '{"topics": ["pivot tables", "window functions"], "resources": []}'

    async def ask(messages: list[dict[str, str]]) -> str:
        return await complete(settings(fake_openai), messages, timeout=5)

    steps = await LlmSuggester(ask).suggest(SuggestionRequest("How do I pivot?", ("pandas",)))
    assert steps.topics == ("pivot tables", "window functions") and steps.source == "llm"
    user = fake_openai.received[0].body["messages"][1]["content"]
    assert user == "Question: How do I pivot?\nTopics: pandas"


# --- a hostile or broken endpoint ---------------------------------------------------------------


async def test_a_body_trickled_out_slowly_is_given_up_on_in_time(fake_openai: FakeOpenAI) -> None:
    fake_openai.trickle = 0.05  # the headers come at once, the body a byte at a time (~10 s)
    started = time.monotonic()
    with pytest.raises(LlmError, match="no answer within"):
        await complete(settings(fake_openai), MESSAGES, timeout=0.5)
    assert time.monotonic() - started < 2.0


async def test_a_huge_reply_is_not_read_whole(fake_openai: FakeOpenAI) -> None:
    fake_openai.huge = 64 << 20  # 64 MiB streamed without a Content-Length
    with pytest.raises(LlmError, match="too large"):
        await complete(settings(fake_openai), MESSAGES, timeout=20)
    assert fake_openai.sent_bytes < fake_openai.huge


async def test_a_reply_announced_as_huge_is_refused_even_if_it_is_valid(
    fake_openai: FakeOpenAI,
) -> None:
    padding = "x" * (MAX_REPLY_BYTES + 10)
    fake_openai.raw = json.dumps(
        {"choices": [{"message": {"content": "ok"}, "finish_reason": "stop"}], "pad": padding}
    )
    with pytest.raises(LlmError, match="too large"):
        await complete(settings(fake_openai), MESSAGES, timeout=5)


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost"])
async def test_a_redirect_is_not_followed_with_the_key_or_the_question(
    fake_openai: FakeOpenAI, host: str
) -> None:
    elsewhere = FakeOpenAI()
    await elsewhere.start()
    try:
        fake_openai.redirect_to = elsewhere.url.replace("127.0.0.1", host) + "/chat/completions"
        with pytest.raises(LlmError, match="HTTP 307"):
            await complete(settings(fake_openai), MESSAGES, timeout=5)
        assert elsewhere.received == []
    finally:
        await elsewhere.stop()


async def test_many_calls_at_once_keep_only_a_few_connections_open(
    fake_openai: FakeOpenAI,
) -> None:
    fake_openai.reply = "fine"
    fake_openai.delay = 0.1
    answers = await asyncio.gather(
        *(complete(settings(fake_openai), MESSAGES, timeout=10) for _ in range(20))
    )
    assert answers == ["fine"] * 20
    assert fake_openai.most_in_flight <= MAX_CONCURRENT


async def test_waiting_for_a_free_slot_counts_within_the_timeout(fake_openai: FakeOpenAI) -> None:
    fake_openai.delay = 1.0
    started = time.monotonic()
    results = await asyncio.gather(
        *(
            complete(settings(fake_openai), MESSAGES, timeout=0.3)
            for _ in range(3 * MAX_CONCURRENT)
        ),
        return_exceptions=True,
    )
    assert all(isinstance(r, LlmError) for r in results)
    assert time.monotonic() - started < 1.5


async def test_after_a_429_with_retry_after_the_endpoint_is_left_alone_until_then(
    fake_openai: FakeOpenAI,
) -> None:
    fake_openai.status = 429
    fake_openai.headers = {"Retry-After": "30"}
    with pytest.raises(LlmError, match="HTTP 429"):
        await complete(settings(fake_openai), MESSAGES, timeout=5)
    fake_openai.status = 200
    with pytest.raises(LlmError, match="rate limited"):
        await complete(settings(fake_openai), MESSAGES, timeout=5)
    assert len(fake_openai.received) == 1


async def test_the_key_is_not_in_the_error_when_it_cannot_be_a_header(
    fake_openai: FakeOpenAI,
) -> None:
    bad = "sk-secret\r\nX-Evil: 1"
    with pytest.raises(LlmError) as failed:
        await complete(settings(fake_openai, api_key=bad), MESSAGES, timeout=5)
    assert "sk-secret" not in str(failed.value) and "sk-secret" not in repr(failed.value)
    assert failed.value.__cause__ is None and failed.value.__suppress_context__
    assert fake_openai.received == []


@pytest.mark.parametrize(
    ("url", "endpoint"),
    [
        ("http://h:1", "http://h:1/v1/chat/completions"),
        ("http://h:1/", "http://h:1/v1/chat/completions"),
        ("http://h:1/v1/", "http://h:1/v1/chat/completions"),
        ("http://h:1/api/v1", "http://h:1/api/v1/chat/completions"),
        (
            "https://gw/openai/deployments/d/chat/completions?api-version=2024-06-01",
            "https://gw/openai/deployments/d/chat/completions?api-version=2024-06-01",
        ),
        (
            "https://gw/openai/v1?api-version=1",
            "https://gw/openai/v1/chat/completions?api-version=1",
        ),
    ],
)
def test_the_endpoint_from_a_base_url_a_bare_host_or_a_full_url(url: str, endpoint: str) -> None:
    assert LlmSettings(url).endpoint == endpoint


async def test_a_bare_host_url_reaches_the_v1_endpoint(fake_openai: FakeOpenAI) -> None:
    fake_openai.reply = "yes"
    bare = fake_openai.url.removesuffix("/v1")
    assert await complete(settings(fake_openai, url=bare), MESSAGES, timeout=5) == "yes"
    assert fake_openai.received[0].path == "/v1/chat/completions"


async def test_streaming_is_asked_off(fake_openai: FakeOpenAI) -> None:
    await complete(settings(fake_openai), MESSAGES, timeout=5)
    assert fake_openai.received[0].body["stream"] is False


async def test_an_invalid_url_is_an_error_that_does_not_show_it() -> None:
    with pytest.raises(LlmError) as failed:
        await complete(LlmSettings("http://[::1?key=sk-secret", KEY), MESSAGES, timeout=1)
    assert "sk-secret" not in str(failed.value)


async def test_a_call_cancelled_midway_leaves_no_session_open(
    fake_openai: FakeOpenAI, monkeypatch: pytest.MonkeyPatch
) -> None:
    opened: list[aiohttp.ClientSession] = []
    real = aiohttp.ClientSession

    def recording(*args: Any, **kwargs: Any) -> aiohttp.ClientSession:
        opened.append(real(*args, **kwargs))
        return opened[-1]

    monkeypatch.setattr(aiohttp, "ClientSession", recording)
    fake_openai.delay = 1.0
    call = asyncio.create_task(complete(settings(fake_openai), MESSAGES, timeout=10))
    await asyncio.sleep(0.3)
    assert fake_openai.received  # the request is out, the answer not yet in
    call.cancel()
    with pytest.raises(asyncio.CancelledError):
        await call
    assert len(opened) == 1 and opened[0].closed
