"""The OpenAI-compatible client against a loopback fake endpoint: what it sends, what it
returns, and its failures (HTTP errors, timeouts, junk), which never show the key."""

from __future__ import annotations

import logging
import time

import pytest

from adapters.llm.openai_compat import LlmError, LlmSettings, complete
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
