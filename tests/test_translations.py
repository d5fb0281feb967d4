"""What each language's translation of a moved unit becomes, from hand-written translations of
the Meta page in French, German, Spanish, Japanese and Arabic (both digit styles)."""

import json
from dataclasses import replace
from datetime import date

import pytest

from bot.core.change.render import Renderer
from bot.core.dates import local as localdates
from bot.core.page.reader import read_page
from bot.core.pipeline import run
from bot.core.settings import Settings
from bot.core.translation import plan as translations
from bot.core.translation.plan import Translation
from tests.conftest import FIXTURES, WRITTEN, utc

NOW = utc("2023-07-01T00:00:00")  # both June sessions are over


def texts(name: str) -> dict[str, str]:
    return json.loads((FIXTURES / "translations" / f"{name}.json").read_text(encoding="utf-8"))


def language(name: str, **changes: str) -> dict[str, Translation]:
    return {unit: Translation(text) for unit, text in {**texts(name), **changes}.items()}


@pytest.fixture(scope="module")
def moved(meta_page):
    """What the translation side needs for the run that moves both June sessions."""
    page = read_page(meta_page, Settings())
    return translations.needs(run(page, NOW, Settings(), default_written_at=WRITTEN))


def plan_for(moved, languages, renderer=None):
    return translations.plan(moved, languages, renderer or Renderer())


EXPECTED_24 = {
    "fr": "26 juin 2023 (12:00 UTC). Sujet : Heure de conversation ad hoc sur le Pacte numérique "
    "mondial.",
    "de": "26. Juni 2023 (12:00 UTC). Thema: Ad-hoc-Gesprächsstunde zum Globalen Digitalpakt.",
    "es": "26 de junio de 2023 (12:00 UTC). Tema: Hora de conversación ad hoc sobre el Pacto "
    "Digital Global.",
    # The label ends in a fullwidth colon, as the Japanese log entries write it.
    "ja": "2023年6月26日 (12:00 UTC)。トピック\uff1a"
    "グローバル・デジタル・コンパクトに関する臨時の対話の時間。",
    "ar": "26 يونيو 2023 (12:00 UTC). الموضوع: ساعة محادثة خاصة حول الميثاق الرقمي العالمي.",
}


def test_the_moved_units_are_the_two_june_timeslots_with_the_announcement_as_title(moved):
    units, known = moved.units, moved.known
    assert [(u.marker, u.title_unit) for u in units] == [("24", "23"), ("25", "23")]
    # The wording is learned from the newest five entries that say "Topic:", not from all.
    assert [k.marker for k in known] == ["32", "33", "34", "35", "37"]


@pytest.mark.parametrize("code", sorted(EXPECTED_24))
def test_each_language_gets_its_own_long_date_its_label_and_its_topic(moved, code):
    result = plan_for(moved, {code: language(code)})
    assert result.languages[code].writes["24"] == EXPECTED_24[code]
    assert result.languages[code].left == {}


def test_arabic_written_with_arabic_indic_digits_and_levantine_months_stays_so(moved):
    result = plan_for(moved, {"ar": language("ar-levant-indic")})
    assert result.languages["ar"].writes == {
        "24": "٢٦ حزيران ٢٠٢٣ (12:00 UTC). الموضوع: ساعة محادثة خاصة حول الميثاق الرقمي العالمي.",
        "25": "٣٠ حزيران ٢٠٢٣ (16:00 UTC). الموضوع: ساعة محادثة خاصة حول الميثاق الرقمي العالمي.",
    }


def test_join_details_never_reach_a_translation(moved):
    result = plan_for(moved, {code: language(code) for code in EXPECTED_24})
    for plan in result.languages.values():
        for text in plan.writes.values():
            assert "zoom" not in text.casefold()
            assert "870 8226" not in text and "876 0059" not in text


def test_a_translation_whose_date_disagrees_with_the_english_is_left(moved):
    result = plan_for(moved, {"fr": language("fr", **{"24": "Mardi 27 juin à 12:00 UTC"})})
    assert "24" not in result.languages["fr"].writes
    assert "disagrees" in result.languages["fr"].left["24"]
    assert "25" in result.languages["fr"].writes


def test_a_translation_with_two_dates_is_left(moved):
    two = "Lundi 26 juin à 12:00 UTC (reportée au 27 juin)"
    result = plan_for(moved, {"fr": language("fr", **{"24": two})})
    assert "2 dates" in result.languages["fr"].left["24"]


def test_a_translation_without_a_date_is_left(moved):
    result = plan_for(moved, {"fr": language("fr", **{"24": "Le lundi à midi UTC"})})
    assert result.languages["fr"].left["24"] == "no date found in the translation"


def test_a_translation_already_outdated_before_the_run_is_left(moved):
    fr = language("fr")
    fr["24"] = Translation(fr["24"].text, fuzzy=True)
    result = plan_for(moved, {"fr": fr})
    assert result.languages["fr"].left["24"].startswith("outdated before the run")
    assert "25" in result.languages["fr"].writes


def test_a_language_without_template_or_translated_log_entries_is_left(moved):
    nl = {
        "23": Translation("'''Ad-hoc gespreksuur over het Global Digital Compact''' Doe mee."),
        "24": Translation("Maandag 26 juni om 12:00 UTC | [https://wikimedia.zoom.us/j/1 Zoom]"),
    }
    result = plan_for(moved, {"nl": nl})
    assert result.languages["nl"].writes == {}
    assert (
        result.languages["nl"]
        .left["24"]
        .startswith("no wording: no template log_entry.nl.wikitext.j2")
    )


def test_the_label_is_learned_only_when_the_translated_entries_agree(moved):
    fr = language("fr", **{"33": "24 septembre 2022. Thème : Le travail contre la surveillance."})
    result = plan_for(moved, {"fr": fr})
    assert result.languages["fr"].left["24"].startswith("no wording")


def test_an_outdated_log_entry_teaches_nothing(moved):
    fr = {u: t for u, t in language("fr").items() if u not in ("33", "34")}
    fr["32"] = Translation(fr["32"].text, fuzzy=True)
    result = plan_for(moved, {"fr": fr})
    assert result.languages["fr"].left["24"].startswith("no wording")


def test_a_language_template_wins_over_the_learned_wording(moved, tmp_path):
    (tmp_path / "log_entry.fr.wikitext.j2").write_text(
        "{{ date }}{% if time %}, {{ time }}{% endif %} : {{ topic | wikitext }}", encoding="utf-8"
    )
    result = plan_for(moved, {"fr": language("fr")}, Renderer(tmp_path))
    assert result.languages["fr"].writes["24"] == (
        "26 juin 2023, 12:00 UTC : Heure de conversation ad hoc sur le Pacte numérique mondial"
    )


def test_a_topic_with_markup_is_not_taken(moved):
    fr = language("fr", **{"23": "'''Heure de conversation sur le [[Pacte numérique mondial]]'''"})
    result = plan_for(moved, {"fr": fr})
    assert result.languages["fr"].left["24"] == (
        "no clean translation of the block title (unit 23)"
    )


def test_a_missing_title_translation_leaves_the_unit(moved):
    fr = {u: t for u, t in language("fr").items() if u != "23"}
    result = plan_for(moved, {"fr": fr})
    assert "block title" in result.languages["fr"].left["24"]


def test_a_language_with_no_translation_of_the_unit_is_not_in_the_plan(moved):
    result = plan_for(moved, {"fr": {"23": language("fr")["23"]}})
    assert result.languages == {}


def test_a_translation_already_written_is_not_written_again(moved):
    fr = language("fr", **{"24": EXPECTED_24["fr"]})
    result = plan_for(moved, {"fr": fr})
    assert "24" not in result.languages["fr"].writes
    assert "24" not in result.languages["fr"].left


def test_the_report_lists_per_language_what_is_written_and_what_is_left(moved):
    result = plan_for(moved, {"fr": language("fr", **{"25": "Vendredi 1 juillet"})})
    assert result.as_json() == {
        "fr": {
            "write": {"24": EXPECTED_24["fr"]},
            "left": {
                "25": "the translation's date 'Vendredi 1 juillet' disagrees with the English "
                "2023-06-30"
            },
        }
    }


@pytest.mark.parametrize(
    ("code", "text", "month", "day", "year"),
    [
        ("fr", "le 29 septembre 2022", 9, 29, 2022),
        ("de", "am 29. September 2022", 9, 29, 2022),
        ("es", "el 29 de septiembre de 2022", 9, 29, 2022),
        ("ja", "2022年9月29日に", 9, 29, 2022),
        ("ar", "٢٩ أيلول ٢٠٢٢", 9, 29, 2022),
        ("ar", "29 جوان", 6, 29, None),
    ],
)
def test_a_date_is_found_in_each_languages_cldr_forms(code, text, month, day, year):
    (found,) = localdates.find_dates(text, code)
    assert (found.month, found.day, found.year) == (month, day, year)


def test_a_yearless_date_agrees_by_day_and_month_and_a_year_must_match():
    (yearless,) = localdates.find_dates("26 juin", "fr")
    (other_year,) = localdates.find_dates("26 juin 2022", "fr")
    assert localdates.agrees(yearless, date(2023, 6, 26))
    assert not localdates.agrees(other_year, date(2023, 6, 26))
    assert not localdates.agrees(yearless, date(2023, 6, 27))


def test_a_language_cldr_does_not_know_is_left_with_the_reason(moved):
    result = plan_for(moved, {"zz-unknown": {"24": Translation("26 xx 2023")}})
    assert result.languages["zz-unknown"].left["24"] == "no CLDR data for language 'zz-unknown'"


def test_a_later_run_finds_the_units_an_earlier_edit_moved(meta_page, moved):
    before = read_page(meta_page, Settings())
    edited = run(before, NOW, Settings(), default_written_at=WRITTEN).result
    after = read_page(edited.text, Settings())
    found = translations.moved_between(before, after, Settings())
    units = moved.units
    assert [(u.marker, u.english, u.title_unit, u.session.start) for u in found] == [
        (u.marker, u.english, u.title_unit, u.session.start) for u in units
    ]
    assert all(u.session.has_time and not u.session.has_end for u in found)


def test_a_later_run_finds_nothing_when_no_unit_moved(meta_page):
    page = read_page(meta_page, Settings())
    assert translations.moved_between(page, page, Settings()) == []


def test_a_translated_log_entry_that_does_not_start_with_its_date_teaches_nothing(moved):
    fr = {u: t for u, t in language("fr").items() if u not in ("33", "34")}
    fr["32"] = Translation("Le 29 septembre 2022. Sujet : Le travail contre la surveillance.")
    result = plan_for(moved, {"fr": fr})
    assert result.languages["fr"].left["24"].startswith("no wording")


def test_an_entry_without_a_topic_ends_with_the_languages_full_stop(moved):
    untitled = tuple(
        replace(u, session=replace(u.session, block=replace(u.session.block, title=None)))
        for u in moved.units
    )
    result = translations.plan(replace(moved, units=untitled), {"ja": language("ja")}, Renderer())
    assert result.languages["ja"].writes["24"] == "2023年6月26日 (12:00 UTC)。"


def test_a_translation_is_written_when_its_date_agrees_with_the_sessions_first_day(meta_page):
    """A session late in the UTC day ends after midnight: its translation's date is the day it
    starts, and that is the one it must agree with."""
    late = meta_page.replace("Monday, June 26 @ 12:00 UTC", "Monday, June 26 @ 23:30 UTC")
    needs = translations.needs(run(read_page(late, Settings()), NOW, Settings(), None, WRITTEN))
    assert needs.units[0].session.end.date() == date(2023, 6, 27)
    written = translations.plan(needs, {"fr": language("fr")}, Renderer())
    assert written.languages["fr"].writes["24"].startswith("26 juin 2023 (23:30 UTC).")
