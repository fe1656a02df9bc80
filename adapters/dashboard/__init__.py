"""The admin web dashboard at ``/admin``: server-rendered pages (Starlette + Jinja2, a little
CSS, no JavaScript) over the same database as the bot. Sign-in is by one-time link only; every
page needs a session, every form its CSRF token, and an admin sees only their workspaces.

`dashboard_routes(app)` is mounted by `micromentor run` on its HTTP port and served on its own
by `micromentor dashboard`."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Mount, Route, Router
from starlette.types import Receive, Scope, Send

from adapters.dashboard import views
from adapters.dashboard.lightning import coming_lightning
from adapters.dashboard.session import (
    COOKIE,
    Signed,
    asked_workspace,
    check_csrf,
    form_too_large,
    signed_in,
)
from adapters.dashboard.week import WeekChoice, choose_week, trends_csv, week_digest, week_page
from bot.app import App
from bot.messages import REFUSAL, ChatMessage
from bot.privacy.commands import ForgetPerson, ManageMentor
from bot.privacy.manage import MAX_CAPACITY
from bot.privacy.model import AuditEntry
from bot.privacy.rights import export_json
from bot.privacy.signin import sign_in, token_hash
from bot.refs import UserRef

__all__ = ["dashboard_routes"]

log = logging.getLogger(__name__)

_HERE = Path(__file__).parent
_ACTIONS = ("pause", "resume", "remove", "capacity")


def _templates() -> Environment:
    env = Environment(
        loader=FileSystemLoader(_HERE / "templates"),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals["plain"] = lambda t: t.plain()
    return env


def dashboard_routes(app: App, *, secure_cookie: bool = False) -> list[BaseRoute]:
    """The dashboard's routes, all under ``/admin``. `secure_cookie`: the session cookie is
    only sent over HTTPS (set when the public URL is https)."""
    env = _templates()
    secure = secure_cookie or app.config.dashboard.public_url.startswith("https://")

    def page(name: str, status: int = 200, **context: Any) -> HTMLResponse:
        html = env.get_template(name).render(**context)
        return HTMLResponse(html, status_code=status, headers=_PAGE_HEADERS)

    def refused(status: int, why: str) -> HTMLResponse:
        return page("refused.html", status=status, why=why)

    async def session_or_none(request: Request) -> Signed | None:
        return await signed_in(app, request)

    async def elsewhere(request: Request) -> Signed | None:
        """The session of a page (``?ws=``) or form (its ``ws``) asking for a workspace not the
        admin's own: then it is refused with the admin's own header, and the session stays."""
        if not await asked_workspace(request):
            return None
        return await signed_in(app, request, ws="")

    def bounded(
        handler: Callable[[Request], Awaitable[Response]],
    ) -> Callable[[Request], Awaitable[Response]]:
        """A POST whose body is refused unread when it is bigger than any form of ours."""

        async def endpoint(request: Request) -> Response:
            if form_too_large(request):
                return refused(413, "That form is too large.")
            return await handler(request)

        return endpoint

    def signed_only(
        handler: Callable[[Request, Signed], Awaitable[Response]], *, form: bool = False
    ) -> Callable[[Request], Awaitable[Response]]:
        """A page (or, with `form`, a POST that needs its CSRF token) for signed-in admins."""

        async def endpoint(request: Request) -> Response:
            signed = await session_or_none(request)
            if signed is None:
                mine = await elsewhere(request)
                if mine is not None:
                    # The page (a form's own page) whose header links to the same place.
                    here = request.url.path.removeprefix("/admin/").split("/")[0].split(".")[0]
                    return page("refused.html", status=403, **common(mine, here, why=_NOT_YOURS))
                if request.cookies.get(COOKIE):  # a session that has ended (or was ended)
                    response = refused(401, _ENDED)
                    response.delete_cookie(COOKIE, path="/admin")
                    return response
                return refused(401, _SIGN_IN)
            if form and not await check_csrf(request, signed):
                return refused(403, _EXPIRED)
            return await handler(request, signed)

        return endpoint

    def common(signed: Signed, here: str, **more: Any) -> dict[str, Any]:
        return {
            "signed": signed,
            "here": here,
            "ws": signed.workspace.key(),
            "ws_name": signed.workspace_name(),
            "workspaces": [(w.key(), signed.workspace_name(w)) for w in signed.grant.workspaces],
            "said": more.pop("said", ""),
            "refused": more.pop("refused", False),
            **more,
        }

    def back(
        path: str, signed: Signed, *, said: str, refused: bool = False, **keep: str
    ) -> RedirectResponse:
        """Back to `path` after a form, saying what it did (or, `refused`, why it did nothing)."""
        query = {"ws": signed.workspace.key(), **{k: v for k, v in keep.items() if v}}
        if said:
            at = app.clock.now().isoformat()
            kind = "no" if refused else "ok"
            query |= {"said": said, "at": at, "kind": kind}
            query["seal"] = signed.seal(f"{at} {kind} {said}")
        return RedirectResponse(f"/admin/{path}?{urlencode(query)}", status_code=303)

    async def outcome(request: Request, signed: Signed) -> dict[str, Any]:
        """What the last form did (`said`, and `refused` when it did nothing), shown only when
        this session's redirect said it (a link can't put words of its own into the dashboard),
        and only while it is news: for `_SAID_FOR` after, and not once a later admin action in
        this workspace made it stale (Back to a "paused" page after Resume, or a reload much
        later, shows no banner)."""
        said = request.query_params.get("said", "")
        at = request.query_params.get("at", "")
        kind = request.query_params.get("kind", "")
        seal = request.query_params.get("seal", "")
        if not said or not signed.sealed(f"{at} {kind} {said}", seal):
            return {}
        when = datetime.fromisoformat(at)  # sealed: written by `back`
        now = app.clock.now()
        if not now - _SAID_FOR <= when <= now + timedelta(seconds=5):
            return {}
        async with app.uow_factory(read_only=True) as uow:
            latest = await uow.audit.recent([signed.workspace], limit=1)
        if latest and latest[0].at > when:
            return {}
        return {"said": said, "refused": kind == "no"}

    # -- sign-in ----------------------------------------------------------------------------

    async def signin_form(request: Request) -> Response:
        # A GET never uses the link (link previews and scanners fetch it): a button POSTs it.
        # It only reads whether the link would still work, so a dead one says so at once.
        token = request.query_params.get("token", "")
        if not token:
            return refused(401, "This sign-in link is incomplete. " + _NEW_LINK)
        async with app.uow_factory(read_only=True) as uow:
            live = await uow.privacy.peek_grant(token_hash(token), "link", app.clock.now())
        if live is not None:
            return page("signin.html", token=token)
        if await session_or_none(request) is not None:  # signed in with it already: carry on
            return RedirectResponse("/admin/queue", status_code=303)
        return refused(401, _DEAD_LINK)

    async def signin(request: Request) -> Response:
        token = str((await request.form()).get("token", ""))
        async with app.uow_factory() as uow:
            started = await sign_in(uow, token, now=app.clock.now(), config=app.config)
            await uow.commit()
        if started is None:
            return refused(401, _DEAD_LINK)
        session, _ = started
        response = RedirectResponse("/admin/queue", status_code=303)
        response.set_cookie(
            COOKIE,
            session,
            max_age=int(app.config.dashboard.session_hours * 3600),
            path="/admin",
            httponly=True,
            samesite="lax",
            secure=secure,
        )
        return response

    async def signout(request: Request) -> Response:
        signed = await session_or_none(request)
        if signed is not None:
            if not await check_csrf(request, signed):
                return refused(403, _EXPIRED)
            async with app.uow_factory() as uow:
                await uow.privacy.end_grant(token_hash(signed.token))
                await uow.commit()
        # With no session (it ended, or was ended elsewhere) signing out is done already.
        response = page("refused.html", why="You are signed out. " + _NEW_LINK)
        response.delete_cookie(COOKIE, path="/admin")
        return response

    # -- pages ------------------------------------------------------------------------------

    async def home(request: Request) -> Response:
        return RedirectResponse("/admin/queue", status_code=303)

    async def queue(request: Request, signed: Signed) -> Response:
        data = await views.queue_page(app, signed.workspace, request.query_params.get("page", ""))
        return page("queue.html", **common(signed, "queue", **data))

    async def chosen_week(request: Request, signed: Signed) -> WeekChoice | Response:
        """The week ``?week=`` asks for, or the page saying why there is none to show."""
        chosen = await choose_week(app, signed.workspace, request.query_params.get("week", ""))
        if chosen is None:
            return Response(status_code=404)
        if isinstance(chosen, str):
            return page("refused.html", status=400, **common(signed, "week", why=chosen))
        return chosen

    async def week(request: Request, signed: Signed) -> Response:
        chosen = await chosen_week(request, signed)
        if isinstance(chosen, Response):
            return chosen
        data = await week_page(app, signed.workspace, chosen)
        # What is coming up is news of this week only.
        coming = await coming_lightning(app, signed.workspace) if chosen.is_current else None
        return page("week.html", **common(signed, "week", lightning=coming, **data))

    async def week_csv(request: Request, signed: Signed) -> Response:
        chosen = await chosen_week(request, signed)
        if isinstance(chosen, Response):
            return chosen
        data = await week_page(app, signed.workspace, chosen)
        name = f"micromentor-{signed.workspace.id}-{data.get('week', 'trends')}.csv"
        return Response(
            trends_csv(data),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": _attachment(name), **_PAGE_HEADERS},
        )

    async def week_chart(request: Request, signed: Signed) -> Response:
        chosen = await chosen_week(request, signed)
        if isinstance(chosen, Response):
            return chosen
        digest = await week_digest(app, signed.workspace, chosen.week)
        services = app.bus.services
        if digest is None or services.chart is None:
            return Response(status_code=404)
        png = await asyncio.to_thread(services.chart, digest)
        return Response(png, media_type="image/png", headers=_PAGE_HEADERS)

    async def mentors(request: Request, signed: Signed) -> Response:
        rows = await views.mentors_page(app, signed.workspace)
        said = await outcome(request, signed)
        return page(
            "mentors.html",
            **common(signed, "mentors", rows=rows, max_capacity=MAX_CAPACITY, **said),
        )

    async def mentor_action(request: Request, signed: Signed) -> Response:
        form = await request.form()
        action = str(form.get("action", ""))
        capacity = str(form.get("capacity", "")).strip()
        if action not in _ACTIONS:
            return refused(400, "Unknown action.")
        if action == "remove" and form.get("confirm") != "yes":
            return back("mentors", signed, said=_TICK_REMOVE, refused=True)
        # ASCII digits only: "²" is a digit to isdigit() but not to int().
        ok = capacity.isascii() and capacity.isdigit() and len(capacity) < 4
        number = int(capacity) if ok else 0
        if action == "capacity" and not 1 <= number <= MAX_CAPACITY:
            # The bus refuses it too, in the same words; said here, it is shown as a refusal.
            return back("mentors", signed, said=_CAPACITY, refused=True)
        command = ManageMentor(
            signed.actor(), UserRef.from_key(str(form.get("mentor", ""))), action, number or None
        )
        replies = await app.bus.handle(command)
        said = " ".join(r.body.plain() for r in replies)
        return back("mentors", signed, said=said, refused=_refused(replies))

    async def people(request: Request, signed: Signed) -> Response:
        query = request.query_params.get("q", "")
        data = await views.people_listing(
            app, signed.workspace, query, request.query_params.get("page", "")
        )
        said = await outcome(request, signed)
        return page("people.html", **common(signed, "people", q=query, **said, **data))

    async def people_export(request: Request, signed: Signed) -> Response:
        person = UserRef.from_key(str((await request.form()).get("person", "")))
        if not await views.is_seen_in(app, signed.workspace, person):
            return refused(404, "That person is not in this workspace.")
        now = app.clock.now()
        async with app.uow_factory() as uow:
            # Questions they asked anonymously stay theirs: not in what an admin reads.
            data = await uow.privacy.person_data(
                person, workspace=signed.workspace, anonymous=False
            )
            # The response is whole before the audit says it was sent (a failure building it
            # records no export that never happened).
            name = f"micromentor-export-{person.id}-{now:%Y%m%d}.json"
            response = Response(
                export_json(data, now=now),
                media_type="application/json",
                headers={"Content-Disposition": _attachment(name), **_PAGE_HEADERS},
            )
            await uow.audit.add(
                AuditEntry(
                    workspace=signed.workspace,
                    actor=signed.grant.admin,
                    actor_name=signed.admin_name,
                    action="export",
                    subject=person.key(),
                    at=now,
                )
            )
            await uow.commit()
        return response

    async def people_delete(request: Request, signed: Signed) -> Response:
        form = await request.form()
        person = UserRef.from_key(str(form.get("person", "")))
        q = str(form.get("q", ""))[:200]
        if form.get("confirm") != "yes":
            return back("people", signed, said=_TICK_ERASE, refused=True, q=q)
        if not await views.is_seen_in(app, signed.workspace, person):
            return refused(404, "That person is not in this workspace.")
        replies = await app.bus.handle(ForgetPerson(signed.actor(), person, confirmed=True))
        said = " ".join(r.body.plain() for r in replies)
        return back("people", signed, said=said, refused=_refused(replies), q=q)

    async def audit(request: Request, signed: Signed) -> Response:
        entries = await views.audit_page(app, signed.workspace)
        return page("audit.html", **common(signed, "audit", entries=entries))

    async def not_found(scope: Scope, receive: Receive, send: Send) -> None:
        """No page at this /admin address: said in the dashboard's own layout (its header too,
        when signed in), with the way back; still a 404. The address is not repeated."""
        if scope["type"] != "http":
            await Router().not_found(scope, receive, send)
            return
        request = Request(scope, receive)
        signed = await session_or_none(request)
        context = common(signed, "queue") if signed is not None else {}
        response = page("notfound.html", status=404, **context)
        await response(scope, receive, send)

    async def style(request: Request) -> Response:
        return Response(
            (_HERE / "style.css").read_text(),
            media_type="text/css",
            headers={"X-Content-Type-Options": "nosniff"},
        )

    return [
        Mount(
            "/admin",
            app=Router(
                default=not_found,
                routes=[
                    Route("/", home),
                    Route("/signin", signin_form, methods=["GET"]),
                    Route("/signin", bounded(signin), methods=["POST"]),
                    Route("/signout", bounded(signout), methods=["POST"]),
                    Route("/queue", signed_only(queue)),
                    Route("/week", signed_only(week)),
                    Route("/week.csv", signed_only(week_csv)),
                    Route("/week.png", signed_only(week_chart)),
                    Route("/mentors", signed_only(mentors), methods=["GET"]),
                    Route(
                        "/mentors", bounded(signed_only(mentor_action, form=True)), methods=["POST"]
                    ),
                    Route("/people", signed_only(people), methods=["GET"]),
                    Route(
                        "/people/export",
                        bounded(signed_only(people_export, form=True)),
                        methods=["POST"],
                    ),
                    Route(
                        "/people/delete",
                        bounded(signed_only(people_delete, form=True)),
                        methods=["POST"],
                    ),
                    Route("/audit", signed_only(audit)),
                    Route("/style.css", style),
                ],
            ),
        )
    ]


def _attachment(name: str) -> str:
    """A ``Content-Disposition`` for a download named `name`, which may hold any letters (ids
    are people's and workspaces' own): an ASCII fallback, and the name itself in RFC 5987's
    ``filename*`` (headers are Latin-1; RFC 6266)."""
    fallback = "".join(c if c.isascii() and (c.isalnum() or c in "-_.") else "_" for c in name)
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"


# Where a new sign-in link comes from: what every dead end of signing in says.
_ASK_AGAIN = (
    "with /mentoradmin dashboard in Slack or Discord "
    "(or micromentor dashboard --link ADMIN_ID on the server)."
)
_NEW_LINK = "For a new sign-in link, ask " + _ASK_AGAIN
_DEAD_LINK = "This link has expired or was used — ask for a new one " + _ASK_AGAIN
_SIGN_IN = (
    "Please sign in: type /mentoradmin dashboard in Slack or Discord and open the link I DM you."
)
_ENDED = (
    "Your session has ended. For a new sign-in link, type /mentoradmin dashboard in Slack or "
    "Discord and open the link I DM you."
)
_TICK_REMOVE = "Tick the box to confirm the removal."
_TICK_ERASE = "Tick the box to confirm the erasure."
_CAPACITY = f"Capacity is a number of sessions a week, 1 to {MAX_CAPACITY}."
_EXPIRED = "This form has expired. Reload the page and try again."
_NOT_YOURS = "That isn't one of your workspaces."
# How long after a form its outcome is shown on the page it leads back to (a reload then, or
# Back to it later, shows the page without it).
_SAID_FOR = timedelta(minutes=2)
# Every page holds personal data or a token: never cached, never framed, never a Referer (the
# sign-in page's address is its token), no script at all, and nothing loaded from elsewhere.
_PAGE_HEADERS = {
    "Cache-Control": "no-store",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
        "frame-ancestors 'none'; base-uri 'none'"
    ),
}


def _refused(replies: list[ChatMessage]) -> bool:
    """Whether the bus refused the form's command (nothing changed): said as a refusal."""
    return any(r.kind == REFUSAL for r in replies)
