"""The bot speaks pywikibot, against the local wiki: its global options, simulation and throttle."""

import shutil
import subprocess

import pytest

from tests.conftest import META, WRITTEN_AT, assert_usage_error
from tests.integration.conftest import seeded_pages

BETWEEN = "2023-06-28T00:00:00Z"


def run_page(wiki, title: str, *extra: str) -> subprocess.CompletedProcess:
    """`run --always` on one page of the local wiki, in June 2023, with more options."""
    return bot(
        wiki, "run", "--site", wiki.site, "--page", title, "--always", "--now", BETWEEN, *extra
    )


def bot(wiki, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return wiki.run_bot(*args, env=env)


@pytest.fixture(scope="module")
def meta_pages(dev_wiki, request):
    """The Meta page as written on 10 June 2023, once for each test, all in one import."""
    return seeded_pages(request, dev_wiki, META, WRITTEN_AT, "seeded")


@pytest.fixture
def seeded(meta_pages, request):
    """The Meta page as written on 10 June 2023, under a title of its own."""
    return meta_pages.take(request.node)


def test_pywikibots_spellings_run_the_bot(dev_wiki, seeded):
    done = bot(dev_wiki, "run", f"-site:{dev_wiki.site}", f"-page:{seeded}", "-always")
    assert done.returncode == 0, done.stderr
    assert f"[[{seeded}]] on {dev_wiki.site}: saved " in done.stdout
    assert len(dev_wiki.revisions(seeded)) == 2


def test_simulate_saves_nothing_and_says_so(dev_wiki, seeded):
    done = run_page(dev_wiki, seeded, "-simulate")
    assert done.returncode == 0, done.stderr
    assert f"simulated: would save [[{seeded}]]: Bot: moved 1 past" in done.stdout
    assert "Special:Diff" not in done.stdout
    assert len(dev_wiki.revisions(seeded)) == 1


def test_simulate_in_user_config_is_honoured_too(dev_wiki, seeded, tmp_path):
    folder = tmp_path / "pywikibot"
    shutil.copytree(dev_wiki.pywikibot_dir, folder)
    with (folder / "user-config.py").open("a") as config:
        config.write("\nsimulate = True\n")
    done = bot(
        dev_wiki, "run", "--site", dev_wiki.site, "--page", seeded, "--always", "--dir", str(folder)
    )
    assert done.returncode == 0, done.stderr
    assert "simulated: would save" in done.stdout
    assert len(dev_wiki.revisions(seeded)) == 1


def test_a_simulated_pass_reports_no_revision_and_writes_no_report_line(dev_wiki, seeded, tmp_path):
    report = f"User:ConversationBot/Report {seeded}"
    dev_wiki.seed(report, "Edits by the bot:")
    config = tmp_path / "bot.toml"
    config.write_text(
        f'state_dir = "{tmp_path / "state"}"\n[[targets]]\nsite = "{dev_wiki.site}"\n'
        f'page = "{seeded}"\nreport_page = "{report}"\n'
    )
    done = bot(dev_wiki, "run", "--config", str(config), "--now", BETWEEN, "-simulate")
    assert done.returncode == 0, done.stderr
    assert f"[[{seeded}]] simulated moved=1 no change" in done.stdout
    assert "rev=" not in done.stdout
    assert len(dev_wiki.revisions(seeded)) == 1
    assert len(dev_wiki.revisions(report)) == 1


def test_an_unknown_option_is_refused_by_name(dev_wiki, seeded):
    done = bot(dev_wiki, "run", "--site", dev_wiki.site, "--page", seeded, "-nosuchoption")
    assert_usage_error(done, "unknown option -nosuchoption (see conversation-hours-bot run --help)")


def test_the_first_save_does_not_wait_for_the_put_throttle(dev_wiki, seeded):
    # pywikibot announces every wait longer than config.noisysleep (3 s): none may come.
    done = run_page(dev_wiki, seeded, "-pt:10")
    assert done.returncode == 0, done.stderr
    assert "saved " in done.stdout
    assert "Sleeping for" not in done.stderr


def test_saves_after_the_first_keep_the_put_throttles_spacing(dev_wiki, seeded):
    done = dev_wiki.run_pywikibot(
        f"""
        import pywikibot
        from bot.wiki import client
        pywikibot.config.put_throttle = 10  # as -pt:10 sets it, before the site exists
        site = client.open_site({dev_wiki.site!r})
        before = site.throttle.waittime(write=True)
        site.login()
        page = pywikibot.Page(site, {seeded!r})
        page.text += "\\nmore"
        page.save(summary="test", quiet=True)
        site = client.open_site({dev_wiki.site!r})  # pywikibot's cached site, opened again
        print(before, site.throttle.waittime(write=True))
        """
    )
    assert done.returncode == 0, done.stderr
    before, after = (float(n) for n in done.stdout.split()[-2:])
    assert before == 0.0
    assert after > 9.0


def test_family_and_code_pick_the_wiki_as_in_any_pywikibot_script(dev_wiki, seeded):
    family, code = dev_wiki.site.split(":")
    done = bot(
        dev_wiki,
        "run",
        f"-family:{family}",
        f"-code:{code}",
        "--page",
        seeded,
        "--dry-run",
        "--now",
        BETWEEN,
    )
    assert done.returncode == 0, done.stderr
    assert f"[[{seeded}]] on {dev_wiki.site}: dry run: would save" in done.stdout


def test_family_cannot_go_with_site(dev_wiki, seeded):
    done = bot(
        dev_wiki, "run", "--site", dev_wiki.site, "-family:meta", "--page", seeded, "--dry-run"
    )
    assert_usage_error(done, "-family:meta cannot go with --site: both name the wiki")
