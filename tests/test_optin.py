"""The opt-in template an editor writes on a page: what each parameter sets, and the one line
an editor reads when the template is wrong (the mistakes archivebot's FAQ answers most)."""

from datetime import UTC, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.core.optin import Mode, key, read_optin
from bot.core.settings import Settings
from bot.errors import Refusal

TEMPLATE = "User:ConversationBot/config"
CALL = """{{User:ConversationBot/config
|upcoming = Upcoming office hours
|log = Past office hours
}}"""
SECTIONS = """Our office hours are open to everyone.

== Upcoming office hours ==
* 14 February 2024, 16:00 UTC: Annual plan questions
== Past office hours ==
* 10 January 2024: Welcome session
"""
PAGE = f"{CALL}\n{SECTIONS}"


def with_parameters(*lines: str) -> str:
    """The page with the call's parameters replaced by `lines`."""
    return "{{User:ConversationBot/config\n" + "\n".join(lines) + "\n}}\n" + SECTIONS


def headings(*more: str) -> tuple[str, ...]:
    return ("|upcoming = Upcoming office hours", "|log = Past office hours", *more)


def refused(text: str) -> Refusal:
    with pytest.raises(Refusal) as caught:
        read_optin(text, [TEMPLATE])
    return caught.value


# --- what the parameters set ----------------------------------------------------------------


def test_the_headings_name_the_sections_and_the_rest_keeps_the_defaults():
    optin = read_optin(PAGE, [TEMPLATE])
    assert optin.settings == Settings(
        upcoming_headings=("Upcoming office hours",), log_headings=("Past office hours",)
    )
    assert (optin.mode, optin.translations, optin.archive, optin.line) == (
        Mode.EDIT,
        True,
        None,
        1,
    )


@pytest.mark.parametrize(
    ("parameter", "field", "value"),
    [
        ("|grace = 2h", "grace", timedelta(hours=2)),
        ("|grace = 0m", "grace", timedelta(0)),
        ("|duration = 1h30m", "default_duration", timedelta(minutes=90)),
        ("|zone = Europe/Berlin", "zone", ZoneInfo("Europe/Berlin")),
        ("|zone = utc", "zone", UTC),
        ("|cancelled = abgesagt, verschoben", "cancelled_words", ("abgesagt", "verschoben")),
    ],
)
def test_a_parameter_sets_its_setting(parameter, field, value):
    optin = read_optin(with_parameters(*headings(parameter)), [TEMPLATE])
    assert getattr(optin.settings, field) == value


@pytest.mark.parametrize(
    ("parameter", "attribute", "value"),
    [
        ("|mode = preview", "mode", Mode.PREVIEW),
        ("|mode = Edit", "mode", Mode.EDIT),
        ("|translations = no", "translations", False),
        ("|translations = yes", "translations", True),
        ("|archive = /Archive/%(year)d", "archive", "/Archive/%(year)d"),
    ],
)
def test_a_parameter_sets_how_the_bot_works_on_the_page(parameter, attribute, value):
    optin = read_optin(with_parameters(*headings(parameter)), [TEMPLATE])
    assert getattr(optin, attribute) == value


def test_further_heading_names_are_numbered():
    text = with_parameters(*headings("|upcoming2 = Next sessions", "|log3 = Archive"))
    optin = read_optin(text, [TEMPLATE])
    assert optin.settings.upcoming_headings == ("Upcoming office hours", "Next sessions")
    assert optin.settings.log_headings == ("Past office hours", "Archive")


def test_a_comment_in_a_value_is_the_editors_note_not_the_value():
    text = with_parameters(*headings("|grace = 2h <!-- the calls run over -->"))
    assert read_optin(text, [TEMPLATE]).settings.grace == timedelta(hours=2)


def test_an_empty_parameter_is_not_given():
    text = with_parameters(*headings("|grace =", "|mode = "))
    optin = read_optin(text, [TEMPLATE])
    assert (optin.settings.grace, optin.mode) == (Settings().grace, Mode.EDIT)


def test_the_operators_settings_are_the_defaults_a_page_starts_from():
    base = Settings(grace=timedelta(hours=3))
    assert read_optin(PAGE, [TEMPLATE], base).settings.grace == timedelta(hours=3)


@pytest.mark.parametrize(
    "written",
    [
        "{{User:ConversationBot/config",
        "{{user:ConversationBot/config",
        "{{User:ConversationBot/config ",
        "{{ User_talk_redirect }}",
        "{{User:Conversation_Bot_redirect",
    ],
    ids=["as titled", "namespace in lower case", "spaces", "a redirect", "underscores"],
)
def test_the_call_is_found_however_the_title_is_spelt(written):
    names = [TEMPLATE, "User talk redirect", "User:Conversation Bot redirect"]
    call = written if written.endswith("}}") else written + "\n|upcoming = x\n|log = y\n}}"
    text = f"{call}\n{SECTIONS}"
    if written.endswith("}}"):  # a redirect without parameters: the headings are missing
        assert "upcoming: missing" in refused_with(text, names).reason
    else:
        assert "upcoming: no section titled 'x'" in refused_with(text, names).reason


def refused_with(text: str, names: list[str]) -> Refusal:
    with pytest.raises(Refusal) as caught:
        read_optin(text, names)
    return caught.value


def test_a_title_differing_after_its_first_letter_is_another_template():
    text = PAGE.replace("ConversationBot/config", "ConversationBot/Config", 1)
    assert "not written on this page" in refused(text).reason


@pytest.mark.parametrize(
    ("title", "same"),
    [
        ("User:ConversationBot/config", "user:ConversationBot/config"),
        ("User:ConversationBot/config", "USER: conversationBot/config"),
        ("Template:Office hours bot", "template:office_hours  bot"),
    ],
)
def test_titles_compare_as_mediawiki_compares_them(title, same):
    assert key(title) == key(same)


# --- what an editor reads when the template is wrong -----------------------------------------


@pytest.mark.parametrize(
    ("parameters", "says"),
    [
        (headings("|colour = red"), "colour: no such parameter (known: upcoming, log, grace,"),
        (headings("|grace = soon"), "grace: 'soon' is not a length of time such as 90m, 1h"),
        (headings("|grace = 31d"), "grace: must be from 0m to 30d"),
        (headings("|duration = 0m"), "duration: must be from 1m to 1d"),
        (headings("|duration = 2d"), "duration: must be from 1m to 1d"),
        (headings("|zone = CEST"), "zone: 'CEST' is not a time zone the bot knows"),
        (headings("|zone = ../../etc/passwd"), "zone: '../../etc/passwd' is not a time zone"),
        (headings("|mode = yes"), "mode: write edit or preview, not 'yes'"),
        (headings("|translations = maybe"), "translations: write yes or no, not 'maybe'"),
        (headings("|cancelled = cancelled,,"), "cancelled: give words separated by commas"),
        (headings("|grace = 1h", "|grace = 2h"), "grace: given twice; keep one"),
        (headings("|2h"), "a parameter without a name ('2h'): write it as name = value"),
        (headings("|log2 = [[Past]]"), "log2: must be plain text, without links, templates"),
        (headings("|grace = {{subst:Grace}}"), "grace: must be plain text"),
        (("|log = Past office hours",), "upcoming: missing: give the title of the section"),
        (("|upcoming = Upcoming office hours",), "log: missing: give the title of the section"),
        ((headings()[0], "|log = Earlier"), "log: no section titled 'Earlier'"),
    ],
)
def test_a_wrong_parameter_is_refused_with_its_name_and_why(parameters, says):
    refusal = refused(with_parameters(*parameters))
    assert says in refusal.reason
    assert refusal.line == 1


def test_a_template_that_comes_through_another_page_is_not_the_pages_own():
    text = "{{Office hours header}}\n" + SECTIONS
    assert refused(text).reason == (
        "the configuration template is not written on this page (it comes through another "
        "template or page): write it on the page itself"
    )


def test_a_template_in_a_comment_is_switched_off():
    text = f"<!-- {CALL} -->\n{SECTIONS}"
    assert "not written on this page" in refused(text).reason


def test_a_template_written_twice_is_refused_with_both_lines():
    refusal = refused(f"{PAGE}\n{CALL}\n")
    assert refusal.reason == "the configuration template is written 2 times (lines 1, 12): keep one"


def test_a_template_inside_another_template_is_refused():
    refusal = refused(f"{{{{Notice box|text={CALL}}}}}\n{SECTIONS}")
    assert "stands inside another template: write it on its own" in refusal.reason


def test_a_template_before_the_call_does_not_put_it_inside_anything():
    text = "{{Office hours header}}\n" + PAGE
    assert read_optin(text, [TEMPLATE]).line == 2


def test_an_unclosed_brace_before_the_template_does_not_put_it_inside_anything():
    text = "Use {{ to open a template.\n" + PAGE
    assert read_optin(text, [TEMPLATE]).line == 2


@pytest.mark.parametrize("section", ["Upcoming office hours", "Past office hours"])
def test_a_template_inside_a_section_it_configures_is_refused(section):
    text = SECTIONS.replace(f"== {section} ==\n", f"== {section} ==\n{CALL}\n")
    refusal = refused(text)
    assert refusal.reason == (
        f"the configuration template stands inside the section {section!r} it configures: "
        "move it above the sections"
    )


def test_a_template_below_the_sections_under_another_heading_is_fine():
    text = f"{SECTIONS}== Bot ==\n{CALL}\n"
    assert read_optin(text, [TEMPLATE]).settings.log_headings == ("Past office hours",)


def test_a_call_too_long_to_read_is_refused_not_hung_on():
    text = with_parameters(*headings("|note = " + "[[x]]" * 200))
    assert "cannot be read" in refused(text).reason
