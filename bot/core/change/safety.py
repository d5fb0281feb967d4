"""The last check before any output: every difference between the old and the new text must be
one the plan accounts for. It compares the two texts themselves, not the edit that made them,
so a mistake in building the edit cannot hide from it."""

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from bot.core.change.edit import Change, LogChange
from bot.core.change.plan import Plan
from bot.core.page.model import DatedSlot, LogPage, Page
from bot.core.wikitext import liveness
from bot.core.wikitext import translate_markup as translate
from bot.core.wikitext.lines import is_glue
from bot.core.wikitext.pieces import Unreadable
from bot.core.wikitext.scan import opaque_spans
from bot.errors import Refusal


def verify(page: Page, plan: Plan, change: Change) -> None:
    """Refuses (exit 3) a change that loses, alters or adds anything unaccounted for, that makes
    live what was inert, or that writes inside a template, tag or comment."""
    _check_reasons(page, plan, change)
    _check_rewritten(change)
    inserted = _check_lines(page.text, change.text, change.removed, change.inserted)
    old_lines = page.text.split("\n")
    _check_nothing_became_live(
        [old_lines[number - 1] for number in change.removed], change.allowed, inserted
    )
    _check_nothing_inside(page, inserted)
    _check_markers(page, change.text, change.dropped_units)
    _check_valid(change.text)
    if len(change.entries) + len(change.already) + len(change.archived) != len(plan.moves):
        raise Refusal(
            f"safety check: {len(plan.moves)} sessions to move but "
            f"{len(change.entries)} log entries written"
        )


def verify_archived(plan: Plan, change: Change, received: Iterable[tuple[DatedSlot, ...]]) -> None:
    """Every session that leaves the page for its archive is received by exactly one archive
    page (`received`: each archive's sessions): none is left out, none goes to two."""
    moved = Counter(dated.slot.line.number for dated in plan.moves)
    sent = Counter(dated.slot.line.number for sessions in received for dated in sessions)
    if not moved == Counter(change.archived) == sent:
        raise Refusal(
            f"safety check: {sum(moved.values())} sessions leave the page but the archive pages "
            f"receive {sum(sent.values())}"
        )


def verify_log(page: LogPage, moves: tuple[DatedSlot, ...], change: LogChange) -> None:
    """Refuses a change to a page that only receives entries (an archive) unless its old text
    stays line for line, in order, and the only new lines are the entries: nothing in them is
    live that was not live in the slots they come from (or is the bot's own writing), nothing
    stands inside a template, tag or comment, and every session has its entry or had one."""
    inserted = _check_lines(page.text, change.text, {}, change.inserted)
    slot_lines = [line.text for dated in moves for line in dated.slot.lines]
    _check_nothing_became_live(slot_lines, change.allowed, inserted)
    _check_nothing_inside(page, inserted)
    _check_markers(page, change.text, ())
    _check_valid(change.text)
    if len(change.entries) + len(change.already) != len(moves):
        raise Refusal(
            f"safety check: {len(moves)} sessions to log but {len(change.entries)} entries "
            f"written and {len(change.already)} logged already"
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


@dataclass(frozen=True)
class _Inserted:
    """A new line, and the old line it stands before (its number; one past the last at the end)."""

    text: str
    before: int


def _check_lines(
    old_text: str, new_text: str, removed: Mapping[int, str], inserted: tuple[str, ...]
) -> list[_Inserted]:
    """Kept lines appear in the new text in order; everything else new was declared. Returns
    the new lines, each with where it stands among the old ones."""
    new = new_text.split("\n")
    found: list[_Inserted] = []
    j = 0
    old_lines = old_text.split("\n")
    for number, line in enumerate(old_lines, start=1):
        if number in removed:
            continue
        while j < len(new) and new[j] != line:
            found.append(_Inserted(new[j], number))
            j += 1
        if j == len(new):
            raise Refusal("safety check: this line would be lost or altered", number)
        j += 1
    found.extend(_Inserted(text, len(old_lines) + 1) for text in new[j:])
    unmatched = [x.text for x in found]
    if Counter(unmatched) != Counter(inserted):
        surplus = Counter(unmatched) - Counter(inserted)
        what = next(iter(surplus), None) or next(iter(Counter(inserted) - Counter(unmatched)))
        raise Refusal(f"safety check: the new text differs by a line not accounted for: {what!r}")
    return found


def _check_nothing_became_live(
    sources: list[str], allowed: tuple[str, ...], inserted: list[_Inserted]
) -> None:
    """Every template, link, tag, magic word, signature, substitution and category live in the
    new lines was live in the lines they come from (the removed ones), or is the bot's own
    writing (its templates' wording, the log's own template): nothing an editor made inert goes
    live by the edit."""
    before: Counter[str] = Counter(allowed)
    for text in sources:
        before += _live(text, strict=False)
    after: Counter[str] = Counter()
    for line in inserted:
        after += _live(line.text, strict=True)
    became = after - before
    if became:
        what = ", ".join(sorted(became))
        number = next((x.before for x in inserted if _live(x.text, strict=True) & became), None)
        raise Refusal(f"safety check: the change would make {what} live", number)


def _live(text: str, *, strict: bool) -> Counter[str]:
    """A line's live markup; a new line beyond the bounds is refused, an old one counts for
    nothing (which only makes the check stricter)."""
    try:
        found = liveness.live_markup(text, bounded=True)
    except Unreadable:
        if strict:
            raise Refusal("safety check: a new line is beyond what the bot reads") from None
        return Counter()
    del found["tag:translate"]  # the bot writes Translate's tags itself; its rules check them
    return found


def _check_nothing_inside(page: LogPage, inserted: list[_Inserted]) -> None:
    """No new line stands inside a template call, a tag or a comment that spans lines, and no
    new line leaves one open: what the bot writes stands between whole nodes."""
    starts = page.line_starts
    for line in inserted:
        at = starts[line.before - 1] if line.before - 1 < len(starts) else len(page.text)
        inside = next((s for s in page.spans if s[0] < at < s[1]), None)
        if inside is not None:
            number = page.text.count("\n", 0, inside[0]) + 1
            raise Refusal(
                f"safety check: a new line would stand inside the template, tag or comment "
                f"that opens on line {number}",
                number,
            )
        if _leaves_open(line.text):
            raise Refusal(
                f"safety check: the new line {line.text!r} leaves markup open", line.before
            )


def _leaves_open(text: str) -> bool:
    if text.count("{{") != text.count("}}") or text.count("[[") != text.count("]]"):
        return True
    spans = opaque_spans(text)
    return any(end == len(text) and not text.endswith(("-->", ">")) for _, end in spans)


def _check_markers(page: LogPage, text: str, dropped: tuple[str, ...]) -> None:
    """Every unit marker survives exactly once, but for the units dropped on purpose. The old
    page's markers are its units' (it was read, so Translate's rules hold for it)."""
    before = Counter(
        u.marker for u in page.markup.units if u.marker and u.marker != translate.NEW_UNIT_ID
    )
    after = Counter(translate.markers(text))
    twice = [m for m, n in after.items() if n > 1]
    invented = set(after) - set(before)
    lost = set(before) - set(after) - set(dropped)
    unexpected = set(dropped) & set(after)
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
