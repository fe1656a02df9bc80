"""Loading bot.toml: defaults, the shipped file, and errors that name the file, the key and the fix."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import Config, ConfigError, load_config

ROOT = Path(__file__).resolve().parents[2]


def write(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "bot.toml"
    path.write_text(body, encoding="utf-8")
    return path


def test_the_shipped_bot_toml_loads_and_equals_the_defaults() -> None:
    shipped = load_config(ROOT / "bot.toml")
    assert shipped.model_dump() == Config().model_dump()


def test_values_in_the_file_override_the_defaults(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, "[session]\ntimebox_minutes = 30\n"))
    assert config.session.timebox_minutes == 30
    assert config.ask.max_length == Config().ask.max_length


def test_no_file_at_the_default_place_means_defaults(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("MICROMENTOR_CONFIG", raising=False)
    assert load_config().model_dump() == Config().model_dump()


def test_the_config_file_can_come_from_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MICROMENTOR_CONFIG", str(write(tmp_path, "[points]\ndaily_cap = 4\n")))
    assert load_config().points.daily_cap == 4


@pytest.mark.parametrize("from_env", [False, True], ids=["argument", "environment"])
def test_a_named_file_that_does_not_exist_is_an_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, from_env: bool
) -> None:
    missing = tmp_path / "nope.toml"
    if from_env:
        monkeypatch.setenv("MICROMENTOR_CONFIG", str(missing))
    with pytest.raises(ConfigError) as error:
        load_config(None if from_env else missing)
    assert str(error.value) == f"{missing}: the configuration file does not exist"


def test_invalid_toml_names_the_file_and_the_line(tmp_path: Path) -> None:
    path = write(tmp_path, "[session]\ntimebox_minutes = = 3\n")
    with pytest.raises(ConfigError) as error:
        load_config(path)
    assert str(error.value).startswith(f"{path}: not valid TOML:")
    assert "line 2" in str(error.value)


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (
            "[session]\ntimebox_minutes = 0\n",
            "[session.timebox_minutes] Input should be greater than or equal to 1 (got 0)",
        ),
        (
            "[session]\ntimebox_minutes = 'twenty'\n",
            "[session.timebox_minutes] Input should be a valid integer",
        ),
        (
            "[sesion]\ntimebox_minutes = 20\n",
            "unknown section [sesion]; did you mean [session]?",
        ),
        ("[ask]\nmax_len = 10\n", "[ask.max_len] unknown key"),
        ("[bot]\ntimezone = 'Mars/Base'\n", "[bot.timezone] `Mars/Base` is not a timezone I know"),
        ("[bot]\nlog_level = 'LOUD'\n", "[bot.log_level] Input should be 'DEBUG', 'INFO'"),
        ("[digest]\ntime = '9 am'\n", "[digest.time] expected a time like 09:00 (got '9 am')"),
        ("[mentors]\ndefault_hours = 'always'\n", "[mentors.default_hours] I could not read"),
        (
            "[[nudges.escalation]]\nafter_minutes = 30\naction = 'dm_next'\n"
            "[[nudges.escalation]]\nafter_minutes = 10\naction = 'admins'\n",
            "[nudges.escalation] each escalation step's after_minutes must be larger than the one "
            "before; they are 30, 10",
        ),
        (
            "[[nudges.escalation]]\nafter_minutes = 10\naction = 'shout'\n",
            "[nudges.escalation.0.action] Input should be 'dm_next', 'channel_bump'",
        ),
        ("[slack]\nthread_mode = 'dm'\n", "[slack.thread_mode] Input should be 'thread' or"),
        (
            "[mentors]\ndefault_timezone = 'PST'\n",
            "[mentors.default_timezone] `PST` is not a timezone I know",
        ),
        ("[channels]\nmentoring = ''\n", "[channels.mentoring] expected a channel name"),
        ("[channels]\nmentoring = ' # '\n", "[channels.mentoring] expected a channel name"),
        ("[channels]\nadmin = '#'\n", "[channels.admin] expected a channel name"),
        ("[channels]\nescalation = '#'\n", "[channels.escalation] expected a channel name"),
        ("[claim]\nemoji = ['']\n", "[claim.emoji] '' is blank"),
        ("[claim]\nresolve_emoji = ['  ']\n", "[claim.resolve_emoji] '  ' is blank"),
        (
            "[claim]\nemoji = ['raisedhand']\n",
            "[claim.emoji] 'raisedhand' is not an emoji name; did you mean 'raised_hand'?",
        ),
        (
            "[dashboard]\npublic_url = 'mentor.example.com'\n",
            "[dashboard.public_url] expected an absolute http(s) URL",
        ),
        ("[dashboard]\npublic_url = 'https://'\n", "[dashboard.public_url] expected"),
    ],
    ids=[
        "too-small",
        "wrong-type",
        "unknown-section",
        "unknown-key",
        "bad-timezone",
        "bad-choice",
        "bad-time",
        "bad-hours",
        "unordered-ladder",
        "bad-ladder-action",
        "bad-thread-mode",
        "bad-mentor-timezone",
        "empty-channel",
        "hash-only-channel",
        "hash-only-admin-channel",
        "hash-only-escalation-channel",
        "blank-claim-emoji",
        "blank-resolve-emoji",
        "misspelt-emoji-name",
        "relative-public-url",
        "hostless-public-url",
    ],
)
def test_a_bad_value_names_the_file_the_key_and_what_is_expected(
    tmp_path: Path, body: str, expected: str
) -> None:
    path = write(tmp_path, body)
    with pytest.raises(ConfigError) as error:
        load_config(path)
    assert f"{path}: {expected}" in str(error.value)


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    path = write(tmp_path, "[session]\ntimebox_minutes = 0\nextend_minutes = 0\n")
    with pytest.raises(ConfigError) as error:
        load_config(path)
    problems = str(error.value).splitlines()
    assert [p.split("]")[0] for p in problems] == [
        f"{path}: [session.timebox_minutes",
        f"{path}: [session.extend_minutes",
    ]


def test_a_relative_sqlite_path_is_taken_next_to_the_config_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("DATABASE_URL", raising=False)
    config = load_config(write(tmp_path, "[bot]\ndatabase_url = 'sqlite+aiosqlite:///mm.db'\n"))
    assert config.database_url() == f"sqlite+aiosqlite:///{tmp_path.resolve() / 'mm.db'}"


def test_database_url_from_the_environment_wins(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgresql+asyncpg://db/mm")
    assert load_config(write(tmp_path, "")).database_url() == "postgresql+asyncpg://db/mm"


def test_an_empty_claim_emoji_list_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, "[claim]\nemoji = []\n")
    with pytest.raises(ConfigError) as error:
        load_config(path)
    assert f"{path}: [claim.emoji] List should have at least 1 item" in str(error.value)


def test_an_unusable_database_url_is_refused_without_showing_its_password(
    tmp_path: Path,
) -> None:
    path = write(tmp_path, "[bot]\ndatabase_url = 'mysql://u:s3cret@db/mm'\n")
    with pytest.raises(ConfigError) as error:
        load_config(path)
    message = str(error.value)
    assert message.startswith(f"{path}: [bot.database_url] expected `sqlite+aiosqlite:///")
    assert "mysql://…" in message and "s3cret" not in message


def test_an_unusable_database_url_in_the_environment_is_a_config_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DATABASE_URL", "mysql://u:s3cret@db/mm")
    config = load_config(write(tmp_path, ""))
    with pytest.raises(ConfigError) as error:
        config.database_url()
    assert str(error.value).startswith("DATABASE_URL: expected")
    assert "s3cret" not in str(error.value)


@pytest.mark.parametrize(
    ("given", "used"),
    [
        ("postgres://u:pw@db/mm", "postgresql+asyncpg://u:pw@db/mm"),
        ("postgresql://u:pw@db/mm?sslmode=require", "postgresql+asyncpg://u:pw@db/mm?ssl=require"),
        (
            "postgresql+asyncpg://u:pw@db/mm?application_name=mm&sslmode=verify-full",
            "postgresql+asyncpg://u:pw@db/mm?application_name=mm&ssl=verify-full",
        ),
    ],
)
def test_a_libpq_style_postgres_url_is_taken_as_asyncpg_with_ssl(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, given: str, used: str
) -> None:
    monkeypatch.setenv("DATABASE_URL", given)
    assert load_config(write(tmp_path, "")).database_url() == used


@pytest.mark.parametrize("name", ["admin", "alice", "U0123ABCD", "slack:alice", "discord:bob"])
def test_an_admin_given_by_name_is_refused_with_how_to_find_the_id(
    tmp_path: Path, name: str
) -> None:
    path = tmp_path / "bot.toml"
    path.write_text(f'[bot]\nadmins = ["{name}"]\n', encoding="utf-8")
    with pytest.raises(ConfigError) as refused:
        load_config(path)
    message = str(refused.value)
    assert "[bot.admins]" in message and "Copy member ID" in message and "Copy User ID" in message


@pytest.mark.parametrize(
    "admin_id", ["slack:U0123ABCD", "slack:W012AB3CD", "discord:123456789012345678"]
)
def test_admins_given_by_platform_id_load(tmp_path: Path, admin_id: str) -> None:
    path = tmp_path / "bot.toml"
    path.write_text(f'[bot]\nadmins = ["{admin_id}"]\n', encoding="utf-8")
    assert load_config(path).bot.admins == [admin_id]


def test_there_is_no_default_admin() -> None:
    assert Config().bot.admins == []


@pytest.mark.parametrize(
    "body",
    [
        "[channels]\nescalation = ''\nmentoring = '#help'\n",
        "[claim]\nemoji = ['raised_hands', ':hand:', '🙌']\n",
        "[dashboard]\npublic_url = 'http://10.0.0.5:3000'\n",
        "[dashboard]\npublic_url = 'HTTPS://Mentor.Example.com'\n",
        "[mentors]\ndefault_timezone = 'America/Los_Angeles'\n",
    ],
)
def test_good_values_near_the_refused_ones_load(tmp_path: Path, body: str) -> None:
    load_config(write(tmp_path, body))


def test_a_password_with_an_unencoded_at_sign_is_refused_without_any_of_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgresql://postgres:Pa@ssW0rdX@127.0.0.1:5432/x")
    with pytest.raises(ConfigError) as error:
        Config().database_url()
    message = str(error.value)
    assert "percent-encode `@` in the password as %40" in message
    for part in ("Pa", "ssW0rdX", "127.0.0.1", "postgres:"):
        assert part not in message, message


def test_without_a_bot_toml_a_note_names_the_path_and_says_defaults_are_used(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from bot.config import defaults_note

    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("MICROMENTOR_CONFIG", raising=False)
    note = defaults_note(load_config())
    assert note is not None
    assert str(tmp_path / "bot.toml") in note and "built-in defaults" in note
    assert defaults_note(load_config(ROOT / "bot.toml")) is None
    monkeypatch.chdir(ROOT)
    assert defaults_note(load_config()) is None


def test_dashboard_links_lead_to_public_url_then_public_url_env_then_localhost(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from bot.privacy.signin import dashboard_base_url

    monkeypatch.delenv("PUBLIC_URL", raising=False)
    plain = Config()
    assert dashboard_base_url(plain, port=3001) == "http://localhost:3001"
    monkeypatch.setenv("PUBLIC_URL", " https://mentor.example.com/ ")
    assert dashboard_base_url(plain, port=3001) == "https://mentor.example.com"
    configured = Config.model_validate({"dashboard": {"public_url": "https://admin.example.org/"}})
    assert dashboard_base_url(configured) == "https://admin.example.org"  # bot.toml wins
    monkeypatch.setenv("PUBLIC_URL", "mentor.example.com")  # not a URL: not a link either
    assert dashboard_base_url(plain) == "http://localhost:3001"  # `micromentor dashboard`
