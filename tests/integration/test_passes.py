"""Unattended passes over several pages of the local wiki, as a Toolforge job runs them."""

import subprocess
from pathlib import Path

from tests.conftest import META, WRITTEN_AT, page
from tests.integration.conftest import BOT

BETWEEN = "2023-06-28T00:00:00Z"


def config(tmp_path: Path, titles: list[str], report: str | None = None) -> Path:
    lines = [f'state_dir = "{tmp_path / "state"}"', ""]
    for title in titles:
        lines += ["[[targets]]", 'site = "devwiki:en"', f'page = "{title}"']
        if report:
            lines.append(f'report_page = "{report}"')
        lines.append("")
    path = tmp_path / "bot.toml"
    path.write_text("\n".join(lines))
    return path


def run_pass(wiki, path: Path, *extra: str) -> subprocess.Popen:
    return subprocess.Popen(
        [str(BOT), "run", "--config", str(path), "--now", BETWEEN, *extra],
        env=wiki.pywikibot_env(),
        cwd=wiki.state_dir,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def finished(process: subprocess.Popen) -> tuple[int, str, str]:
    out, err = process.communicate(timeout=180)
    return process.returncode, out, err


def test_a_pass_edits_the_good_pages_and_reports_the_broken_one(dev_wiki, fresh_title, tmp_path):
    good = [f"{fresh_title} A", f"{fresh_title} B"]
    broken = f"{fresh_title} broken"
    soon = META.replace("== Upcoming Conversation Hours ==", "== Soon ==")
    pages = [(title, META) for title in good] + [(broken, soon)]
    dev_wiki.seed_many([(title, text, WRITTEN_AT, None, None) for title, text in pages])
    code, out, err = finished(run_pass(dev_wiki, config(tmp_path, [*good, broken])))
    assert code == 3, err
    assert [len(dev_wiki.revisions(t)) for t in good] == [2, 2]
    assert len(dev_wiki.revisions(broken)) == 1
    lines = [line for line in out.splitlines() if "status page" not in line]
    assert len(lines) == 3, out  # one line per target (and a word on the missing status page)
    assert f"[[{broken}]] refused" in lines[2]
    assert "no section titled 'Upcoming Conversation Hours'" in lines[2]
    assert all("edited moved=1 rev=" in line for line in lines[:2])


def test_two_passes_at_once_leave_exactly_one_edit(dev_wiki, fresh_title, tmp_path):
    dev_wiki.seed(fresh_title, META, timestamp=WRITTEN_AT)
    path = config(tmp_path, [fresh_title])
    first, second = run_pass(dev_wiki, path), run_pass(dev_wiki, path)
    results = [finished(first), finished(second)]
    assert [code for code, _, _ in results] == [0, 0], results
    history = dev_wiki.revisions(fresh_title)
    assert len(history) == 2
    assert history[-1]["user"] == "ConversationBot"


def test_the_report_page_gets_a_line_per_edit(dev_wiki, fresh_title, tmp_path):
    report = f"User:ConversationBot/Report {fresh_title}"
    dev_wiki.seed(report, "Edits by the bot:")
    dev_wiki.seed(fresh_title, META, timestamp=WRITTEN_AT)
    code, _, err = finished(run_pass(dev_wiki, config(tmp_path, [fresh_title], report)))
    assert code == 0, err
    edit = dev_wiki.revisions(fresh_title)[-1]
    line = dev_wiki.revisions(report)[-1]["content"].splitlines()[-1]
    assert line.startswith("* 2023-06-28 00:00 UTC: ")
    assert f"[[Special:Diff/{edit['revid']}]] on [[{fresh_title}]]" in line
    assert line.endswith(
        "moved June 26, 2023 (Ad-hoc conversation hour on the Global Digital Compact)"
    )


def test_pages_of_one_wiki_are_read_in_one_batch(dev_wiki, fresh_title, tmp_path):
    titles = [f"{fresh_title} {n}" for n in range(3)]
    # Dates with years: no history to read, only the pages.
    dev_wiki.seed_many([(title, page("plain"), WRITTEN_AT, None, None) for title in titles])
    quiet = ["--now", "2023-06-01T00:00:00Z"]  # nothing to move: reads only
    one, three = tmp_path / "one", tmp_path / "three"
    one.mkdir()
    three.mkdir()
    finished(run_pass(dev_wiki, config(one, titles[:1]), *quiet))  # warms pywikibot's caches
    before = dev_wiki.requests_served()
    finished(run_pass(dev_wiki, config(one, titles[:1]), *quiet))
    for_one = dev_wiki.requests_served() - before
    before = dev_wiki.requests_served()
    code, out, err = finished(run_pass(dev_wiki, config(three, titles), *quiet))
    assert code == 0, err
    assert dev_wiki.requests_served() - before == for_one
    assert out.count("unchanged moved=0 no change") == 3


def test_a_dry_run_pass_saves_nothing_and_says_what_it_would(dev_wiki, fresh_title, tmp_path):
    dev_wiki.seed(fresh_title, META, timestamp=WRITTEN_AT)
    code, out, err = finished(run_pass(dev_wiki, config(tmp_path, [fresh_title]), "--dry-run"))
    assert code == 0, err
    assert "dry-run moved=1 no change" in out
    assert "would save: Bot: moved 1 past conversation hour" in out
    assert len(dev_wiki.revisions(fresh_title)) == 1


# --- the pre-flight ---------------------------------------------------------------------------


def preflight_config(tmp_path: Path, title: str, **pages: str) -> Path:
    lines = [f'state_dir = "{tmp_path / "state"}"', "[[targets]]", 'site = "devwiki:en"']
    lines += [f'page = "{title}"', *(f'{key} = "{value}"' for key, value in pages.items())]
    path = tmp_path / "bot.toml"
    path.write_text("\n".join(lines) + "\n")
    return path


def test_check_config_on_a_ready_wiki_says_ready(dev_wiki, fresh_title, tmp_path):
    dev_wiki.seed(fresh_title, META, timestamp=WRITTEN_AT)
    status, stop = f"{fresh_title}/Status", f"{fresh_title}/Stop"
    dev_wiki.seed(status, "(the bot writes here)")
    dev_wiki.seed(stop, "<!-- write anything here to stop the bot -->")
    path = preflight_config(tmp_path, fresh_title, status_page=status, stop_page=stop)
    done = dev_wiki.run_bot("check", "--config", str(path))
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.strip().endswith("ready: 1 target(s) checked, nothing in the way")
    assert len(dev_wiki.revisions(fresh_title)) == 1  # it saved nothing


def test_check_config_names_each_missing_page_and_right(dev_wiki, fresh_title, tmp_path):
    dev_wiki.seed(fresh_title, META, timestamp=WRITTEN_AT)
    path = preflight_config(
        tmp_path,
        fresh_title,
        status_page=f"{fresh_title}/Status",
        stop_page=f"{fresh_title}/Stop",
        report_page=f"{fresh_title}/Edits",
    )
    done = dev_wiki.run_bot("check", "--config", str(path))
    assert done.returncode == 2, done.stdout + done.stderr
    problems = [line for line in done.stdout.splitlines() if ": problem: " in line]
    for role in ("status page", "stop page", "report page"):
        assert any(f"the {role} [[" in p and "does not exist" in p for p in problems), problems
    assert len(problems) == 3, problems
