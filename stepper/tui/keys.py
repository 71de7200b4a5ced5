"""The app's keys, declared once as data: the screens' bindings, the footer and the help
screen are all made from these tables, in the learner's language.

The order is the footer's: what a learner needs first (next, back, help, quit) comes first, so
that a 60-column footer, which cuts the rest, still shows it. The help lists every key.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from textual.binding import Binding

from stepper.i18n import label


@dataclass(frozen=True, slots=True)
class Key:
    """One command: the keys that run it, its action, its label and its displays. The help
    shows ``display`` (all its keys) and ``label``; the footer, where room is scarce, shows
    ``short`` and ``brief`` when they are given."""

    keys: str
    action: str
    label: str
    display: str
    footer: bool = True
    short: str = ""
    brief: str = ""
    #: A label id shared by keys shown together in the footer (↑↓ under one word).
    group: str = ""
    #: Runs even while the answer box has focus: a letter it would otherwise type (q), or
    #: a key it takes for nothing (↑↓ and PgUp/PgDn, which scroll the panes).
    priority: bool = False
    #: Its label in a lesson opened from the list of lessons, where ``q`` goes back to it.
    listed: str = ""


WALK_KEYS: tuple[Key, ...] = (
    Key("space,right,n", "next", "key.next", "␣/→/n", short="␣"),
    Key("left,p,backspace", "back", "key.back", "←/p/⌫", short="←"),
    Key("question_mark", "help", "key.help", "?"),
    Key("q", "quit", "key.quit", "q", priority=True, listed="key.to_list"),
    Key("up", "text_up", "key.text_up", "↑", group="key.text", priority=True),
    Key("down", "text_down", "key.text_down", "↓", group="key.text", priority=True),
    Key("w", "why", "key.why", "w"),
    Key("g", "goto", "key.goto", "g"),
    Key("e", "edit", "key.edit", "e", brief="key.edit_brief"),
    Key("right_square_bracket", "next_step", "key.next_step", "]", footer=False),
    Key("left_square_bracket", "previous_step", "key.prev_step", "[", footer=False),
    Key("a", "reveal_phase", "key.phase", "a", footer=False),
    Key("home", "home", "key.home", "Home", footer=False),
    Key("end", "end", "key.end", "End", footer=False),
    Key("b", "unjump", "key.return", "b", footer=False),
    Key("pageup", "history_up", "key.history_up", "PgUp", footer=False, priority=True),
    Key("pagedown", "history_down", "key.history_down", "PgDn", footer=False, priority=True),
    Key("r", "restore", "key.restore", "r", footer=False),
    Key("escape", "leave_answer", "key.leave_answer", "Esc"),
)


#: The end screen's keys: start over, back to the walk, quit (before the summary's own scroll
#: keys, which ↑/↓ and PgUp/PgDn keep).
END_KEYS: tuple[Key, ...] = (
    Key("home", "start_over", "key.start_over", "Home", priority=True),
    Key("left,b", "review", "key.review", "←/b", priority=True),
    Key("q", "quit", "key.quit", "q", priority=True, listed="key.to_list"),
)

#: The title screen's own keys; its help lists them, then the walk's.
TITLE_KEYS: tuple[Key, ...] = (
    Key("enter,space", "start", "key.start", "⏎/␣", short="⏎"),
    Key("question_mark", "help", "key.help", "?"),
    Key("q", "quit", "key.quit", "q", listed="key.to_list"),
)


#: The list of built-in lessons (``stepper lesson`` with no LESSON): open, move, help, quit.
#: ↑ and ↓ are the list's own keys, j and k move as in a pager; Enter is the screen's (priority),
#: so that the footer shows it.
PICKER_KEYS: tuple[Key, ...] = (
    Key("enter", "open", "key.open", "⏎", brief="key.open_brief", priority=True),
    Key("up,k", "cursor_up", "key.move_up", "↑/k", short="↑", group="key.move"),
    Key("down,j", "cursor_down", "key.move_down", "↓/j", short="↓", group="key.move"),
    Key("question_mark", "help", "key.help", "?"),
    Key("q", "quit", "key.quit", "q"),
)


def leaving(keys: tuple[Key, ...], *, listed: bool) -> tuple[Key, ...]:
    """A lesson's ``keys`` as its screens show them: in a lesson opened from the list of
    lessons (``listed``), ``q`` goes back to that list, and its label says so rather than
    "quit"."""
    if not listed:
        return keys
    return tuple(replace(k, label=k.listed) if k.listed else k for k in keys)


def bindings(keys: tuple[Key, ...], lang: str) -> list[Binding]:
    """Textual bindings for ``keys`` with labels in ``lang``."""
    return [
        Binding(
            k.keys,
            k.action,
            label(k.brief or k.label, lang),
            show=k.footer,
            key_display=k.short or k.display,
            id=k.action,
            group=Binding.Group(label(k.group, lang), compact=True) if k.group else None,
            priority=k.priority,
        )
        for k in keys
    ]
