"""Slack's Web API errors sorted for the deliverer: skip (`DeliveryRefused`), wait
(`RetryAfter`), wait out an outage (`SlackUnavailable`, `Unavailable`) or retry; the token's own
errors (`TOKEN_GONE`, `TOKEN_EXPIRED`); and whether a look-up failure is worth waiting for."""

from __future__ import annotations

import functools
from collections.abc import Callable, Coroutine
from typing import Any, ParamSpec, TypeVar

import aiohttp
from slack_sdk.errors import SlackApiError

from bot.ports import DeliveryRefused, RetryAfter, Unavailable

__all__ = [
    "NOT_VISIBLE",
    "RATE_LIMITED",
    "RESTRICTED_CHANNEL",
    "TOKEN_EXPIRED",
    "TOKEN_GONE",
    "SlackUnavailable",
    "TokenRefused",
    "api_error",
    "cannot_look",
    "classify",
    "rate_limited",
    "reaching",
]


# A channel whose settings (an admin's) refuse the app's message: read-only (only admins post),
# thread-only (no top-level message), without threads (no reply in one), or a thread locked. No
# retry changes them; the operator is told what to change (`gateway._warn_restricted`).
RESTRICTED_CHANNEL = {
    "restricted_action_read_only_channel": (
        "is read-only: let the app post there (the channel's posting permissions) or "
        "configure another channel"
    ),
    "restricted_action_thread_only_channel": (
        "only takes replies in threads: allow top-level messages there (the app posts a card "
        "for each question) or configure another channel"
    ),
    "restricted_action_non_threadable_channel": (
        "does not take replies in threads: allow threads there, or set [slack] thread_mode = "
        '"group_dm" to hold sessions in group DMs'
    ),
    "restricted_action_thread_locked": (
        "has a locked thread the app was to reply in: unlock it for the session to go on there"
    ),
}
# chat.postEphemeral fails like this when the user can't see the channel (or no one can post in
# it any more: archived, inactive; or not the app: `RESTRICTED_CHANNEL`): fall back to a DM.
NOT_VISIBLE = {
    "user_not_in_channel",
    "channel_not_found",
    "not_in_channel",
    "is_archived",
    "is_inactive",
    *RESTRICTED_CHANNEL,
}
# Errors that no retry will change, for this one recipient or place (Slack's error codes). From
# conversations.open (a group DM or a DM's channel) too: a user the app may not see (a guest, an
# external or restricted account), people Slack won't put in one conversation, a list too short
# or too long for a group DM (2 to 8 people), a bot, a user deactivated or unknown. From
# chat.postMessage / chat.update / chat.postEphemeral: a channel an admin closed to the app
# (`RESTRICTED_CHANNEL`) or to everyone (`ekm_access_denied`: posting suspended), a message
# Slack will not take as it is (no text, metadata it refuses, a reply to a message that can't
# have one, a file link Slack Connect blocks), an edit Slack no longer allows (its window closed,
# the channel inactive). Not `message_limit_exceeded` ("members on this team are sending too
# many messages": a usage limit, which eases with time).
_REFUSED = {
    "as_user_not_supported",
    "cannot_dm_bot",
    "cannot_reply_to_message",
    "cant_update_message",
    "channel_not_found",
    "edit_window_closed",
    "ekm_access_denied",
    "invalid_blocks",
    "invalid_blocks_format",
    "invalid_metadata_format",
    "invalid_metadata_schema",
    "invalid_user_combination",
    "is_archived",
    "is_inactive",
    "message_not_found",
    "messages_tab_disabled",
    "metadata_too_large",
    "method_not_supported_for_channel_type",
    "msg_blocks_too_long",
    "msg_too_long",
    "no_permission",
    "no_text",
    "not_enough_users",
    "not_in_channel",
    "restricted_action",
    *RESTRICTED_CHANNEL,
    "slack_connect_canvas_sharing_blocked",
    "slack_connect_file_link_sharing_blocked",
    "slack_connect_lists_sharing_blocked",
    "team_access_not_granted",
    "too_many_users",
    "user_disabled",
    "user_not_found",
    "user_not_in_channel",
    "user_not_visible",
    "users_list_not_supplied",
}
# Errors about the token itself, whatever the call (Slack's docs: the app was uninstalled, its
# token revoked, or the workspace or bot user deactivated): no call with it will work again.
TOKEN_GONE = frozenset(
    {"invalid_auth", "not_authed", "account_inactive", "token_revoked", "team_not_found"}
)
# A rotating token used past its expiry (the app rotates its tokens): retried, as the OAuth mode
# trades the token before the retry (`TokenKeeper`); never an uninstall.
TOKEN_EXPIRED = "token_expired"
# A rate limit said in the body: ``ratelimited`` (with HTTP 429 and Retry-After), and
# chat.postMessage / chat.postEphemeral's own ``rate_limited`` ("Application has posted too many
# messages", with HTTP 200). Waited out (`RetryAfter`), never an attempt counted.
RATE_LIMITED = frozenset({"ratelimited", "rate_limited"})
# How long a rate limit without a Retry-After header is waited out: a 429 gets one from Slack
# (else a second, as before); ``rate_limited`` comes with HTTP 200, and Slack's limits on
# posting are counted per minute.
_NO_HEADER_429_SECONDS = 1.0
_NO_HEADER_RATE_LIMITED_SECONDS = 60.0
# Slack's own passing trouble (its docs: retry later), besides a 429 or a 5xx, and a request it
# got cut short (`request_timeout`): the look for an earlier attempt that meets one is tried
# again later rather than posting blind (`cannot_look`).
_TRANSIENT = frozenset(
    {"fatal_error", "internal_error", *RATE_LIMITED, "request_timeout", "service_unavailable"}
)
# Of those, the one that says Slack itself is down, waited out for hours like a 5xx. Its
# `internal_error`/`fatal_error` answered with HTTP 200 may be about this one request (a payload
# Slack trips over every time): they count attempts, or the row would hold its lane for hours.
# So does `request_timeout`, which Slack documents as a bad request ("The method was called via
# a POST request, but the POST data was either missing or truncated"), not as an outage.
_OUTAGE = frozenset({"service_unavailable"})


def api_error(e: SlackApiError) -> str:
    """Slack's error code (``channel_not_found``), or the HTTP status when the body wasn't JSON."""
    data = e.response.data
    if isinstance(data, dict):
        return str(data.get("error") or "unknown_error")
    return f"HTTP {e.response.status_code}"


def rate_limited(e: SlackApiError) -> bool:
    """Whether Slack refused the call as over a rate limit (HTTP 429, or `RATE_LIMITED`)."""
    return e.response.status_code == 429 or api_error(e) in RATE_LIMITED


def _retry_after(e: SlackApiError) -> float:
    for name, value in (e.response.headers or {}).items():
        if name.lower() == "retry-after":
            raw = value[0] if isinstance(value, list) else value
            try:
                return max(float(raw), 0.0)
            except (TypeError, ValueError):
                break
    if e.response.status_code != 429 and api_error(e) == "rate_limited":
        return _NO_HEADER_RATE_LIMITED_SECONDS
    return _NO_HEADER_429_SECONDS


class TokenRefused(DeliveryRefused):
    """Slack refused the token itself (`TOKEN_GONE`): the workspace's installation is gone."""

    def __init__(self, code: str) -> None:
        super().__init__(f"Slack: {code} (the workspace's token is gone)")
        self.code = code


class SlackUnavailable(SlackApiError, Unavailable):
    """Slack is down or in trouble (a 5xx, or an `_OUTAGE` error): the
    deliverer waits it out (`[flow] give_up_after_minutes`) instead of counting attempts. Still
    a `SlackApiError` (with Slack's response) for whoever looks at the code."""

    def __init__(self, e: SlackApiError) -> None:
        super().__init__(f"Slack: {api_error(e)}", e.response)  # type: ignore[no-untyped-call]

    def __str__(self) -> str:
        return f"Slack: {api_error(self)} (Slack is unavailable)"


def classify(e: SlackApiError) -> Exception:
    """What the deliverer should do about a Web API error: wait (a rate limit: a 429, or
    `RATE_LIMITED` in the body), skip (this recipient can't be reached), wait out an outage (a
    5xx or Slack's passing trouble: `SlackUnavailable`), or retry a few times (anything else,
    ``request_timeout`` too).

    A dead token is `TokenRefused` for ``account_inactive`` (skipped, as always) and left to
    retry otherwise: with one workspace the token is the environment's and an operator may put
    a new one in place; the OAuth mode turns every `TOKEN_GONE` code into an uninstall."""
    code = api_error(e)
    if rate_limited(e):
        return RetryAfter(_retry_after(e))
    if code == "account_inactive":
        return TokenRefused(code)
    if code in _REFUSED:
        return DeliveryRefused(f"Slack: {code}")
    if e.response.status_code >= 500 or code in _OUTAGE:
        return SlackUnavailable(e)
    return e


# A connection that could not be made or broke, an answer that never came or came cut short:
# Slack (or the way to it) is unavailable.
_UNREACHABLE = (
    aiohttp.ClientConnectionError,
    aiohttp.ClientPayloadError,
    ConnectionError,
    TimeoutError,
)

P = ParamSpec("P")
R = TypeVar("R")


def reaching(
    call: Callable[P, Coroutine[Any, Any, R]],
) -> Callable[P, Coroutine[Any, Any, R]]:
    """`Unavailable` for a failure to reach Slack at all (`_UNREACHABLE`), so the deliverer
    waits the outage out rather than counting attempts."""

    @functools.wraps(call)
    async def reaching(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return await call(*args, **kwargs)
        except _UNREACHABLE as e:
            raise Unavailable(f"Slack could not be reached ({type(e).__name__})") from e

    return reaching


def cannot_look(e: SlackApiError) -> bool:
    """A look-up failure that waiting will not change, so posting again is the only way forward
    (a scope the app lacks, e.g. an installation from before the history scopes; a channel it
    is not in or that is gone; a thread deleted since; any error Slack does not call passing).
    A rate limit, a 5xx or Slack's passing trouble (`_TRANSIENT`) is waited out: the earlier
    attempt may be there all the same; so is a dead token (`TOKEN_GONE`), which no post gets
    past (and which the OAuth mode turns into an uninstall), and an expired one, which it
    trades before the retry."""
    code = api_error(e)
    status = e.response.status_code
    waits = code in _TRANSIENT or code in TOKEN_GONE or code == TOKEN_EXPIRED
    return not (status == 429 or status >= 500 or waits)
