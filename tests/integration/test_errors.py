"""Errors mean what they say, against the local wiki: a bug is a bug, not a wiki failure."""

from tests.conftest import META, WRITTEN_AT, assert_usage_error


def test_a_bug_in_the_core_during_a_pass_stops_it_and_is_not_a_wiki_failure(dev_wiki, fresh_title):
    dev_wiki.seed(fresh_title, META, timestamp=WRITTEN_AT)
    done = dev_wiki.run_pywikibot(
        f"""
        from bot.core.settings import Settings
        from bot.ops.config import Target
        from bot.wiki import runner
        broken = Settings(upcoming_headings=None)  # not a tuple: the core fails on it
        try:
            runner.run_pass([Target(site={dev_wiki.site!r}, title={fresh_title!r},
                                    settings=broken)])
        except TypeError:
            print("the bug came through")
        """
    )
    assert done.stdout.strip().endswith("the bug came through"), done.stderr
    assert "failed" not in done.stdout


def test_a_state_folder_the_bot_cannot_write_is_a_usage_error(dev_wiki, fresh_title, tmp_path):
    dev_wiki.seed(fresh_title, META, timestamp=WRITTEN_AT)
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    state = str(blocker / "state")
    done = dev_wiki.run_bot(
        "run", "--site", dev_wiki.site, "--page", fresh_title, "--dry-run", "--state", state
    )
    assert_usage_error(done, f"state folder {blocker / 'state'}: Not a directory")
