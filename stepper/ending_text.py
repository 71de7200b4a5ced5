"""The end of a lesson as lines of text, for a given width: what the app's end screen shows and
what ``--plain`` prints when the lesson ends (``stepper.ending`` computes it).

Matrices are drawn old → new side by side, or one above the other when that is too wide, and
lose middle columns and rows when even that is too wide (a 784-input layer).
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass

from stepper.ending import Change, Ends, Matrix, Summary
from stepper.i18n import label
from stepper.numbers import decimal_comma, pretty, shown
from stepper.runs import cell_text

#: Eight heights of a text sparkline, lowest first.
BARS = "▁▂▃▄▅▆▇█"
#: Rows of a weight matrix shown before the middle ones are left out (784-32-10 has 32 rows).
MOST_ROWS = 6


@dataclass(frozen=True, slots=True)
class Line:
    """One line of the summary and what kind it is (the app styles it; plain prints it)."""

    text: str
    kind: str = ""


def lines(
    summary: Summary, lang: str, width: int, *, brackets: bool = True, comma: bool = False
) -> list[Line]:
    """The summary as lines no wider than ``width`` (a matrix too wide loses middle columns);
    ``brackets`` draws matrices with ⎡⎢⎣ (else with [ ], which a screen reader reads);
    ``comma`` writes numbers with a decimal comma (and a point's coordinates apart with ";")."""
    out = [
        Line(label("end.title", lang), "title"),
        *_score_lines(summary, lang),
        *_loss_lines(summary, lang, width),
        *_runs_lines(summary, width),
        *_descent_lines(summary, lang, width, "; " if comma else ", "),
        *_graph_lines(summary, lang),
    ]
    if summary.results:
        out += [Line(""), Line(label("end.results", lang), "title")]
        for matrix in summary.results:
            out.append(Line(matrix.title))
            out += [Line(text) for text in grid_lines(matrix.new, width, brackets=brackets)]
    if summary.weights:
        out += [Line(""), Line(label("end.weights", lang), "title")]
        for matrix in summary.weights:
            out.append(Line(matrix.title))
            out += [Line(text) for text in matrix_lines(matrix, width, brackets=brackets)]
    out += _missed_lines(summary, lang)
    if comma:
        out = [Line(decimal_comma(line.text), line.kind) for line in out]
    return [wrapped for line in out for wrapped in _wrap(line, width)]


def _score_lines(summary: Summary, lang: str) -> list[Line]:
    """The score, at the top: what a quiz ends with first."""
    if summary.score is None:
        return []
    right, asked = summary.score
    pct = 100.0 * right / asked if asked else 0.0
    return [Line(""), Line(label("quiz.score", lang, right=right, asked=asked, pct=pct), "title")]


def _missed_lines(summary: Summary, lang: str) -> list[Line]:
    """Each question not right at the first try, at the bottom: the list may be long."""
    if not summary.missed:
        return []
    out = [Line(""), Line(label("end.missed", lang), "title")]
    for missed in summary.missed:
        how = [label("end.tries", lang, n=missed.tries)] if missed.tries else []
        if missed.revealed and not missed.right:
            how.append(label("end.revealed", lang))
        text = f"  {missed.n}. {missed.sym} = {pretty(missed.expected)}  ({', '.join(how)})"
        out.append(Line(text, "bad"))
    return out


def _loss_lines(summary: Summary, lang: str, width: int) -> list[Line]:
    out = []
    if summary.losses:
        out += [Line(""), Line(label("end.loss", lang), "title")]
        out += [_change_line(change, lang) for change in summary.losses]
    if summary.curve:
        out += [Line(""), Line(label("end.curve", lang), "title")]
        out += _curve_lines(summary.curve, width)
    return out


def _runs_lines(summary: Summary, width: int) -> list[Line]:
    """The runs compared: a table of one row per run when it fits, else each run's row as
    ``heading value`` pairs under its name."""
    compared = summary.runs
    if compared is None:
        return []
    out = [Line(""), Line(compared.title, "title")]
    head = [cell_text(c) for c in compared.head]
    table = [
        ["", *head],
        *([side, *row] for side, row in zip(compared.side, compared.rows, strict=True)),
    ]
    widths = [max(len(r[c]) for r in table) for c in range(len(table[0]))]
    if sum(widths) + 2 * len(widths) <= width:
        for r in table:
            text = "  " + "  ".join(
                cell.ljust(w) if c == 0 else cell.rjust(w)
                for c, (cell, w) in enumerate(zip(r, widths, strict=True))
            )
            out.append(Line(text.rstrip()))
    else:
        for side, row in zip(compared.side, compared.rows, strict=True):
            out.append(Line(f"  {side}"))
            pairs = [f"{h} {pretty(v)}" for h, v in zip(head, row, strict=True) if v]
            out.append(Line("    " + "  ".join(pairs)))
    out.append(Line(f"  {compared.note}"))
    return out


def _descent_lines(summary: Summary, lang: str, width: int, apart: str) -> list[Line]:
    """Each optimiser's start → end point (coordinates ``apart``), its f, its curve; then,
    from several starts, where they ended compared."""
    out = [Line("")] if summary.descents else []
    for descent in summary.descents:
        path = f"({apart.join(descent.start)}) → ({apart.join(descent.end)})"
        out.append(Line(f"{descent.name or label('end.descent', lang)}: {path}", "title"))
        out.append(_change_line(descent.f, lang))
        if len(descent.curve) > 2:
            out += _curve_lines(descent.curve, width)
    if summary.ends:
        out.append(Line(""))
        out += [Line(ends_sentence(ends, lang), "title") for ends in summary.ends]
    return out


def _graph_lines(summary: Summary, lang: str) -> list[Line]:
    """A graph lesson's end, graph by graph: the output before → after the descent step and
    the inputs it moved; without a step, the output's gradient with respect to each input."""
    out: list[Line] = []
    for end in summary.graphs:
        out.append(Line(""))
        if end.title:
            out.append(Line(end.title, "title"))
        if end.output is not None:
            out += [Line(label("end.graph.output", lang), "title"), _change_line(end.output, lang)]
        if end.inputs:
            out.append(Line(label("end.graph.inputs", lang), "title"))
            width = max(len(sym) for sym, _, _ in end.inputs)
            out += [
                Line(f"  {sym.ljust(width)}: {pretty(old)} → {pretty(new)}")
                for sym, old, new in end.inputs
            ]
        if end.gradients:
            out.append(Line(label("end.graph.gradients", lang), "title"))
            out += [Line(f"  {sym} = {pretty(value)}") for sym, value in end.gradients]
    return out


def ends_sentence(ends: Ends, lang: str) -> str:
    """Where the starts ended, in a sentence: at one point, or at several and which lowest."""
    if ends.points == 1:
        text = label("end.starts.same", lang, n=ends.starts)
    else:
        text = label(
            "end.starts.apart", lang, n=ends.starts, k=ends.points, f=ends.f, point=ends.lowest
        )
    return f"{ends.optimizer}: {text}" if ends.optimizer else text


def _wrap(line: Line, width: int) -> list[Line]:
    """A line too wide, in pieces at spaces, indented as it was."""
    if len(line.text) <= width:
        return [line]
    indent = line.text[: len(line.text) - len(line.text.lstrip())]
    pieces = textwrap.wrap(line.text, width, initial_indent="", subsequent_indent=indent + "  ")
    return [Line(piece, line.kind) for piece in pieces]


def _change_line(change: Change, lang: str) -> Line:
    if change.before_value:
        pct = 100.0 * (change.after_value - change.before_value) / abs(change.before_value)
        rel = f"  ({'+' if pct > 0 else '−' if pct < 0 else ''}{abs(pct):.1f} %)"
    else:
        rel = ""
    better = change.after_value < change.before_value
    worse = change.after_value > change.before_value
    verdict = label("end.better" if better else "end.worse" if worse else "end.same", lang)
    text = f"  {change.name}: {pretty(change.before)} → {pretty(change.after)}{rel}  {verdict}"
    return Line(text, "good" if better else "bad" if worse else "")


def sparkline(values: tuple[float, ...]) -> str:
    """One bar per value, from the lowest to the highest of them."""
    low, high = min(values), max(values)
    if high == low:
        return BARS[0] * len(values)
    return "".join(BARS[round((v - low) / (high - low) * (len(BARS) - 1))] for v in values)


def _curve_lines(curve: tuple[float, ...], width: int) -> list[Line]:
    numbers = [pretty(shown(v, 4)) for v in curve]
    text = " → ".join(numbers)
    if len(text) + 4 + len(curve) > width:
        text = f"{numbers[0]} → … → {numbers[-1]}"
    return [Line(f"  {sparkline(curve)}  {text}")]


def matrix_lines(matrix: Matrix, width: int, *, brackets: bool = True) -> list[str]:
    """Old and new side by side (``old → new``), or one above the other when that is too wide;
    columns (and rows past ``MOST_ROWS``) left out in the middle when even that is too wide."""
    cols = len(matrix.old[0]) if matrix.old else 0
    for keep in range(min(cols, _most_columns(width)), 0, -1):
        old, new = _elide(matrix.old, keep), _elide(matrix.new, keep)
        side = _side_by_side(_grid(old, brackets), _grid(new, brackets))
        if max(map(len, side)) <= width:
            return side
        stacked = [*_grid(old, brackets), "  ↓", *_grid(new, brackets)]
        if max(map(len, stacked)) <= width:
            return stacked
    return [line[:width] for line in stacked]


def grid_lines(
    rows: tuple[tuple[str, ...], ...], width: int, *, brackets: bool = True
) -> list[str]:
    """One matrix, its middle columns left out when it is too wide."""
    for keep in range(min(len(rows[0]), _most_columns(width)), 0, -1):
        grid = _grid(_elide(rows, keep), brackets)
        if max(map(len, grid)) <= width:
            return grid
    return [line[:width] for line in grid]


def _most_columns(width: int) -> int:
    """No more columns than fit at one character and two spaces each: the first to try."""
    return max(1, width // 3)


def _elide(rows: tuple[tuple[str, ...], ...], keep: int) -> list[list[str]]:
    """The first ``keep - 1`` columns, '…', the last; and the first and last rows, '⋮' between,
    when there are more than ``MOST_ROWS``."""
    out = [list(r) if len(r) <= keep else [*r[: keep - 1], "…", r[-1]] for r in rows]
    if len(out) > MOST_ROWS:
        out = [*out[: MOST_ROWS - 2], ["⋮"] * len(out[0]), out[-1]]
    return out


def _grid(rows: list[list[str]], brackets: bool) -> list[str]:
    widths = [max(len(r[c]) for r in rows) for c in range(len(rows[0]))]
    bodies = ["  ".join(cell.rjust(w) for cell, w in zip(r, widths, strict=True)) for r in rows]
    out = []
    for i, body in enumerate(bodies):
        left, right = _bracket(i, len(bodies)) if brackets else ("[", "]")
        out.append(f"  {left} {body} {right}")
    return out


def _bracket(i: int, n: int) -> tuple[str, str]:
    if n == 1:
        return "[", "]"
    if i == 0:
        return "⎡", "⎤"
    if i == n - 1:
        return "⎣", "⎦"
    return "⎢", "⎥"


def _side_by_side(left: list[str], right: list[str]) -> list[str]:
    middle = (len(left) - 1) // 2
    pad = max(map(len, left))
    return [
        f"{a.ljust(pad)} {'→' if i == middle else ' '} {b.lstrip()}"
        for i, (a, b) in enumerate(zip(left, right, strict=True))
    ]
