"""`micromentor check` for the optional model: unset is fine and said; incomplete or malformed
settings are a problem; a configured endpoint is asked once (its model list) whether it answers
and takes the key. No line shows the key or the URL's query."""

from __future__ import annotations

import socket

import pytest

from adapters.llm.check import OFF, _setting_problems, check_llm, llm_state
from tests.adapters.llm.fake_openai import FakeOpenAI

KEY = "sk-test-very-secret-key"


def env(**values: str) -> dict[str, str]:
    return {f"MICROMENTOR_LLM_{name}": value for name, value in values.items()}


async def test_unset_is_no_problem_and_says_what_the_model_would_be_for() -> None:
    assert await check_llm({}) == []
    assert llm_state({}) == OFF
    assert "not configured" in OFF and "topics" in OFF and "next steps" in OFF


@pytest.mark.parametrize(
    ("values", "said"),
    [
        ({"MODEL": "m", "API_KEY": KEY}, "API_KEY, MICROMENTOR_LLM_MODEL set but "),
        ({"URL": "localhost:11434", "MODEL": "m"}, "MICROMENTOR_LLM_URL is not an http(s) URL"),
        ({"URL": "http://", "MODEL": "m"}, "MICROMENTOR_LLM_URL is not an http(s) URL"),
        ({"URL": f"ftp://h/v1?key={KEY}", "MODEL": "m"}, "is not an http(s) URL"),
    ],
)
async def test_incomplete_or_malformed_settings_are_a_problem_without_the_key(
    values: dict[str, str], said: str
) -> None:
    [line] = await check_llm(env(**values))
    assert line.startswith("language model: ") and said in line
    assert KEY not in line


def test_a_url_without_a_model_name_is_no_problem_and_says_the_server_chooses() -> None:
    # llama.cpp and single-model proxies answer without a model name; the bot sends none.
    values = env(URL="https://api.example.com/v1")
    assert "MICROMENTOR_LLM_MODEL" not in " ".join(_setting_problems(values))
    assert llm_state(values) == (
        "language model: https://api.example.com, model the server's default "
        "(MICROMENTOR_LLM_MODEL not set)"
    )


async def test_a_usable_endpoint_passes_and_is_asked_only_for_its_models(
    fake_openai: FakeOpenAI,
) -> None:
    settings = env(URL=fake_openai.url, API_KEY=KEY, MODEL="tiny-1")
    assert await check_llm(settings) == []
    [asked] = fake_openai.received
    assert asked.path == "/v1/models"
    assert asked.headers["Authorization"] == f"Bearer {KEY}"
    state = llm_state(settings)
    assert fake_openai.url.removesuffix("/v1") in state and "tiny-1" in state and KEY not in state


@pytest.mark.parametrize("status", [401, 403])
async def test_a_refused_key_is_a_problem_naming_the_variable_not_the_key(
    fake_openai: FakeOpenAI, status: int
) -> None:
    fake_openai.status = status
    [line] = await check_llm(env(URL=fake_openai.url, API_KEY=KEY, MODEL="tiny-1"))
    assert "MICROMENTOR_LLM_API_KEY was refused by http://127.0.0.1:" in line
    assert f"(HTTP {status})" in line and KEY not in line


async def test_a_server_without_a_model_list_still_counts_as_answering(
    fake_openai: FakeOpenAI,
) -> None:
    fake_openai.status = 404
    assert await check_llm(env(URL=fake_openai.url, MODEL="tiny-1")) == []


async def test_an_endpoint_that_does_not_answer_is_a_problem_naming_its_host() -> None:
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    url = f"http://127.0.0.1:{port}/v1?api-version={KEY}"
    [line] = await check_llm(env(URL=url, MODEL="m"), seconds=2)
    assert f"language model: cannot reach http://127.0.0.1:{port} (" in line
    assert KEY not in line
