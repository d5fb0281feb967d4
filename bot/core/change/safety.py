"""The last check before any output: every difference between the old and the new text must be
one the plan accounts for. It compares the two texts themselves, not the edit that made them,
so a mistake in building the edit cannot hide from it."""

from collections import Counter

from bot.core.change.edit import Change
from bot.core.change.plan import Plan
from bot.core.page.model import Page
from bot.core.wikitext import translate_markup as translate
from bot.core.wikitext.lines import is_glue
from bot.errors import Refusal


def verify(page: Page, plan: Plan, change: Change) -> None:
    """Refuses (exit 3) a change that loses, alters or adds anything unaccounted for."""
    _check_reasons(page, plan, change)
    _check_rewritten(change)
    _check_lines(page.text, change)
    _check_markers(page.text, change)
    _check_valid(change.text)
    if len(change.entries) != len(plan.moves):
        raise Refusal(
            f"safety check: {len(plan.moves)} sessions to move but "
            f"{len(change.entries)} log entries written"
        )


def _check_reasons(page: Page, plan: Plan, change: Change) -> None:
    """Each removed line is what its reason says it is."""
    old = page.text.split("\n")
    moved = {line.number for s in plan.moves for line in s.slot.lines}
    finished = {
        line.number
        for block in plan.finished
        for chunk in (block.heading, *block.intro, *block.tables, *block.outro)
        if chunk is not None
        for line in chunk.lines
    }
    first, last = (
        page.upcoming_heading.number + 1,
        page.upcoming_heading.number + len(page.upcoming_lines),
    )
    for number, reason in change.removed.items():
        text = old[number - 1]
        fits = {
            "moved": number in moved,
            "block": number in finished,
            "marker": is_glue(text) and "<!--T:" in text,
            "tag": is_glue(text) and "translate" in text,
            "blank": text == "",
        }.get(reason, False)
        if not fits or not first <= number <= last:
            raise Refusal(
                f"safety check: line {number} would be removed as {reason!r}, "
                "which does not account for it",
                number,
            )


def _check_rewritten(change: Change) -> None:
    """A removed line may leave only its translate tags behind, nothing a reader sees."""
    for number, text in change.rewritten.items():
        if number not in change.removed or not is_glue(text):
            raise Refusal(f"safety check: line {number} would be rewritten to {text!r}", number)


def _check_lines(old_text: str, change: Change) -> None:
    """Kept lines appear in the new text in order; everything else new was declared."""
    new = change.text.split("\n")
    unmatched: list[str] = []
    j = 0
    for number, line in enumerate(old_text.split("\n"), start=1):
        if number in change.removed:
            continue
        while j < len(new) and new[j] != line:
            unmatched.append(new[j])
            j += 1
        if j == len(new):
            raise Refusal("safety check: this line would be lost or altered", number)
        j += 1
    unmatched.extend(new[j:])
    if Counter(unmatched) != Counter(change.inserted):
        surplus = Counter(unmatched) - Counter(change.inserted)
        what = next(iter(surplus), None) or next(
            iter(Counter(change.inserted) - Counter(unmatched))
        )
        raise Refusal(f"safety check: the new text differs by a line not accounted for: {what!r}")


def _check_markers(old_text: str, change: Change) -> None:
    """Every unit marker survives exactly once, but for the units dropped on purpose."""
    before, after = Counter(translate.markers(old_text)), Counter(translate.markers(change.text))
    twice = [m for m, n in after.items() if n > 1]
    invented = set(after) - set(before)
    lost = set(before) - set(after) - set(change.dropped_units)
    unexpected = set(change.dropped_units) & set(after)
    for problem, markers in (
        ("duplicated", twice),
        ("invented", invented),
        ("lost", lost),
        ("reported dropped but still there", unexpected),
    ):
        if markers:
            listed = ", ".join(f"<!--T:{m}-->" for m in sorted(markers))
            raise Refusal(f"safety check: translation unit marker {listed} would be {problem}")


def _check_valid(text: str) -> None:
    try:
        translate.validate(text)
    except translate.TranslateError as error:
        raise Refusal(
            f"safety check: the change would make Translate markup invalid: {error.reason}",
            error.line,
        ) from None
