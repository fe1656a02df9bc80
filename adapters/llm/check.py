"""`micromentor check` for the optional model (``MICROMENTOR_LLM_*``): the settings are complete,
the URL is one, and the endpoint answers (``GET …/models``: free, and it checks the key). Lines
name the variables and the host, never the key or the URL's query."""

from __future__ import annotations

import os
from collections.abc import Mapping

import aiohttp
from yarl import URL

from adapters.llm.openai_compat import LlmSettings

__all__ = ["OFF", "check_llm", "llm_state"]

OFF = (
    "language model: not configured (optional: with MICROMENTOR_LLM_URL and "
    "MICROMENTOR_LLM_MODEL, a model reads questions for topics and suggests next steps)"
)
_VARIABLES = ("MICROMENTOR_LLM_URL", "MICROMENTOR_LLM_API_KEY", "MICROMENTOR_LLM_MODEL")


def _setting_problems(env: Mapping[str, str]) -> list[str]:
    have = [name for name in _VARIABLES if env.get(name, "").strip()]
    settings = LlmSettings.from_env(env)
    if settings is None:
        if not have:
            return []
        return [f"language model: {', '.join(have)} set but MICROMENTOR_LLM_URL missing"]
    problems = []
    try:
        url = URL(settings.endpoint)
    except ValueError:  # its text would show the URL, which may hold a key in its query
        url = None
    if url is None or url.scheme not in ("http", "https") or not url.host:
        problems.append(
            "language model: MICROMENTOR_LLM_URL is not an http(s) URL; expected e.g. "
            "https://api.openai.com/v1 or http://localhost:11434"
        )
    elif (url.user or url.password) and settings.api_key:
        # Both would be an Authorization header: the request cannot be made at all.
        problems.append(
            "language model: MICROMENTOR_LLM_URL has a user name and password in it and "
            "MICROMENTOR_LLM_API_KEY is set too; only one of them can be sent: remove "
            "user:password@ from the URL, or unset the key"
        )
    return problems


def llm_state(env: Mapping[str, str] = os.environ) -> str:
    """What `check` says when the model has no problem: `OFF`, or where it is and which."""
    settings = LlmSettings.from_env(env)
    if settings is None:
        return OFF
    # Some servers (llama.cpp, a single-model proxy) need no model name: theirs is used.
    model = settings.model or "the server's default (MICROMENTOR_LLM_MODEL not set)"
    return f"language model: {URL(settings.endpoint).origin()}, model {model}"


async def check_llm(env: Mapping[str, str] = os.environ, *, seconds: float = 5.0) -> list[str]:
    """One line per problem; an empty list: not configured (see `OFF`), or usable."""
    problems = _setting_problems(env)
    settings = LlmSettings.from_env(env)
    if problems or settings is None:
        return problems
    endpoint = URL(settings.endpoint)
    models = endpoint.with_path(
        endpoint.path.removesuffix("/chat/completions") + "/models", keep_query=True
    )
    headers = {"Authorization": f"Bearer {settings.api_key}"} if settings.api_key else {}
    where = str(endpoint.origin())  # no user, password, path or query
    try:
        async with (
            aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=seconds)) as session,
            session.get(models, headers=headers, allow_redirects=False) as response,
        ):
            status = response.status
    except (aiohttp.ClientError, TimeoutError) as e:
        return [
            f"language model: cannot reach {where} ({type(e).__name__}); check the network "
            "(and a proxy), or MICROMENTOR_LLM_URL"
        ]
    except ValueError:  # a key that cannot be a header value; its text may show the key
        return ["language model: MICROMENTOR_LLM_API_KEY cannot be sent (a stray character?)"]
    if status in (401, 403):
        return [f"language model: MICROMENTOR_LLM_API_KEY was refused by {where} (HTTP {status})"]
    if 300 <= status < 400:
        return [
            f"language model: {where} answers with a redirect (HTTP {status}), which is not "
            "followed; set MICROMENTOR_LLM_URL to where it leads"
        ]
    return []  # any other answer: it is there (not every server lists its models)
