"""The operator's configuration: every mistake is named by key, and nothing half-valid runs."""

import re
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest

from bot.core.settings import DEFAULT_TEMPLATES
from bot.errors import UsageError
from bot.ops import config

GOOD = """
state_dir = "/tmp/chb-state"
documentation = "User:ExampleConversationBot"

[schedule]
cron = "@hourly"
misfire_grace = "10m"

[[targets]]
site = "meta:meta"
page = "Global Advocacy/Conversation hours and Events"
report_page = "User:ExampleConversationBot/Report"

[[targets]]
site = "wikipedia:de"
page = "Wikipedia:Sprechstunden"
upcoming = "Kommende Sprechstunden"
log = ["Vergangene Sprechstunden", "Archiv"]
grace = "1h30m"
default_duration = "90m"
stop_page = "Benutzer:ExampleConversationBot/Stopp"
history_limit = 20
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "bot.toml"
    path.write_text(text)
    return path


def test_without_a_file_the_meta_page_is_the_one_target():
    (target,) = config.load(None).targets
    assert (target.site, target.title) == (
        "meta:meta",
        "Global Advocacy/Conversation hours and Events",
    )


def test_several_targets_on_several_wikis_are_read(tmp_path):
    loaded = config.load(write(tmp_path, GOOD))
    assert [(t.site, t.title) for t in loaded.targets] == [
        ("meta:meta", "Global Advocacy/Conversation hours and Events"),
        ("wikipedia:de", "Wikipedia:Sprechstunden"),
    ]


def test_target_settings_are_read(tmp_path):
    german = config.load(write(tmp_path, GOOD)).targets[1]
    assert german.settings.upcoming_headings == ("Kommende Sprechstunden",)
    assert german.settings.log_headings == ("Vergangene Sprechstunden", "Archiv")
    assert german.settings.grace == timedelta(hours=1, minutes=30)
    assert german.settings.default_duration == timedelta(minutes=90)
    assert german.stop_page == "Benutzer:ExampleConversationBot/Stopp"
    assert german.history_limit == 20


def test_the_documentation_page_applies_to_every_target(tmp_path):
    loaded = config.load(write(tmp_path, GOOD))
    assert {t.documentation for t in loaded.targets} == {"User:ExampleConversationBot"}


def test_schedule_and_state_are_read(tmp_path):
    loaded = config.load(write(tmp_path, GOOD))
    assert loaded.schedule.cron == "@hourly"
    assert loaded.schedule.misfire_grace == timedelta(minutes=10)
    assert loaded.state_dir == Path("/tmp/chb-state")
    assert str(loaded.schedule.trigger()).startswith("cron[")


def test_templates_default_to_the_ones_in_the_package(tmp_path):
    assert config.load(write(tmp_path, GOOD)).targets[0].settings.templates_dir is None


def test_a_templates_folder_is_relative_to_the_config_file(tmp_path):
    folder = tmp_path / "wording"
    folder.mkdir()
    for template in DEFAULT_TEMPLATES.glob("*.j2"):
        (folder / template.name).write_text(template.read_text())
    text = GOOD.replace('report_page = "User', 'templates = "wording"\nreport_page = "User')
    assert config.load(write(tmp_path, text)).targets[0].settings.templates_dir == folder


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (('page = "Wikipedia:Sprechstunden"', 'pgae = "x"'), "targets[2].pgae: unknown key"),
        (('cron = "@hourly"', 'cron = "every hour"'), "schedule.cron: bad cron expression"),
        (('cron = "@hourly"', 'cron = "61 * * * *"'), "schedule.cron: bad cron expression"),
        (('grace = "1h30m"', 'grace = "soon"'), "targets[2].grace: 'soon' is not a duration"),
        (('misfire_grace = "10m"', "misfire_grace = 10"), "schedule.misfire_grace: 10 is not"),
        (('page = "Wikipedia:Sprechstunden"', ""), "targets[2].page: missing"),
        (('site = "wikipedia:de"', 'site = "dewiki"'), "targets[2].site: 'dewiki' is not"),
        (("history_limit = 20", "history_limit = 0"), "targets[2].history_limit: must be"),
        (('log = ["Vergangene', 'log = [1, "Vergangene'), "targets[2].log: must be a heading"),
        (("[schedule]", "colour = 'blue'\n[schedule]"), "colour: unknown key"),
    ],
)
def test_a_mistake_is_refused_naming_the_key(tmp_path, change, message):
    old, new = change
    assert old in GOOD
    with pytest.raises(UsageError, match=re.escape(message)):
        config.load(write(tmp_path, GOOD.replace(old, new)))


def test_a_file_without_targets_is_refused(tmp_path):
    with pytest.raises(UsageError, match="targets: needs at least one"):
        config.load(write(tmp_path, "[schedule]\ncron = '@daily'\n"))


def test_invalid_toml_is_refused(tmp_path):
    with pytest.raises(UsageError, match="not valid TOML"):
        config.load(write(tmp_path, "[[targets]\n"))


def test_a_templates_folder_that_renders_broken_markup_is_refused(tmp_path):
    folder = tmp_path / "wording"
    folder.mkdir()
    (folder / "log_entry.wikitext.j2").write_text("{{ topic }}</translate>")
    (folder / "upcoming_empty.wikitext.j2").write_text("Nothing scheduled.")
    text = GOOD.replace('report_page = "User', 'templates = "wording"\nreport_page = "User')
    with pytest.raises(UsageError, match=re.escape("targets[1].templates: template log_entry")):
        config.load(write(tmp_path, text))


def test_the_command_line_exits_2_with_one_line_on_a_bad_config(tmp_path):
    path = write(tmp_path, GOOD.replace('cron = "@hourly"', 'cron = "every hour"'))
    done = subprocess.run(
        [sys.executable, "-m", "bot", "run", "--config", str(path)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1
    assert "schedule.cron: bad cron expression 'every hour'" in done.stderr
