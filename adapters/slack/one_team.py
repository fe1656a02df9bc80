"""The single-workspace mode serves the workspace of its token alone. The same app installed in
another workspace (without the OAuth mode) sends that workspace's requests to the same URL, and
Bolt's single-team authorization never compares a request's team with the token's: such a
request is not handled as the token's workspace's. A slash command is told why, anything else is
acknowledged and dropped (Slack would send an event again if it were not), and the operator is
told once for each such workspace."""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.response import BoltResponse

__all__ = ["ANOTHER_WORKSPACE", "OneTeam", "guard_one_team"]

log = logging.getLogger(__name__)

ANOTHER_WORKSPACE = (
    "This Micromentor is set up for another Slack workspace, so it can't answer here. Ask your "
    "Slack admin to install it for this workspace (its OAuth mode serves several workspaces)."
)

Body = Mapping[str, Any]


@dataclass
class OneTeam:
    """The token's workspace (auth.test's ``team_id``), or its Enterprise organization for an
    organization-wide installation (``is_enterprise_install``: one token for every workspace of
    ``enterprise_id``)."""

    team_id: str
    enterprise_id: str = ""
    enterprise_install: bool = False
    warned: set[str] = field(default_factory=set)

    @classmethod
    def of_auth(cls, auth: Mapping[str, Any]) -> OneTeam:
        return cls(
            team_id=str(auth.get("team_id") or ""),
            enterprise_id=str(auth.get("enterprise_id") or ""),
            enterprise_install=bool(auth.get("is_enterprise_install")),
        )

    def foreign(self, body: Body) -> str | None:
        """The workspace (or organization) a request says it is from when that is not the
        token's; None for one of the token's, and for one that names none (Slack's own
        checks, a payload without a team): those are handled as always.

        A request may name several teams: an event in a shared channel carries the workspace
        it happened in and the installation it is delivered to (``authorizations``), a form
        opened in a Slack Connect channel its ``app_installed_team_id``, a person their own
        team, a button pressed on the app's message that message's team. It is the token's
        when any of them is: someone of another organisation pressing a button on the app's
        card in a Slack Connect channel is answered as before."""
        if self.enterprise_install and self.enterprise_id:
            orgs = set(_enterprises(body))
            return None if not orgs or self.enterprise_id in orgs else min(orgs)
        if not self.team_id:
            return None
        teams = set(_teams(body))
        return None if not teams or self.team_id in teams else min(teams)

    def first_sight(self, team: str) -> bool:
        """Whether `team` is seen for the first time (said once, not for each request)."""
        if team in self.warned:
            return False
        self.warned.add(team)
        return True


def _teams(body: Body) -> Iterator[str]:
    """Every team id a request names (commands, events, interactions)."""
    yield from _ids(body.get("team_id"), _id(body.get("team")))
    user = body.get("user")
    if isinstance(user, Mapping):
        yield from _ids(user.get("team_id"))
    view = body.get("view")
    if isinstance(view, Mapping):
        yield from _ids(view.get("team_id"), view.get("app_installed_team_id"))
    for auth in _authorizations(body):
        yield from _ids(auth.get("team_id"))
    message = body.get("message")
    if isinstance(message, Mapping):  # a button on a message: its poster's team (the app's)
        yield from _ids(message.get("team"))
    event = body.get("event")
    if isinstance(event, Mapping):
        yield from _ids(event.get("team"), event.get("user_team"))


def _enterprises(body: Body) -> Iterator[str]:
    """Every Enterprise organization id a request names."""
    yield from _ids(body.get("enterprise_id"), _id(body.get("enterprise")))
    team = body.get("team")
    if isinstance(team, Mapping):
        yield from _ids(team.get("enterprise_id"))
    user = body.get("user")
    if isinstance(user, Mapping):
        yield from _ids(user.get("enterprise_id"))
    for auth in _authorizations(body):
        yield from _ids(auth.get("enterprise_id"))


def _authorizations(body: Body) -> list[Mapping[str, Any]]:
    found = body.get("authorizations")
    return [a for a in found if isinstance(a, Mapping)] if isinstance(found, list) else []


def _id(value: object) -> object:
    """An object's ``id`` (``team``, ``enterprise``), else the value itself (a string)."""
    return value.get("id") if isinstance(value, Mapping) else value


def _ids(*values: object) -> Iterator[str]:
    for value in values:
        if isinstance(value, str) and value:
            yield value


def guard_one_team(bolt: AsyncApp, one: OneTeam) -> None:
    """A middleware that keeps another workspace's requests from the listeners (`OneTeam`).
    Registered before any listener: Bolt runs every middleware before the listener."""

    @bolt.middleware
    async def only_this_workspace(body: Body, next: Callable[[], Awaitable[Any]]) -> Any:
        team = one.foreign(body)
        if team is None:
            return await next()
        if one.first_sight(team):
            log.warning(
                "Slack: a request from workspace %s, not this token's (%s), is not handled: the "
                "app is installed there too. Serve several workspaces with the OAuth mode, or "
                "uninstall the app there",
                team,
                one.enterprise_id if one.enterprise_install else one.team_id,
            )
        if body.get("command"):  # a slash command: its answer is the person's to see
            said = {"response_type": "ephemeral", "text": ANOTHER_WORKSPACE}
            return BoltResponse(
                status=200,
                body=json.dumps(said),
                headers={"content-type": "application/json;charset=utf-8"},
            )
        # An event, a button, a form: acknowledged (Slack sends an event unacknowledged again,
        # and turns off the subscriptions of an app failing too many), nothing else.
        return BoltResponse(status=200, body="")
