"""Hundreds of random keys and resizes never leave the app and never raise.

Every key the app binds (walk, end screen, title, dialogs), letters, digits and the keys a
learner leans on (Escape, Enter, Tab, arrows, Home/End, PgUp/PgDn, ?, g, e, w…), mixed with
resizes to 80×24, 60×20, 120×40 and below the minimum, in a dense, a two-layer, a conv, an
optimize and a batched lesson, and in the quiz. Only ``q`` (and Ctrl+Q, Ctrl+C) may leave, so
they are left out here (tests/test_end_screen.py checks that they do). Seeded: a failure says
the seed and the last keys, and the same run repeats it.
"""

from __future__ import annotations

import asyncio
import random
import string

import pytest
from textual import events

from stepper.tui.keys import END_KEYS, WALK_KEYS
from tests.tui_helpers import make_app, settle

pytestmark = pytest.mark.slow  # hundreds of keys through the app, per lesson

#: Keys that leave by design.
LEAVING = {"q", "ctrl+q", "ctrl+c"}
#: Keys a learner presses that are not letters or digits.
NAMED = [
    "escape",
    "enter",
    "tab",
    "shift+tab",
    "up",
    "down",
    "left",
    "right",
    "home",
    "end",
    "pageup",
    "pagedown",
    "space",
    "backspace",
    "delete",
    "question_mark",
    "left_square_bracket",
    "right_square_bracket",
    "minus",
    "full_stop",
    "comma",
    "f2",
]
#: The character a named key types (an answer box or a dialog's field takes it as text).
CHARS = {"space": " ", "minus": "-", "full_stop": ".", "comma": ",", "question_mark": "?"}
KEYS = sorted(
    (
        {k for key in (*WALK_KEYS, *END_KEYS) for k in key.keys.split(",")}
        | set(string.ascii_lowercase)
        | set(string.digits)
        | set(NAMED)
    )
    - LEAVING
)
SIZES = [(80, 24), (60, 20), (120, 40), (50, 15)]
#: Rounds of keys or a resize; a round of keys is up to BURST keys sent with no wait between.
ROUNDS = 120
BURST = 6


@pytest.mark.parametrize(
    ("lesson", "quiz", "seed"),
    [
        ("backprop-1", True, 2),
        ("backprop-2", False, 3),
        ("cnn-1", False, 4),
        ("optimizers-1", False, 5),
        ("regression-1", True, 6),
    ],
)
def test_random_keys_never_leave_and_never_raise(lesson: str, quiz: bool, seed: int) -> None:
    rng = random.Random(seed)
    app = make_app(lesson, quiz=quiz)
    pressed: list[str] = []
    seen: set[str] = set()

    async def main() -> None:
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            for _ in range(ROUNDS):
                if rng.random() < 0.06:
                    width, height = rng.choice(SIZES)
                    pressed.append(f"<{width}×{height}>")
                    await pilot.resize_terminal(width, height)
                else:
                    burst = [rng.choice(KEYS) for _ in range(rng.randint(1, BURST))]
                    pressed.extend(burst)
                    for key in burst:  # as fast as a learner mashing keys: no wait between
                        app.post_message(
                            events.Key(key, CHARS.get(key, key if len(key) == 1 else None))
                        )
                    await pilot.pause()
                assert app.is_running, f"seed {seed}: left after {pressed[-20:]}"
                seen.add(type(app.screen).__name__)
            await pilot.pause()
            assert app.is_running, f"seed {seed}: left after {pressed[-20:]}"
            assert app.return_code is None
            # The keys did reach the app: it left the title and opened dialogs on the way.
            dialogs = {"HelpScreen", "GotoScreen", "EditScreen", "WhyScreen"}
            assert "WalkScreen" in seen and seen & dialogs, seen

    try:
        asyncio.run(main())
    except Exception as exc:
        raise AssertionError(f"seed {seed}: raised after {pressed[-20:]}") from exc
