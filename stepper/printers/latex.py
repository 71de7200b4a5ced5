r"""LaTeX: a complete document that compiles with pdflatex; the math from sympy's printer.

Explanations are Unicode text in the lecture's notation (ỹ₂, δ₁, α); rather than rewrite
them, the preamble teaches pdflatex those few characters with ``\DeclareUnicodeCharacter``
(from LaTeX's own inputenc, so no extra package is needed). The
network, or the image and its kernels, is the app's picture (one layout for every medium)
drawn with TikZ.
"""

from __future__ import annotations

import re

from stepper.exam.fields import latex_fields
from stepper.i18n import label
from stepper.notation import Sym
from stepper.numbers import decimal_comma
from stepper.pictures import render_tikz
from stepper.pictures.conv_print import PRINT_WIDTH
from stepper.pictures.conv_print import print_scene as conv_print_scene
from stepper.pictures.graph import print_scene as graph_print_scene
from stepper.pictures.network import print_scene
from stepper.pictures.recurrent import print_scene as recurrent_print_scene
from stepper.pictures.scene import Scene
from stepper.pictures.vector import CMTT
from stepper.printers import Options, Printer, math_lines, optimize, register
from stepper.printers.data import ELIDED, Table, latex_number
from stepper.printers.document import (
    Document,
    build_document,
    latex_parts,
    latex_relations,
)
from stepper.printers.grouping import ZeroGroup
from stepper.printers.typography import quotes
from stepper.printers.typst_prose import formulas
from stepper.steps import Solution, Step

#: Characters of the explanations that pdflatex does not know, and what they are in math.
_UNICODE = {
    "α": r"\alpha",
    "γ": r"\gamma",
    "δ": r"\delta",
    "ε": r"\varepsilon",
    "θ": r"\theta",
    "σ": r"\sigma",
    "Δ": r"\Delta",
    "Σ": r"\Sigma",
    "ỹ": r"\tilde{y}",
    "−": "-",
    "·": r"\cdot",
    "×": r"\times",
    "≈": r"\approx",
    "≠": r"\neq",
    "≤": r"\leq",
    "≥": r"\geq",
    "→": r"\rightarrow",
    "∂": r"\partial",
    "²": "^{2}",
    "³": "^{3}",
    "ᵃ": "^{a}",
    "ᵖ": "^{p}",
    "ᶻ": "^{z}",
    # A normalisation's statistics and scaled values: xᵐⁱⁿ₁, μˣ₁, x′₁.
    "ᵐ": "^{m}",
    "ⁱ": "^{i}",
    "ⁿ": "^{n}",
    "ˣ": "^{x}",
    "ʸ": "^{y}",
    "μ": r"\mu",
    "′": r"{}^{\prime}",
    "⁻": "^{-}",
    "ᶜ": "^{c}",
    "⁺": "^{+}",
    "ξ": r"\xi",
    "ₒ": "_{o}",
    "⁽": "^{(}",
    "⁾": "^{)}",
    "ₖ": "_{k}",
    "ᵢ": "_{i}",
    "ⱼ": "_{j}",
    "∇": r"\nabla",
    "β": r"\beta",
    "ρ": r"\rho",
    "η": r"\eta",
    "√": r"\surd",
    "ᵗ": "^{t}",
    "ᵀ": "^{T}",
    "‖": r"\|",
    "‚": "_{,}",  # the comma between two-digit indices (w₁‚₁₆, input 16 of a vocabulary)
    # A recurrent cell: a gate's tag (wᶠ₁₀, δʰ), time steps (hₜ₋₁), the elementwise product.
    "ᶠ": "^{f}",
    "ᵍ": "^{g}",
    "ʰ": "^{h}",
    "ᵒ": "^{o}",
    "ʳ": "^{r}",
    "ₜ": "_{t}",
    "₋": "_{-}",
    "₊": "_{+}",
    "⊙": r"\odot",
    # A graph: the power rule's uᵏ in an explanation, the lecture's δ = −½·∂ε²/∂u in graph-4.
    "ᵏ": "^{k}",
    "½": r"\tfrac{1}{2}",
    **{chr(0x2080 + d): f"_{{{d}}}" for d in range(10)},
    **{s: f"^{{{d}}}" for d, s in enumerate("⁰¹²³⁴⁵⁶⁷⁸⁹") if s not in "²³"},
}

#: Punctuation of the prose (``typography.quotes``), as text: declared too, so that LuaLaTeX,
#: whose T1 fonts lack these code points, prints them as pdflatex does.
_PUNCTUATION = {
    "«": r"\guillemotleft{}",
    "»": r"\guillemotright{}",
    "“": "``",
    "”": "''",
    "’": "'",
    "…": r"\dots{}",
    "—": "---",
}

#: The text width of the page (A4, 2 cm margins), in points: pictures are shrunk to fit it.
_TEXT_WIDTH = 480.0

_ACCENTED = re.compile("(.)([\u0302\u0303])")
_ACCENTS = {"\u0302": "hat", "\u0303": "tilde"}


def text(value: str) -> str:
    """Plain text for LaTeX: specials escaped (Unicode math is handled by the preamble, and a
    letter with a combining hat or tilde, as in m̂, becomes \\hat{m})."""
    escaped = render_tikz.escape_specials(value)
    return _ACCENTED.sub(
        lambda m: rf"\ensuremath{{\{_ACCENTS[m.group(2)]}{{{m.group(1)}}}}}", escaped
    )


#: Babel's name of each language a lesson is written in.
_BABEL = {"es": "spanish", "en": "english"}


def preamble(lang: str = "en") -> str:
    """The document class and packages; only what a basic TeX Live has, so it compiles
    wherever pdflatex (or lualatex) does. Babel sets the lesson's language (hyphenation,
    "Figura", dates) from its own locale files (``provide=*``), which every babel has, rather
    than from a language package a minimal installation lacks."""
    chars = "\n".join(
        [
            *(
                rf"\DeclareUnicodeCharacter{{{ord(ch):04X}}}{{\ensuremath{{{tex}}}}}"
                for ch, tex in _UNICODE.items()
            ),
            *(
                rf"\DeclareUnicodeCharacter{{{ord(ch):04X}}}{{{tex}}}"
                for ch, tex in _PUNCTUATION.items()
            ),
        ]
    )
    return rf"""\documentclass[11pt,a4paper]{{article}}
\usepackage[utf8]{{inputenc}}
\usepackage[T1]{{fontenc}}
\usepackage{{lmodern}}
\usepackage[{_BABEL.get(lang, "english")},provide=*]{{babel}}
\usepackage[margin=2cm]{{geometry}}
\usepackage{{amsmath,amssymb}}
\usepackage{{tikz}}
\usepackage{{booktabs}}
\setlength{{\parindent}}{{0pt}}
\setlength{{\parskip}}{{4pt}}
\allowdisplaybreaks
% A proper name (Rosenbrock, Nesterov) is never hyphenated: no word that starts in capitals.
\uchyph=0
% A formula in the prose is kept whole (\mbox): a line before one may stretch more than usual.
\setlength{{\emergencystretch}}{{3em}}
% LuaLaTeX and XeLaTeX read UTF-8 themselves and have no \DeclareUnicodeCharacter: there each
% character below is made active and defined, as the newunicodechar package does.
\ifdefined\DeclareUnicodeCharacter\else
\newcommand\DeclareUnicodeCharacter[2]{{\begingroup\lccode`\~="#1\relax
\lowercase{{\endgroup\def~}}{{#2}}\catcode"#1=\active}}
\fi
{chars}
"""


def _math(doc: Document, tex: str) -> str:
    return decimal_comma(tex, "{,}") if doc.comma else tex


def prose(doc: Document, words: str) -> str:
    """Running text as LaTeX: the language's quotation marks («borde», “edge”), decimal commas
    where the lesson asks for them, and the formulas in it (``typst_prose.formulas`` finds
    them: x₀ = 1, Δw = 2αxγ, tanh(u₂)) set as math, in the equations' italic; a short one in
    a box, so that "x₀ =" never ends a line with "1" on the next."""
    words = quotes(words, doc.lang)
    out: list[str] = []
    at = 0
    for found in formulas(words):
        source = words[found.start : found.end]
        if not _settable(source):
            continue
        out.append(_text(doc, words[at : found.start]))
        math = f"${_inline_math(doc, source)}$"
        out.append(rf"\mbox{{{math}}}" if len(source) <= _SHORT else math)
        at = found.end
    out.append(_text(doc, words[at:]))
    return "".join(out)


def _settable(source: str) -> bool:
    """Whether a formula found in the prose can be set as math: not with a caret (e^(yᵢ), whose
    reach is the text's own), nor with a letter of the words (é, ñ: a word taken for a
    formula, "Después"), which the math fonts lack."""
    letters = (c for c in source if c.isalpha() and not c.isascii())
    return "^" not in source and all(c in _UNICODE for c in letters)


def _text(doc: Document, words: str) -> str:
    return text(decimal_comma(words) if doc.comma else words)


#: The longest formula of the prose (in characters) kept whole on one line: a longer one may
#: break after a relation or operator, as TeX breaks inline math.
_SHORT = 20

#: A word of two or more Latin letters in a formula: a function's name (tanh, tgh, log).
_NAME = re.compile(r"(?<![A-Za-z\\])[A-Za-z]{2,}(?![A-Za-z])")
_NAMED = {"tanh", "log", "ln", "exp", "max", "min", "sin", "cos", "arg"}


def _inline_math(doc: Document, source: str) -> str:
    """A formula of the prose in LaTeX math: its Unicode symbols stay (the preamble defines
    each as math), names upright, braces and specials escaped, accents as \\hat{m}."""
    escaped = "".join(
        {"{": r"\{", "}": r"\}", "%": r"\%", "#": r"\#", "&": r"\&"}.get(c, c) for c in source
    )
    named = _NAME.sub(
        lambda m: f"\\{m.group()} " if m.group() in _NAMED else rf"\operatorname{{{m.group()}}}",
        escaped,
    )
    accented = _ACCENTED.sub(lambda m: rf"\{_ACCENTS[m.group(2)]}{{{m.group(1)}}}", named)
    primed = _PRIMED.sub(r"{\1'}", accented)  # {x'}_{1}^{(2)}: no double superscript
    return _math(doc, _SCRIPT_RUN.sub(_script, primed))


#: A letter with a prime (x′₁, a scaled input), grouped so that its scripts attach to it.
_PRIMED = re.compile("([A-Za-z])′")


#: The preamble's sub- and superscript characters, by the script they write (₁ → _, ² → ^).
_SCRIPTS = {ch: tex[0] for ch, tex in _UNICODE.items() if tex[:2] in ("_{", "^{")}
_SCRIPT_RUN = re.compile(f"[{''.join(_SCRIPTS)}]+")


def _script(run: re.Match[str]) -> str:
    """A run of script characters as one script per kind (w₁₀ → w_{10}, not w_{1}_{0})."""
    out, kind, inside = "", "", ""
    for ch in run.group():
        if _SCRIPTS[ch] != kind and inside:
            out += f"{kind}{{{inside}}}"
            inside = ""
        kind = _SCRIPTS[ch]
        inside += _UNICODE[ch][2:-1]
    return out + f"{kind}{{{inside}}}"


def step_block(doc: Document, step: Step) -> list[str]:
    """The step's heading, its equation (broken into aligned lines when it is wider than the
    page) and its explanation."""
    parts = latex_parts(doc, step)
    head = rf"\paragraph{{{text(label('doc.step', doc.lang, n=step.n))}}}"
    relations = latex_relations(doc, step, parts)
    broken = math_lines.lines(parts, relations=relations)
    if broken is None:
        lines = [head, r"\[", _math(doc, math_lines.joined(parts, relations)), r"\]"]
    else:
        lines = [head, r"\begin{align*}", _math(doc, math_lines.aligned(broken)), r"\end{align*}"]
    words = doc.explanation(step)
    if words:
        lines.append(prose(doc, words))
    if step.note and doc.shows_values:
        note = prose(doc, step.note.strip())
        lines.append(rf"\par\textit{{{text(label('note', doc.lang))}: {note}}}")
    return lines


def group_block(doc: Document, group: ZeroGroup) -> list[str]:
    """Steps that are 0 for one reason: their symbols = 0, and the reason once."""
    return [
        rf"\paragraph{{{text(label('doc.steps', doc.lang, n=group.numbers('--')))}}}",
        r"\begin{gather*}",
        _math(doc, " \\\\\n".join(group.latex())),
        r"\end{gather*}",
        prose(doc, group.reason),
    ]


def _centred(doc: Document, scene: Scene) -> list[str]:
    """A printed picture drawn with TikZ, centred, in the document's decimal mark and shrunk
    to the text width; nothing for an empty scene."""
    if doc.comma:
        scene = scene.map_labels(decimal_comma)
    if not scene.items:
        return []
    metrics = CMTT.fit(scene.width, _TEXT_WIDTH)
    return [r"\begin{center}", render_tikz.render(scene, text, metrics), r"\end{center}"]


def tikz_network(doc: Document) -> list[str]:
    """The network picture (``stepper.pictures.network``) drawn with TikZ: the given weights on
    the synapses and, in a solution, the values of the first pass beside the nodes."""
    solution = doc.solution
    if solution.network is None or solution.conv is not None:
        return []
    return _centred(doc, print_scene(solution, doc.lang, worksheet=not doc.shows_values))


def tikz_conv(doc: Document) -> list[str]:
    """The image and the kernels (``stepper.pictures.conv_print``) drawn with TikZ: with their
    maps in a solution, alone on a worksheet."""
    solution = doc.solution
    if solution.conv is None:
        return []
    worksheet = not doc.shows_values
    return _centred(doc, conv_print_scene(solution, doc.lang, PRINT_WIDTH, worksheet=worksheet))


def tikz_recurrent(doc: Document) -> list[str]:
    """The cell unrolled in time (``stepper.pictures.recurrent``) drawn with TikZ: each time
    step's box, its forward values over its gradients in a solution, symbols on a worksheet."""
    solution = doc.solution
    if solution.recurrent is None:
        return []
    worksheet = not doc.shows_values
    return _centred(doc, recurrent_print_scene(solution, doc.lang, worksheet=worksheet))


def tikz_graph(doc: Document) -> list[str]:
    """The computational graph (``stepper.pictures.graph``) drawn with TikZ: every value
    and gradient in a solution, the given inputs alone on a worksheet."""
    solution = doc.solution
    if solution.graph is None:
        return []
    worksheet = not doc.shows_values
    return _centred(doc, graph_print_scene(solution, doc.lang, worksheet=worksheet))


def tikz_contour(doc: Document) -> list[str]:
    """The contour plot with every optimiser's path (``stepper.pictures.contour``), drawn with
    TikZ; a worksheet has none (see ``stepper.printers.optimize.picture``)."""
    if doc.solution.optimize is None or not doc.shows_values:
        return []
    return _centred(doc, optimize.picture(doc.solution, doc.lang))


def optimizer_heading(doc: Document, part: optimize.Part) -> list[str]:
    """An optimiser's heading, and its parameters under it."""
    out = [rf"\subsection*{{{text(part.title)}}}"]
    settings = optimize.settings_latex(part.settings)
    if settings:
        out.append(", ".join(f"${_math(doc, tex)}$" for tex in settings))
    return out


def comparison_table(doc: Document, table: optimize.Comparison) -> list[str]:
    """Where each optimiser got to, one row each, in a booktabs table."""
    head = " & ".join(text(h) if h != "f" else "$f$" for h in table.head)
    out = [
        rf"\subsection*{{{text(table.title)}}}",
        r"\begin{center}",
        r"\begin{tabular}{lrrr}",
        r"\toprule",
        head + r" \\",
        r"\midrule",
    ]
    for name, iterations, point, f in table.rows:
        where = text(optimize.point_text(point, doc.comma))
        out.append(rf"{text(name)} & {iterations} & {where} & ${_math(doc, f)}$ \\")
    out += [r"\bottomrule", r"\end{tabular}", r"\end{center}"]
    return out + [item for note in table.notes for item in (prose(doc, note), "")]


def _cell(doc: Document, cell: Sym | str) -> str:
    if isinstance(cell, Sym):
        return f"${cell.latex()}$"
    if cell == ELIDED:
        return r"$\dots$"
    if not cell or not _NUMBER.fullmatch(cell):
        return text(cell)
    return f"${_number(doc, cell)}$"


_NUMBER = re.compile(r"-?\d+(?:\.\d+)?(?:e-?\d+)?")


def _number(doc: Document, shown: str) -> str:
    return _math(doc, latex_number(shown))


def tabular(doc: Document, table: Table) -> list[str]:
    """A table of data or results under its title, the two kept on one page: a matrix with
    its headings ruled off (the corner names it: w, t, x, k); a grid without headings (an
    image, a kernel, a map) as the lecture writes it, a matrix; symbol–value pairs as a line
    of equations."""
    if table.pairs:
        body = [pairs(doc, table)]
    elif not table.head:
        body = [rf"\[{matrix(doc, table)}\]"]
    else:
        body = _ruled(doc, table)
    return [
        r"\par\medskip\noindent\begin{minipage}{\linewidth}",
        rf"\textbf{{{text(table.title)}}}\par",
        *body,
        r"\end{minipage}\par\medskip",
    ]


def _ruled(doc: Document, table: Table) -> list[str]:
    width = max(len(row) for row in table.rows) + (1 if table.side else 0)
    spec = ("c|" if table.side else "") + "c" * (width - (1 if table.side else 0))
    out = [r"\begin{center}", rf"\begin{{tabular}}{{{spec}}}", r"\toprule"]
    if table.head:
        corner = [_cell(doc, table.corner)] if table.side else []
        out += [" & ".join(corner + [_cell(doc, h) for h in table.head]) + r" \\", r"\midrule"]
    sides = table.side or ("",) * len(table.rows)
    for side, row in zip(sides, table.rows, strict=True):
        cells = ([_cell(doc, side)] if table.side else []) + [_cell(doc, c) for c in row]
        out.append(" & ".join(cells) + r" \\")
    return [*out, r"\bottomrule", r"\end{tabular}", r"\end{center}"]


def matrix(doc: Document, table: Table) -> str:
    """A grid's cells as a LaTeX ``pmatrix`` (Markdown writes it in its math too)."""
    rows = " \\\\ ".join(" & ".join(_entry(doc, c) for c in row) for row in table.rows)
    return rf"\begin{{pmatrix}} {rows} \end{{pmatrix}}"


def pairs(doc: Document, table: Table) -> str:
    """Symbol–value pairs as a line of equations, each in $…$."""
    return ", ".join(f"${_entry(doc, sym)} = {_entry(doc, value)}$" for sym, value in table.rows)


def formulas_line(steps: tuple[Step, ...]) -> str:
    """Formulas the lesson gives (a graph's nodes) as a line of equations, each in $…$."""
    from stepper import formulas

    return ", ".join(f"${formulas.formula(step, 'latex')}$" for step in steps)


def _entry(doc: Document, cell: Sym | str) -> str:
    """A cell in math."""
    if isinstance(cell, Sym):
        return cell.latex()
    if cell == ELIDED:
        return r"\cdots"
    if _NUMBER.fullmatch(cell):
        return _number(doc, cell)
    return rf"\text{{{text(cell)}}}" if cell else ""


def data(doc: Document) -> list[str]:
    """The Datos section (``stepper.printers.data``): every number the lesson gives, an
    optimiser's under its name, the matrices as tables an instructor can edit."""
    if not doc.data:
        return []
    out = [rf"\subsection*{{{text(label('pdf.data', doc.lang))}}}"]
    for group in doc.data:
        if group.title:
            out.append(rf"\paragraph{{{text(group.title)}}}")
        if group.formulas:
            out += [formulas_line(group.formulas), ""]
        if group.values:
            out.append(", ".join(f"${s.latex()} = {_number(doc, v)}$" for s, v in group.values))
            out.append("")
        if group.note:
            out += [prose(doc, group.note), ""]
        for table in group.tables:
            out += tabular(doc, table)
    return out


def render_document(doc: Document) -> str:
    return (
        "\n".join([preamble(doc.lang), r"\begin{document}", *body(doc), r"\end{document}"]) + "\n"
    )


def body(doc: Document) -> list[str]:
    """The document between \\begin{document} and \\end{document}."""
    lang = doc.lang
    kind = label("doc.worksheet" if doc.blank != "none" else "doc.solution", lang)
    if doc.variant:
        kind += " · " + label("doc.variant", lang, id=doc.variant)
    out = [
        rf"\section*{{{text(doc.title)}}}",
        rf"\textit{{{text(kind)}}}",
        "",
    ]
    if doc.blank != "none":  # a worksheet asks who fills it in, as every sheet does
        out += [latex_fields(lang), ""]
    if doc.summary:
        out += [prose(doc, doc.summary), ""]
    out += tikz_network(doc)
    out += tikz_conv(doc)
    out += tikz_recurrent(doc)
    out += tikz_graph(doc)
    out += tikz_contour(doc)
    out += data(doc)
    heading = r"\subsubsection*" if doc.parts else r"\subsection*"
    for k, section in enumerate(doc.sections):
        part = doc.part_at(k)
        if part is not None:
            out += optimizer_heading(doc, part)
        out.append(rf"{heading}{{{text(section.title)}}}")
        for item in section.items:
            out += group_block(doc, item) if isinstance(item, ZeroGroup) else step_block(doc, item)
    if doc.comparison is not None:
        out += comparison_table(doc, doc.comparison)
    if doc.tables:
        out.append(rf"\subsection*{{{text(label('doc.results', lang))}}}")
        for table in doc.tables:
            out += tabular(doc, table)
    return out


def render(solution: Solution, options: Options) -> str:
    return render_document(
        build_document(solution, blank=options.blank, comma=options.comma, variant=options.variant)
    )


def render_many(documents: list[tuple[Solution, Options]]) -> str:
    """One LaTeX document with each variant on pages of its own."""
    docs = [
        build_document(solution, blank=options.blank, comma=options.comma, variant=options.variant)
        for solution, options in documents
    ]
    joined = "\n\\clearpage\n".join("\n".join(body(doc)) for doc in docs)
    lang = docs[0].lang if docs else "en"
    return "\n".join([preamble(lang), r"\begin{document}", joined, r"\end{document}"]) + "\n"


register(Printer("tex", render, description="a LaTeX document (pdflatex)", render_many=render_many))
