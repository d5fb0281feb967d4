"""The operator's configuration: every mistake is named by key, and nothing half-valid runs."""

import re
import subprocess
import sys
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from apscheduler.triggers.cron import CronTrigger
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.core.settings import DEFAULT_TEMPLATES
from bot.errors import UsageError
from bot.ops import config
from bot.ops.config import Target
from tests.conftest import assert_usage_error

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


def test_the_words_that_call_a_session_off_can_be_the_pages_own(tmp_path):
    text = GOOD.replace("history_limit = 20", 'cancelled_words = ["Abgesagt", "verschoben"]')
    settings = config.load(write(tmp_path, text)).targets[1].settings
    assert settings.cancelled_words == ("abgesagt", "verschoben")


def test_without_cancelled_words_the_english_ones_apply(tmp_path):
    settings = config.load(write(tmp_path, GOOD)).targets[0].settings
    assert "cancelled" in settings.cancelled_words


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
        (('cron = "@hourly"', 'cron = "0 0 * * 0"'), "weekday '0': write * or day names"),
        (('grace = "1h30m"', 'grace = "soon"'), "targets[2].grace: 'soon' is not a duration"),
        (('misfire_grace = "10m"', "misfire_grace = 10"), "schedule.misfire_grace: 10 is not"),
        (('page = "Wikipedia:Sprechstunden"', ""), "targets[2].page: missing"),
        (
            ('site = "wikipedia:de"', 'site = "wikipedia:de:x"'),
            "targets[2].site: 'wikipedia:de:x' is not",
        ),
        (("history_limit = 20", "history_limit = 0"), "targets[2].history_limit: must be"),
        (
            ("history_limit = 20", 'cancelled_words = "abgesagt"'),
            "targets[2].cancelled_words: must be a list of words",
        ),
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
    assert_usage_error(done, "schedule.cron: bad cron expression 'every hour'")


# --- cron expressions, checked without APScheduler -----------------------------------------

REPO = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize(
    "cron",
    [
        *config.MACROS,
        "*/15 * * * *",
        "0 6-18/2 * * mon-fri",
        "30 7 1,15 jan-jun *",
        "0 0 * * sat,SUN",
        "5 4 * 2,dec *",
        "0-59/59 23 31 12 *",
    ],
)
def test_a_cron_expression_apscheduler_takes_is_accepted(cron):
    assert config.cron_problem(cron) is None
    assert config.Schedule(cron).trigger()


@pytest.mark.parametrize(
    ("cron", "problem"),
    [
        ("@often", "needs 5 fields"),
        ("* * * *", "got 4"),
        ("60 * * * *", "minute '60': '60': outside 0-59"),
        ("0 24 * * *", "hour '24'"),
        ("0 0 0 * *", "day of month '0'"),
        ("0 0 * 13 *", "month '13'"),
        ("30-10 * * * *", "runs backwards"),
        ("*/0 * * * *", "the step must be from 1"),
        ("*/60 * * * *", "the step must be from 1"),
        ("5/10 * * * *", "a step goes with * or a range"),
        ("1,,2 * * * *", "'' is not *, a number"),
        ("0 0 * dec-jan *", "runs backwards"),
        ("0 0 * * fry", "'fry' is not one of mon"),
        ("0 0 * * 1-5", "write * or day names (mon-sun), not numbers"),
        ("0 0 * * */2", "not numbers"),
        ("0 0 1 * mon", "a day of month or a weekday, not both"),
    ],
)
def test_a_cron_expression_is_refused_naming_the_problem(cron, problem):
    assert problem in (config.cron_problem(cron) or "")


def test_weekly_passes_run_on_sundays_as_in_cron():
    tuesday = datetime(2026, 11, 24, 12, tzinfo=UTC)
    fire = config.Schedule("@weekly").trigger().get_next_fire_time(None, tuesday)
    assert (fire.strftime("%A"), fire.hour) == ("Sunday", 0)


def field(top: int, names: list[str]) -> st.SearchStrategy[str]:
    """A cron field near the valid range: numbers to `top`, a step, names and near-names."""
    number = st.integers(0, top)
    element = st.one_of(
        st.just("*"),
        st.builds("*/{}".format, number),
        st.builds(str, number),
        st.builds("{}-{}".format, number, number),
        st.builds("{}-{}/{}".format, number, number, number),
        st.builds("{}/{}".format, number, number),
        st.sampled_from(names),
        st.builds("{}-{}".format, st.sampled_from(names), st.sampled_from(names)),
    )
    return st.one_of(st.just("*"), st.lists(element, min_size=1, max_size=3).map(",".join))


MONTHS = ["jan", "Jun", "dec", "xyz"]
WEEKDAYS = ["mon", "FRI", "sun", "sunday"]
CRON = st.tuples(
    field(61, ["jan"]), field(25, ["mon"]), field(32, MONTHS), field(13, MONTHS), field(7, WEEKDAYS)
).map(" ".join)


@settings(derandomize=True, max_examples=1000, deadline=None)
@given(CRON)
def test_what_the_check_accepts_apscheduler_accepts(cron):
    # About one in ten is accepted, and each of those must build a trigger.
    if config.cron_problem(cron) is None:
        CronTrigger.from_crontab(cron, timezone="UTC")


def test_loading_a_configuration_imports_no_scheduler(tmp_path):
    probe = (
        "import sys\nfrom pathlib import Path\nimport bot.ops.scheduler\n"
        "from bot.ops import config\n"
        f"config.load(Path({str(write(tmp_path, GOOD))!r}))\n"
        "print(sorted(m for m in sys.modules if m.startswith('apscheduler')))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], cwd=REPO, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


def test_a_family_alone_is_read_as_pywikibot_reads_site_meta(tmp_path):
    path = tmp_path / "bot.toml"
    path.write_text('[[targets]]\nsite = "meta"\npage = "P"\n', encoding="utf-8")
    assert config.load(path).targets[0].site == "meta:meta"


@pytest.mark.parametrize("value", ["5s", "7h", "soon"])
def test_a_pass_deadline_out_of_range_is_refused(tmp_path, value):
    path = tmp_path / "bot.toml"
    path.write_text(f'deadline = "{value}"\n[[targets]]\npage = "P"\n', encoding="utf-8")
    with pytest.raises(UsageError, match="deadline"):
        config.load(path)


# --- opt-in: wikis where any page may enable the bot ------------------------------------------

OPTIN = """
documentation = "User:ExampleConversationBot"

[[optin]]
site = "meta:meta"
optin_template = "User:ExampleConversationBot/config"
namespaces = [0, 4]
max_pages = 50
max_edits_per_day = 2
status_page = "User:ExampleConversationBot/Opt-in status"
"""


def test_opt_in_alone_is_a_configuration(tmp_path):
    loaded = config.load(write(tmp_path, OPTIN))
    assert loaded.targets == ()
    (wiki,) = loaded.optins
    assert (wiki.site, wiki.template, wiki.namespaces) == (
        "meta:meta",
        "User:ExampleConversationBot/config",
        (0, 4),
    )
    assert (wiki.max_pages, wiki.max_edits_per_day) == (50, 2)
    assert wiki.page.status_page == "User:ExampleConversationBot/Opt-in status"
    assert wiki.page.documentation == "User:ExampleConversationBot"


def test_opt_in_bounds_have_defaults(tmp_path):
    text = OPTIN.replace("namespaces = [0, 4]\nmax_pages = 50\nmax_edits_per_day = 2\n", "")
    (wiki,) = config.load(write(tmp_path, text)).optins
    assert (wiki.namespaces, wiki.max_pages, wiki.max_edits_per_day) == ((0,), 200, 4)


def test_opt_in_allows_archives_only_under_the_pages_until_the_operator_names_prefixes(tmp_path):
    (wiki,) = config.load(write(tmp_path, OPTIN)).optins
    assert wiki.archive_prefixes == ()
    text = OPTIN + 'archive_prefixes = ["Meta:Archives/", " Help:Old sessions/ "]\n'
    (wiki,) = config.load(write(tmp_path, text)).optins
    assert wiki.archive_prefixes == ("Meta:Archives/", "Help:Old sessions/")


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ('"Meta:Archives/"', "must be a list of title prefixes"),
        ("[1]", "must be a list of title prefixes"),
        ('["Meta:Archives"]', "'Meta:Archives' does not end in /"),
        ('[""]', "'' is not a full title ending in /"),
        ('["/Archives/"]', "'/Archives/' is not a full title ending in /"),
        ('["Meta:Archives|x/"]', "holds |, which an archive's title cannot hold"),
    ],
)
def test_a_bad_archive_prefix_is_refused_naming_the_key(tmp_path, value, message):
    path = write(tmp_path, OPTIN + f"archive_prefixes = {value}\n")
    with pytest.raises(UsageError) as caught:
        config.load(path)
    assert str(caught.value).startswith(f"{path}: optin[1].archive_prefixes: ")
    assert message in str(caught.value) and "\n" not in str(caught.value)


def test_a_zone_for_times_written_without_one_is_read(tmp_path):
    text = GOOD.replace("history_limit = 20", 'zone = "Europe/Berlin"')
    assert str(config.load(write(tmp_path, text)).targets[1].settings.zone) == "Europe/Berlin"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (('site = "meta:meta"\n', ""), "optin[1].site: missing"),
        (('optin_template = "User:ExampleConversationBot/config"\n', ""), "optin_template: miss"),
        (("namespaces = [0, 4]", 'namespaces = ["Main"]'), "optin[1].namespaces: must be a list"),
        (("namespaces = [0, 4]", "namespaces = []"), "optin[1].namespaces: must be a list"),
        (("max_pages = 50", "max_pages = 0"), "optin[1].max_pages: must be a whole number"),
        (("max_edits_per_day = 2", "max_edits_per_day = 49"), "max_edits_per_day: must be"),
        (("max_pages = 50", 'upcoming = "Upcoming"'), "optin[1].upcoming: unknown key"),
        (("max_pages = 50", "max_pages = true"), "optin[1].max_pages: must be a whole number"),
    ],
)
def test_an_opt_in_mistake_is_refused_naming_the_key(tmp_path, change, message):
    old, new = change
    assert old in OPTIN
    with pytest.raises(UsageError, match=re.escape(message)):
        config.load(write(tmp_path, OPTIN.replace(old, new)))


def test_two_opt_in_tables_for_one_wiki_are_refused(tmp_path):
    with pytest.raises(UsageError, match=re.escape("meta:meta has two [[optin]] tables")):
        config.load(write(tmp_path, OPTIN + OPTIN.split("\n", 2)[2]))


def test_a_zone_that_is_no_zone_is_refused(tmp_path):
    text = GOOD.replace("history_limit = 20", 'zone = "CEST"')
    with pytest.raises(UsageError, match=re.escape("targets[2].zone: 'CEST' is not UTC or an")):
        config.load(write(tmp_path, text))


def test_a_pass_groups_targets_by_wiki_and_keeps_a_wiki_where_pages_only_opt_in():
    meta, de = Target(site="meta:meta", title="A"), Target(site="wikipedia:de", title="B")
    optin = config.OptInWiki("User:Bot/config", Target(site="devwiki:en", title=""))
    assert config.by_site([meta, de, replace(meta, title="C")], [optin]) == {
        "meta:meta": ([meta, replace(meta, title="C")], None),
        "wikipedia:de": ([de], None),
        "devwiki:en": ([], optin),
    }
