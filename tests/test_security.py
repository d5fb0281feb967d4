"""What an editor of the page can make the bot write, what an operator's template can make it
write, and what the repository must never carry.

Anyone can edit the page, and the bot copies an event's title into the log. Whatever the title,
the entry shows the title as readers saw it and forms no markup: no template, link, tag, unit
marker, signature, magic word, bold or new line.
"""

import html
import os
import re
import shutil
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.core.change import edit, safety
from bot.core.change.plan import plan
from bot.core.change.render import Renderer
from bot.core.page.reader import read_page
from bot.core.pipeline import transform
from bot.core.settings import DEFAULT_TEMPLATES, Settings
from bot.core.wikitext import translate_markup as translate
from bot.core.wikitext.escape import escape_wikitext
from bot.errors import Refusal
from tests.conftest import META, META_PATH, WRITTEN, page, utc

ROOT = Path(__file__).resolve().parent.parent
NOW = utc("2023-07-01T00:00:00")

HOSTILE = [
    "}}{{Delete|",
    "</translate>",
    "<translate>",
    "<!--T:5-->",
    "[[Category:Spam]]",
    "~~~~",
    "__NOTOC__",
    "'''bold'''",
    "''italic''",
    "<script>alert(1)</script>",
    "{{subst:x}}",
    "line one\nline two",
    "* list",
    "# list",
    "== Heading ==",
    "<nowiki>",
    "[https://spam.example spam]",
    "&lt;b&gt; and &#123;&#123;x}}",
    "{{#invoke:Mod|f}} | {{!}}",
    "-{zh-hans:x}-",
    "#REDIRECT [[Spam]]",
]
#: Markup that must not be live in a log entry the bot wrote.
LIVE = ("{{", "}}", "[[", "]]", "<translate", "</translate", "<!--", "~~~", "__", "''", "<script")


def as_readers_see(value: str) -> str:
    """Writes `value` into wikitext so that readers see exactly `value`, markup and all."""
    return "".join(f"&#{ord(c)};" if c in "<>[]{}|~'_*#:;=&!-\n" else c for c in value)


def decoded(wikitext: str) -> str:
    """The text readers see of entity-escaped plain text (MediaWiki decodes only `&...;`)."""
    return re.sub(r"&(?:#\d+|#x[0-9a-fA-F]+|\w+);", lambda m: html.unescape(m.group()), wikitext)


def plain_page(announcement: str) -> str:
    return (
        "== Upcoming Conversation Hours ==\n"
        f"{announcement}\n"
        "* June 26, 2023 @ 12:00 UTC\n\n"
        "There are no more regularly upcoming conversation hours.\n\n"
        "== Log of Previous Conversation Hours ==\n"
        "* June 29, 2022. Topic: Disinformation.\n"
    )


def meta_page(announcement: str) -> str:
    real = META
    old = next(line for line in real.split("\n") if line.startswith("'''Ad-hoc conversation"))
    return real.replace(old, announcement)


def new_lines(old: str, new: str) -> list[str]:
    before = set(old.split("\n"))
    return [line for line in new.split("\n") if line not in before]


_ENTRY = re.compile(
    r"\* (?:<translate>(?:<!--T:\d+--> )?)?\w+ \d+, \d{4} \(\d+:\d\d UTC\)\."
    r"(?: Topic: (?P<topic>.*?))?(?:</translate>)?"
)


def topic_of(entry: str) -> str:
    match = _ENTRY.fullmatch(entry)
    assert match, f"not a log entry in the log's style: {entry!r}"
    return match["topic"] or ""


def assert_no_live_markup(entry: str) -> None:
    topic = topic_of(entry)
    for markup in LIVE:
        assert markup not in topic, f"{markup!r} is live in {entry!r}"
    assert not re.search(r"[<>\[\]{}|~\r\n\u2028\u2029]", topic), topic
    assert not re.match(r"[*#:;=]", topic), topic


def checked_run(text: str) -> tuple[list[str], str]:
    """Runs the job, then the safety net on its own and the validator: the log entries."""
    settings = Settings()
    page = read_page(text, settings)
    decided = plan(page.blocks, NOW, settings, {}, WRITTEN)
    change = edit.build(page, decided, Renderer(settings.templates_dir))
    safety.verify(page, decided, change)
    translate.validate(change.text)
    result = transform(text, NOW, default_written_at=WRITTEN)
    assert result.text == change.text
    entries = [line for line in new_lines(text, result.text) if line.startswith("* ")]
    assert len(entries) == len(change.entries) == len(result.moves) > 0
    return entries, result.text


@pytest.mark.parametrize("shape", [plain_page, meta_page], ids=["plain", "meta"])
@pytest.mark.parametrize("value", HOSTILE)
def test_a_hostile_title_shows_as_text_in_the_log(value, shape):
    """The title as readers see it (written with entities) reaches the log as that same text."""
    text = shape(f"'''{as_readers_see(value)}''' Join us.")
    entries, _ = checked_run(text)
    for entry in entries:
        assert_no_live_markup(entry)
        # Text that reads as an entity is read as the character it names (escape_wikitext
        # decodes first, so that escaping twice changes nothing).
        expected = " ".join(html.unescape(value).split()).rstrip(".-")
        assert decoded(topic_of(entry)).rstrip(".") == expected


@pytest.mark.parametrize("shape", [plain_page, meta_page], ids=["plain", "meta"])
@pytest.mark.parametrize("value", HOSTILE)
def test_a_hostile_title_written_as_markup_forms_none_in_the_log(value, shape):
    """The title written as markup: a page Translate would reject is refused, anything else
    yields an entry with nothing live in it."""
    text = shape(f"'''{value}''' Join us.")
    try:
        entries, _ = checked_run(text)
    except Refusal:
        return  # the page itself is broken: refusing it is right
    for entry in entries:
        assert_no_live_markup(entry)


@given(st.text())
def test_escaped_text_forms_no_markup_and_reads_the_same(value):
    escaped = escape_wikitext(value)
    assert not re.search(r"[<>\[\]{}|~\r\n]", escaped)
    assert "''" not in escaped
    assert not re.search(r"__\w+__", escaped)  # no magic word
    assert not re.match(r"[*#:;=]", escaped)
    assert decoded(escaped) == unicodedata.normalize("NFC", " ".join(html.unescape(value).split()))
    assert escape_wikitext(escaped) == escaped  # escaping twice changes nothing


# --- an operator's template ---------------------------------------------------------------------


def templates(tmp_path: Path, **sources: str) -> Settings:
    """A templates folder with the shipped templates, some of them replaced."""
    folder = tmp_path / "templates"
    shutil.copytree(DEFAULT_TEMPLATES, folder)
    for name, source in sources.items():
        (folder / f"{name}.wikitext.j2").write_text(source, encoding="utf-8")
    return Settings(templates_dir=folder)


#: A page on which each template renders, when, and a value it can render (TEXT below).
TEMPLATE_PAGES = {
    "log_entry": (META, NOW, "{{ topic | wikitext }}"),
    "upcoming_empty": (page("one-unit-per-list"), utc("2023-07-10T00:00:00"), "Nothing yet."),
}


@pytest.mark.parametrize(
    "source",
    [
        "TEXT</translate>",
        "<translate>TEXT",
        "<Translate>TEXT</Translate>",
        "<!--T:5--> TEXT",
        "TEXT\nsecond line",
        "TEXT\rsecond line",  # MediaWiki saves a lone CR as a line break
        "== TEXT ==",
        "",
        "TEXT {{ no_such_value }}",
        "TEXT {% if %}",
    ],
    ids=[
        "closing-tag",
        "opening-tag",
        "tag-capitalised",
        "unit-marker",
        "two-lines",
        "carriage-return",
        "heading",
        "empty",
        "undefined-value",
        "syntax-error",
    ],
)
@pytest.mark.parametrize("template", sorted(TEMPLATE_PAGES))
def test_a_template_rendering_bad_markup_is_refused_before_any_output(template, source, tmp_path):
    text, now, value = TEMPLATE_PAGES[template]
    settings = templates(tmp_path, **{template: source.replace("TEXT", value)})
    with pytest.raises(Refusal):
        transform(text, now, settings, default_written_at=WRITTEN)


@pytest.mark.parametrize("template", sorted(TEMPLATE_PAGES))
def test_the_shipped_templates_render_from_a_copied_folder(template, tmp_path):
    """The folder the tests above break is a working one to begin with, and so is TEXT."""
    text, now, value = TEMPLATE_PAGES[template]
    settings = templates(tmp_path, **{template: value})
    result = transform(text, now, settings, default_written_at=WRITTEN)
    assert result.moves
    assert result.placeholder == (template == "upcoming_empty")


# --- credentials --------------------------------------------------------------------------------

CREDENTIALS = ("user-config.py", "user-password.py", "pywikibot.lwp", "cookies.lwp")


def git(*args: str) -> subprocess.CompletedProcess:
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.skip("not a git checkout")
    return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, timeout=60)


#: The Toolforge template reads every secret from the environment (tests/test_toolforge.py).
SECRET_FREE_TEMPLATES = ("scripts/toolforge/user-config.py",)


def is_credential(path: str) -> bool:
    if path in SECRET_FREE_TEMPLATES:
        return False
    name = path.rsplit("/", 1)[-1]
    return name in ("user-config.py", "user-password.py") or name.endswith(".lwp")


def test_the_repository_tracks_no_credentials():
    tracked = git("ls-files", "-z").stdout.split("\0")
    assert [path for path in tracked if is_credential(path)] == []


def test_no_commit_ever_added_credentials():
    added = git("log", "--all", "--diff-filter=A", "--name-only", "--format=").stdout.split("\n")
    assert [path for path in added if is_credential(path)] == []


@pytest.mark.parametrize("path", [*CREDENTIALS, "deploy/user-config.py", "x/y/user-password.py"])
def test_gitignore_keeps_credentials_out(path):
    assert git("check-ignore", "--no-index", "--quiet", path).returncode == 0, path


def test_a_planted_pywikibot_configuration_leaks_into_no_output(tmp_path):
    secret, bot_password = "hunter2-Planted-Secret-71f3", "bp-planted-9c2e4d7a1b"
    (tmp_path / "user-config.py").write_text(
        f"family = 'meta'\nmylang = 'meta'\nusernames['meta']['meta'] = 'Bot'\n"
        f"password_file = 'user-password.py'\n# {secret}\n",
        encoding="utf-8",
    )
    (tmp_path / "user-password.py").write_text(
        f"('Bot', BotPassword('run', '{bot_password}'))\n", encoding="utf-8"
    )
    (tmp_path / "user-password.py").chmod(0o600)
    env = {**os.environ, "PYWIKIBOT_DIR": str(tmp_path)}
    for args in (
        ["run", "--file", str(META_PATH), "--now", "2023-07-01T00:00:00Z", "--json"],
        ["run", "--file", str(META_PATH), "--now", "2023-07-01T00:00:00Z"],
        ["check", "--file", str(META_PATH), "--now", "2023-07-01T00:00:00Z"],
        ["--debug", "run", "--file", str(tmp_path / "user-password.py"), "--now", "2023-07-01"],
    ):
        done = subprocess.run(
            [sys.executable, "-m", "bot", *args],
            capture_output=True,
            text=True,
            env=env,
            timeout=60,
        )
        assert done.returncode in (0, 3), done.stderr
        assert secret not in done.stdout + done.stderr
        assert bot_password not in done.stdout + done.stderr


def test_a_value_a_template_forgets_to_filter_is_escaped_all_the_same(tmp_path):
    folder = tmp_path / "wording"
    folder.mkdir()
    (folder / "log_entry.wikitext.j2").write_text("{{ topic }}")
    (folder / "upcoming_empty.wikitext.j2").write_text("Nothing scheduled.")
    rendered = Renderer(folder).render("log_entry.wikitext.j2", topic="[[Category:Spam]] {{x}}")
    assert rendered == "&#91;&#91;Category:Spam&#93;&#93; &#123;&#123;x&#125;&#125;"
