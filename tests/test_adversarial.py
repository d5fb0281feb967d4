"""Hostile pages (tests/adversarial.py) are read or refused in time, in a process of their own
with a generous deadline: a hang guard, not a speed test (scripts/bench measures the speed)."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.adversarial import PAGES
from tests.test_bad_input import output_problems

ROOT = Path(__file__).resolve().parent.parent
#: Far above the tenth of a second each takes, far below the minutes they once took.
DEADLINE = 60
RUN = """
import json, sys
from datetime import UTC, datetime
sys.path.insert(0, {root!r})
from tests.adversarial import PAGES
from tests.test_bad_input import output_problems
from bot.core.pipeline import transform
from bot.errors import Refusal
try:
    result = transform(PAGES[{name!r}], datetime(2023, 7, 1, tzinfo=UTC))
    moved = [line.text for dated in result.moves for line in dated.slot.lines]
    retired = list(result.dropped_paragraphs)
    print(json.dumps({{"moved": moved, "retired": retired, "text": result.text}}))
except Refusal as refusal:
    print(json.dumps({{"refused": str(refusal)}}))
"""


@pytest.mark.parametrize("name", sorted(PAGES))
def test_a_hostile_page_is_read_or_refused_within_the_deadline(name):
    run = subprocess.run(
        [sys.executable, "-c", RUN.format(root=str(ROOT), name=name)],
        capture_output=True,
        text=True,
        timeout=DEADLINE,
        check=False,
    )
    assert run.returncode == 0, run.stderr[-2000:]
    outcome = json.loads(run.stdout)
    if "text" in outcome:  # nothing lost or cut apart, as for any damaged page
        moved, retired = outcome["moved"], outcome["retired"]
        assert output_problems(PAGES[name], outcome["text"], moved, retired) == []
