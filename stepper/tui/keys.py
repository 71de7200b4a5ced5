"""The app's keys, declared once as data: the screens' bindings, the footer and the help
screen are all made from this table, in the learner's language."""

from __future__ import annotations

from dataclasses import dataclass

from textual.binding import Binding

from stepper.i18n import label


@dataclass(frozen=True, slots=True)
class Key:
    """One command: the keys that run it, its action, its label and its footer display."""

    keys: str
    action: str
    label: str
    display: str
    footer: bool = True
    #: Runs even while the answer box has focus (where a letter would otherwise be typed).
    priority: bool = False


WALK_KEYS: tuple[Key, ...] = (
    Key("space,right,n", "next", "key.next", "␣/→/n"),
    Key("left,p,backspace", "back", "key.back", "←/p/⌫"),
    Key("question_mark", "help", "key.help", "?"),
    Key("q", "quit", "key.quit", "q", priority=True),
    Key("right_square_bracket", "next_step", "key.next_step", "]"),
    Key("left_square_bracket", "previous_step", "key.prev_step", "[", footer=False),
    Key("g", "goto", "key.goto", "g"),
    Key("a", "reveal_phase", "key.phase", "a", footer=False),
    Key("home", "home", "key.home", "Home", footer=False),
    Key("end", "end", "key.end", "End", footer=False),
    Key("w", "why", "key.why", "w"),
    Key("b", "unjump", "key.return", "b", footer=False),
    Key("pageup", "history_up", "key.history_up", "PgUp", footer=False),
    Key("pagedown", "history_down", "key.history_down", "PgDn", footer=False),
    Key("e", "edit", "key.edit", "e"),
    Key("r", "restore", "key.restore", "r", footer=False),
    Key("escape", "leave_answer", "key.leave_answer", "Esc", footer=False),
)


#: The end screen's keys: start over, back to the walk, quit (before the summary's own scroll
#: keys, which ↑/↓ and PgUp/PgDn keep).
END_KEYS: tuple[Key, ...] = (
    Key("home", "start_over", "key.start_over", "Home", priority=True),
    Key("left,b", "review", "key.review", "←/b", priority=True),
    Key("q", "quit", "key.quit", "q", priority=True),
)


def bindings(keys: tuple[Key, ...], lang: str) -> list[Binding]:
    """Textual bindings for ``keys`` with labels in ``lang``."""
    return [
        Binding(
            k.keys,
            k.action,
            label(k.label, lang),
            show=k.footer,
            key_display=k.display,
            priority=k.priority,
            id=k.action,
        )
        for k in keys
    ]
