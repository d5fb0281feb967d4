"""The bot against a wiki that fails: a fault at each step of a run, through tests/integration/
faultproxy.py between pywikibot and the local MediaWiki.

For every fault and every step (login, read, history, token, save) a run either ends with
exactly the one correct edit (exit 0), or exits 4 with one clear line and the page as it was.
Never two moves of the same session, never half an edit, never an editor's text lost.

The suite counts in the closing line ``faults: N injected, N survived, 0 lost`` (faultrun.py):
"lost" are the runs that left the page wrong (a second bot edit, a text other than the core's,
an editor's edit undone).
"""

from __future__ import annotations

import re
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.core.pipeline import transform
from tests.conftest import META, WRITTEN, WRITTEN_AT, utc
from tests.integration.conftest import SeededPages, seeded_pages
from tests.integration.faultproxy import FAULTS, FORWARDED_FIRST, STEPS, FaultProxy
from tests.integration.faultrun import (
    BOT_USER,
    PROG,
    copy_config,
    count,
    run_bot,
    tail,
    warm,
)

NOW = "2023-06-28T00:00:00Z"

# What the core makes of the page on 28 June: the Monday 26 June session moves to the log.
EXPECTED = transform(META, utc(NOW), default_written_at=WRITTEN)
assert len(EXPECTED.moves) == 1
MOVED = EXPECTED.moves[0].slot.line.text
(LOGGED,) = (line for line in EXPECTED.text.split("\n") if line not in META.split("\n"))
LOG_HEADING = "== Log of Previous Conversation Hours =="

# An editor's edit made between the bot's read and its save: (text before, text after).
EDITS = {
    # Far from the lines the bot touches: MediaWiki merges the bot's edit with it.
    "merged": (
        "# <translate><!--T:7--> WikiIndaba 2023: If our sessions are accepted.</translate>",
        "# <translate><!--T:7--> WikiIndaba 2023: Our session was accepted.</translate>",
    ),
    # Next to the line that moves: an edit conflict; the bot re-reads and recomputes.
    "conflict": ("Friday, June 30 @ 16:00 UTC", "Friday, June 30 @ 17:00 UTC"),
}
for _old, _new in EDITS.values():
    assert META.count(_old) == 1

# MediaWiki answers with some faults only under conditions (see faultproxy.possible): a step
# whose request never meets them cannot see the fault. Every other pair is a test.
ONLY_AT = {
    "maxlag": (
        {"login", "read", "history", "save"},
        "pywikibot sends no maxlag= with a token request, so the wiki never answers maxlag",
    ),
    "readonly": (
        {"login", "save"},
        "only modules that write (login, edit) are refused with readonly",
    ),
    "badtoken": (
        {"save"},
        "only a request that sends token= gets badtoken (a bad lgtoken is a login result)",
    ),
    "assertuserfailed": (
        {"save"},
        "only a request that sends assert=user (pywikibot: writes) gets assertuserfailed",
    ),
}


def _matrix() -> list[object]:
    """Every (fault, step) pair a real wiki can produce; ONLY_AT says why the others can't."""
    return [
        pytest.param(fault, step, id=f"{fault}-{step}")
        for fault in FAULTS
        for step in STEPS
        if step in ONLY_AT.get(fault, (set(STEPS), ""))[0]
    ]


#: Lasting faults: every matching request fails, so pywikibot's retries run out.
PERSISTENT = [
    ("http503", "read"),
    ("nonjson", "token"),
    ("maxlag", "save"),
    ("readonly", "save"),
    ("badtoken", "save"),
    ("assertuserfailed", "save"),
    ("readonly", "login"),
    ("timeout", "save"),
    ("truncated", "save"),
]

# ----------------------------------------------------------------------------- fixtures


pytestmark = pytest.mark.usefixtures("fault_suite")


@pytest.fixture(autouse=True)
def _clean_proxy(proxy: FaultProxy) -> Iterator[None]:
    proxy.reset()
    yield
    proxy.reset()


@pytest.fixture(scope="module")
def warm_config(dev_wiki, proxy: FaultProxy, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A pywikibot folder that talks to the proxy and holds a logged-in session cookie."""
    folder = copy_config(
        dev_wiki.pywikibot_dir, tmp_path_factory.mktemp("faults") / "warm", proxy.port, cold=True
    )
    warm(folder)
    proxy.reset()
    return folder


@pytest.fixture(scope="module")
def meta_pages(dev_wiki, request: pytest.FixtureRequest) -> SeededPages:
    """The Meta page as written on 10 June 2023 (its "Monday, June 26" needs the history), once
    for each test, all in one import."""
    return seeded_pages(request, dev_wiki, META, WRITTEN_AT, "seeded")


@pytest.fixture
def seeded(meta_pages: SeededPages, request: pytest.FixtureRequest) -> str:
    """This test's copy of the Meta page, as written on 10 June 2023."""
    return meta_pages.take(request.node)


# ------------------------------------------------------------------------------ helpers


def check_run(
    dev_wiki,
    title: str,
    before: list[dict],
    done: subprocess.CompletedProcess,
    proxy: FaultProxy,
    base: str = META,
    expected: str = EXPECTED.text,
    editor: str | None = None,
    kept: str | None = None,
) -> None:
    """Counts the run in TALLY, then asserts it ended as it must.

    `base` is the page the run should leave alone (exit 4) and `expected` the page after the
    one bot edit (exit 0); `editor` is the text of an editor's edit made during the run, and
    `kept` the words of it that must survive the bot's edit.
    """
    after = dev_wiki.revisions(title)
    problems: list[str] = []
    if [r["revid"] for r in after[: len(before)]] != [r["revid"] for r in before]:
        problems.append("revisions from before the run changed")
    new = after[len(before) :]
    by_bot = [r for r in new if r["user"] == BOT_USER]
    by_others = [r for r in new if r["user"] != BOT_USER]
    # Seeded revisions keep the file's final newline; edits through the API drop it.
    final = (after[-1]["content"] if after else "").rstrip("\n")
    base, expected = base.rstrip("\n"), expected.rstrip("\n")
    if editor is not None and [r["content"] for r in by_others] != [editor.rstrip("\n")]:
        problems.append("the editor's edit is not in the history as made")
    elif editor is None and by_others:
        problems.append(f"revisions by others: {[r['user'] for r in by_others]}")

    unchanged = not by_bot and final == base
    one_edit = (
        len(by_bot) == 1 and new[-1] is by_bot[0] and final == expected and by_bot[0]["bot"] is True
    )
    if len(by_bot) > 1:
        problems.append(f"{len(by_bot)} bot edits: {[r['comment'] for r in by_bot]}")
    if by_bot and final != expected:
        problems.append("the page is not what the core computes offline")
    if by_bot and (final.count(LOGGED) != 1 or MOVED in final):
        problems.append(
            f"moved line: {final.count(LOGGED)}x in the log, {final.count(MOVED)}x in Upcoming"
        )
    if by_bot and LOGGED in final and final.index(LOGGED) < final.index(LOG_HEADING):
        problems.append("the log entry is not under the log heading")
    if kept is not None and by_bot and kept not in final:
        problems.append("the editor's text was lost")

    code = done.returncode
    survived = (code == 0 and one_edit) or (code == 4 and unchanged)
    if code not in (0, 4):
        problems.append(f"exit {code}, expected 0 or 4")
    elif code == 0 and not one_edit:
        problems.append("exit 0 without exactly one correct bot edit")
    elif code == 4 and not unchanged:
        problems.append("exit 4 but the page changed")
    if code == 0 and by_bot:
        linked = re.findall(r"Special:Diff/(\d+)", done.stdout)
        if linked != [str(by_bot[-1]["revid"])]:
            problems.append(
                f"exit 0 but stdout links Special:Diff/{linked}, the bot's edit is "
                f"{by_bot[-1]['revid']} (the revision it read: {before[-1]['revid']})"
            )
    if code == 4:
        # pywikibot's own warnings and the diff go to stderr too; the bot's word is one line.
        said = [
            line
            for line in done.stderr.splitlines()
            if line.startswith(f"{PROG}: ") and not line.startswith(f"{PROG}: warning:")
        ]
        if len(said) != 1 or f"[[{title}]]" not in said[0]:
            problems.append(f"exit 4 should say one line naming the page, said {said}")
        if "Traceback" in done.stderr:
            problems.append("exit 4 with a traceback on stderr")

    if proxy.injected:
        count(survived, lost=not (unchanged or one_edit))
    else:
        problems.insert(0, "the fault was never injected (the run never made that request)")
    if problems:
        pytest.fail(
            "; ".join(problems)
            + f"\nexit {code}\nrequests:\n{proxy.describe()}"
            + f"\nstdout: {done.stdout[-1500:]}\nstderr: {tail(done.stderr)}",
            pytrace=False,
        )


def _editor_edit(dev_wiki, title: str, text: str, errors: list[BaseException]):
    """An editor's edit, made by the proxy between the bot's read and its save."""

    def edit() -> None:
        try:
            dev_wiki.edit_as_editor(title, text, summary="editor: a correction")
        except BaseException as error:  # reported by the test, not lost in the proxy thread
            errors.append(error)

    return edit


# -------------------------------------------------------------------------------- tests


def test_the_proxy_passes_a_run_through_untouched(dev_wiki, proxy, warm_config, seeded, tmp_path):
    """Without faults the proxy changes nothing, and it sees every step but login (warm)."""
    config = copy_config(warm_config, tmp_path / "pywikibot", proxy.port, cold=False)
    before = dev_wiki.revisions(seeded)
    done = run_bot(config, seeded, NOW)
    assert done.returncode == 0, done.stderr
    assert dev_wiki.revisions(seeded)[-1]["content"] == EXPECTED.text.rstrip("\n")
    assert len(dev_wiki.revisions(seeded)) == len(before) + 1
    steps = proxy.steps_seen()
    assert [s for s in STEPS if s in steps] == ["read", "history", "token", "save"], steps


@pytest.mark.parametrize(("fault", "step"), _matrix())
def test_a_fault_at_each_step(dev_wiki, proxy, warm_config, seeded, tmp_path, fault, step):
    """One fault, once: the retry rides it out (exit 0), or the run stops cleanly (exit 4)."""
    # The login step happens only without a session cookie; the others run warm.
    config = copy_config(warm_config, tmp_path / "pywikibot", proxy.port, cold=step == "login")
    before = dev_wiki.revisions(seeded)
    proxy.add(step, fault)
    done = run_bot(config, seeded, NOW)
    check_run(dev_wiki, seeded, before, done, proxy)


@pytest.mark.parametrize(("fault", "step"), PERSISTENT, ids=[f"{f}-{s}" for f, s in PERSISTENT])
def test_a_lasting_fault(dev_wiki, proxy, warm_config, seeded, tmp_path, fault, step):
    """The fault never clears: retries run out. A request that never reached the wiki leaves
    the page as it was (exit 4); one that did, and lost its answer, must not be reported as a
    failure while its edit stands, nor be saved twice."""
    config = copy_config(warm_config, tmp_path / "pywikibot", proxy.port, cold=step == "login")
    before = dev_wiki.revisions(seeded)
    proxy.add(step, fault, persist=True)
    done = run_bot(config, seeded, NOW)
    check_run(dev_wiki, seeded, before, done, proxy)
    if fault not in FORWARDED_FIRST:
        assert done.returncode == 4


@pytest.mark.parametrize("edit", EDITS)
@pytest.mark.parametrize("fault", FAULTS)
def test_an_editors_edit_and_a_fault_on_save(
    dev_wiki, proxy, warm_config, seeded, tmp_path, fault, edit
):
    """An editor saves while the bot is about to; then the bot's save meets the fault. The
    editor's text stays, and the session still moves once (or not at all, with exit 4)."""
    old, new = EDITS[edit]
    edited = META.replace(old, new)
    config = copy_config(warm_config, tmp_path / "pywikibot", proxy.port, cold=False)
    before = dev_wiki.revisions(seeded)
    errors: list[BaseException] = []
    proxy.add("save", fault, before=_editor_edit(dev_wiki, seeded, edited, errors))
    done = run_bot(config, seeded, NOW)
    assert not errors, f"the editor's edit failed: {errors}"
    expected = transform(edited, utc(NOW), default_written_at=WRITTEN).text
    check_run(
        dev_wiki,
        seeded,
        before,
        done,
        proxy,
        base=edited,
        expected=expected,
        editor=edited,
        kept=new,
    )
    if edit == "conflict" and done.returncode == 0:  # the premise: MediaWiki could not merge
        assert proxy.steps_seen().count("read") >= 2, "no edit conflict, no re-read"
