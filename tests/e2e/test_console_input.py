"""Console scripts as they arrive: a byte order mark and Windows line endings (Notepad), names in
any script, standard input, and a file that is not UTF-8 — the conversation, or one clear line."""

from __future__ import annotations

import io
import sys
from pathlib import Path

import pytest

from adapters.console.translate import HELP
from bot.cli import main
from tests.e2e.console_driver import START, ConsoleDriver, Output, group

ASK = "/askmentor How do I group a pandas DataFrame by two columns and sum one of them?"
SCRIPT = ["# saved by Notepad", "as bob", "/mentor join pandas", "", "as alice", ASK, "quit"]


def console(*args: str) -> int:
    return main(["console", *args, "--now", START.isoformat()])


def notepad(lines: list[str], end: str = "\r\n") -> bytes:
    """What Windows Notepad saves as "UTF-8 with BOM": a byte order mark, CRLF line ends."""
    return b"\xef\xbb\xbf" + "".join(f"{line}{end}" for line in lines).encode()


def stdin(monkeypatch: pytest.MonkeyPatch, data: bytes, errors: str = "strict") -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data), "utf-8", errors))


def assert_conversation(out: Output) -> None:
    assert [s.text for s in out.to("console")][:2] == ["you are now bob", "you are now alice"]
    assert "Your question is #1" in out.one("only alice sees").text
    assert out.one("#mentoring").lines[0] == "Question #1"
    assert "I don't understand" not in out.text and "First say who you are" not in out.text


@pytest.mark.parametrize("end", ["\r\n", "\r"], ids=["crlf", "classic-mac"])
def test_a_script_with_a_byte_order_mark_and_crlf_runs_from_its_first_line(
    cli: tuple[Path, pytest.CaptureFixture[str]], end: str
) -> None:
    tmp, capsys = cli
    (tmp / "notepad.txt").write_bytes(notepad(SCRIPT, end))
    assert console("--script", "notepad.txt") == 0
    assert_conversation(group(capsys.readouterr().out.splitlines()))


def test_standard_input_with_a_byte_order_mark_and_crlf_runs_from_its_first_line(
    cli: tuple[Path, pytest.CaptureFixture[str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    _, capsys = cli
    stdin(monkeypatch, notepad(SCRIPT))
    assert console("--script", "-") == 0
    assert_conversation(group(capsys.readouterr().out.splitlines()))


@pytest.mark.parametrize("errors", ["strict", "surrogateescape"])
def test_standard_input_that_is_not_utf8_stops_with_one_line_naming_it(
    cli: tuple[Path, pytest.CaptureFixture[str]], monkeypatch: pytest.MonkeyPatch, errors: str
) -> None:
    """Python reads stdin strictly under a UTF-8 locale and with surrogateescape under C/POSIX:
    either way the same message, and nothing of the bad line reaches the bot."""
    _, capsys = cli
    stdin(monkeypatch, "as bob\nas zoë\nas carol\n".encode("latin-1"), errors)
    assert console("--script", "-") == 1
    captured = capsys.readouterr()
    assert captured.err == (
        "micromentor: standard input: line 2 is not UTF-8 text; save the script as UTF-8\n"
    )
    assert group(captured.out.splitlines()).text == "[console] you are now bob"


def test_a_script_file_that_is_not_utf8_stops_with_one_line_naming_it(
    cli: tuple[Path, pytest.CaptureFixture[str]],
) -> None:
    tmp, capsys = cli
    (tmp / "latin1.txt").write_bytes("as zoë\n".encode("latin-1"))
    assert console("--script", "latin1.txt") == 1
    err = capsys.readouterr().err
    assert err == "micromentor: latin1.txt: line 1 is not UTF-8 text; save the script as UTF-8\n"


@pytest.mark.parametrize("name", ["Zoë", "José", "李雷", "प्रिया", "Ærin_2", "Anne-Marie.O"])
async def test_as_accepts_a_name_in_any_script(console: ConsoleDriver, name: str) -> None:
    out = await console(f"as {name}", "/mentor list")
    assert out.one("console").text == f"you are now {name}"
    assert out.one(f"only {name} sees")


async def test_a_name_typed_as_a_mention_is_the_same_user(console: ConsoleDriver) -> None:
    out = await console("as @bob")
    assert out.one("console").text == "you are now bob"


async def test_people_with_accented_names_ask_claim_thank_and_hand_over(
    console: ConsoleDriver,
) -> None:
    await console("as Zoë", "/mentor join pandas", "as 李雷", "/mentor join pandas", "as José")
    out = await console(ASK, "as Zoë", "react ✋ 1")
    assert out.one("thread #1", "meet").lines[0] == (
        "@José meet @Zoë: a 20-minute session on question #1."
    )
    out = await console("/mentor handover 1 李雷", "as 李雷", "click accept 1")
    assert out.one("only 李雷 sees").text == "#1 is now yours. Thank you for taking it on!"
    out = await console("as José", "/kudos @李雷 for the groupby tip")
    assert out.one("#mentoring").text == "🙌 Kudos to @李雷 from José: for the groupby tip"


def test_the_same_name_in_another_unicode_form_is_the_same_user() -> None:
    """``ë`` typed as one code point or as ``e`` + combining diaeresis: one person."""
    from adapters.console.translate import console_user

    composed = console_user("Zo\u00eb")
    assert composed is not None and console_user("Zoe\u0308") == composed


# Every form of DESIGN.md's console grammar, as `help` should show it.
DOCUMENTED = [
    "as <name>",
    "/askmentor [--anonymous] [--senior] <question>",
    "cancel <n>",
    "faq <words>",
    "/askmentor mine",
    "join <skill, skill, ...>",
    "skills <",
    "hours <",
    "tz <",
    "pause [7d]",
    "resume",
    " me",
    "list [skill]",
    "leaderboard [month|all]",
    "why <n>",
    "handover <n> <name>",
    "stage <early|mid|senior|lead|executive>",
    "region <text>",
    "learn [start|stop]",
    "feedback",
    "leave",
    "home",
    "digest [YYYY-Www]",
    "stats",
    "audit",
    "export <name>",
    "forget <name>",
    "dashboard",
    "/kudos",
    "/lightning propose <topic> <YYYY-MM-DD HH:MM> <title>",
    "/lightning accept <n> <YYYY-MM-DD HH:MM> <title>",
    "list",
    "faq <n> <text>",
    "comment <n> <text>",
    "react <emoji> <n>",
    "click <action> <n>",
    "claim, release, resolve, extend, cancel, notmine, rate:1..rate:5, clarity:1..clarity:5",
    "accept, decline",
    "post, edit",
    "say <n> <text>",
    "clock +<N>m | +<N>h | +<N>d",
    "help | quit",
]


@pytest.mark.parametrize("form", DOCUMENTED)
def test_help_shows_every_documented_line(form: str) -> None:
    assert form in " ".join(HELP.split()), HELP
