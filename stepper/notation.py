"""The lecture's notation: one symbol type, printed for LaTeX, Unicode and plain text.

A ``Sym`` is a letter with indices and an optional tilde or prefix (ỹ₂, w₁₂, Δw₁₀, ε₁). The
formula templates leave slots for symbols and numbers; this module says how each one is
written in each output, so that w₁₂ in the app and ``w_{12}`` in LaTeX are the same thing.
"""

from __future__ import annotations

from dataclasses import dataclass, field

_SUB = str.maketrans("0123456789,", "₀₁₂₃₄₅₆₇₈₉‚")
_SUP = str.maketrans("0123456789-()+apzminxycfghor", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻⁽⁾⁺ᵃᵖᶻᵐⁱⁿˣʸᶜᶠᵍʰᵒʳ")

#: letter -> (LaTeX, Unicode)
_LETTERS: dict[str, tuple[str, str]] = {
    "eps": (r"\varepsilon", "ε"),
    "delta": (r"\delta", "δ"),
    "gamma": (r"\gamma", "γ"),
    "alpha": (r"\alpha", "α"),
    "sigma": (r"\sigma", "σ"),
    "eps2": (r"\varepsilon^{2}", "ε²"),
    "Fo": (r"F_{o}", "Fₒ"),
    "beta": (r"\beta", "β"),
    "rho": (r"\rho", "ρ"),
    "mhat": (r"\hat{m}", "m̂"),
    "rhat": (r"\hat{r}", "r̂"),
    "xi": (r"\xi", "ξ"),
    "norm": (r"\lVert \nabla f \rVert", "‖∇f‖"),
    "Eg2": (r"E[g^{2}]", "E[g²]"),
    # Normalisation: a scaled input and target, and the mean (σ is above).
    "xp": ("x'", "x′"),
    "yp": ("y'", "y′"),
    "mu": (r"\mu", "μ"),
    # A category's id, counted from 0 as a tokenizer counts.
    "id": (r"\mathrm{id}", "id"),
}


#: The letter of a convolution's maps by their key, where the usual one means something else in
#: the lecture (docs/lessons.md, "Letters"): a convolution's cell is c (z is a hidden output),
#: pooled cells m (p is the padding), a channel's part of a cell q (s is the stride).
MAP_LETTERS = {"conv": "c", "relu": "a", "pool": "m", "chan": "q"}

#: The letter a recurrent cell's gate is written with where its key's letter means something
#: else in the lecture: the GRU's update gate z (z is a hidden neuron's output) is written a,
#: for "actualización" (the key stays ``z[t,i]``).
GATE_LETTERS = {"z": "a"}


def named(name: str) -> Sym:
    """A name a lesson gives (a graph's node or input: ``a``, ``w20``, ``n3``) as a symbol:
    its letter, and each digit written as an index (w₂₀, x₀₁), so two names never print alike."""
    return Sym(name[0], tuple(int(d) for d in name[1:]))


#: Indices as written, by their tuple: w₁₂, Δw₁₂ and the pictures' labels share them, and a big
#: network prints some 100,000.
_INDEX_TEXT: dict[tuple[tuple[int, ...], bool], str] = {}


def subscript(text: str) -> str:
    """Unicode subscript digits (12 -> ₁₂)."""
    return text.translate(_SUB)


def superscript(text: str) -> str:
    """Unicode superscript digits (2 -> ²)."""
    return text.translate(_SUP)


@dataclass(frozen=True, slots=True)
class Sym:
    """A symbol of the lecture: ``letter`` with ``indices``, maybe a tilde, a Δ, a tag and a
    parenthesised superscript.

    ``sample`` is that superscript: the pair of a per-sample quantity inside a batch (the
    lecture's Δw^p), or the kernel of a feature map. ``tag`` is a letter written as a bare
    superscript, naming what an error belongs to (δᵖ: the error at a pooled cell) or which
    gate of a recurrent cell a quantity is of (wᶠ₁₀, δᶠ₂). ``comma`` separates the indices
    even when each is one digit: a recurrent quantity's time and unit (h₂‚₁, unit 1 at time 2),
    which the lecture's w₁₂ style would run together.

    ``of`` makes the symbol a derivative of ``of`` by the symbol: a computational graph's
    local ∂e/∂a (a partial derivative: e's formula with its other operands held fixed) or,
    with ``total``, its gradient dL/da (the total derivative: every path from a to L). The two
    differ where a feeds L directly and through another node too (f = p + x: ∂f/∂x = 1 but
    df/dx adds the path through p), so they are written apart, ∂ and d. ``via`` then names the
    node a contribution comes through: (dL/da)⁽ᵉ⁾ is the part of dL/da that flows back through
    e, as the lecture's Δw⁽ᵖ⁾ is the part of Δw that sample p gives; the parts add up to the
    whole.
    """

    letter: str
    indices: tuple[int, ...] = ()
    tilde: bool = False
    delta: bool = False
    sample: int | str | None = None
    tag: str | None = None
    comma: bool = False
    of: Sym | None = None
    via: Sym | None = None
    total: bool = False
    _hash: int = field(default=0, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # Symbols are dictionary keys in the printers' inner loops (one lookup a slot, some
        # 400,000 in a big lesson); the generated __hash__ would build a tuple every time.
        object.__setattr__(self, "_hash", hash(self._fields()))

    def _fields(self) -> tuple[object, ...]:
        return (
            self.letter,
            self.indices,
            self.tilde,
            self.delta,
            self.sample,
            self.tag,
            self.comma,
            self.of,
            self.via,
            self.total,
        )

    def __hash__(self) -> int:
        return self._hash

    def __reduce__(self) -> tuple[type[Sym], tuple[object, ...]]:
        # Rebuilt from its fields (a copy, a pickle): the hash of text differs between runs.
        return Sym, self._fields()

    def family(self) -> Sym:
        """The symbol without its indices, sample and comma: what every w₁₂, w₂₀ shares (w),
        every dL/da₁ (dL/da), so that a name can be looked up by its head."""
        return Sym(
            self.letter,
            tilde=self.tilde,
            delta=self.delta,
            tag=self.tag,
            of=self.of,
            via=self.via,
            total=self.total,
        )

    def _index(self) -> str:
        # The lecture writes w12 for w_{1,2}; once an index has two digits, commas keep it readable.
        text = _INDEX_TEXT.get((self.indices, self.comma))
        if text is None:
            sep = "," if self.comma or any(i > 9 for i in self.indices) else ""
            text = _INDEX_TEXT[self.indices, self.comma] = sep.join(map(str, self.indices))
        return text

    def latex(self) -> str:
        base = _LETTERS.get(self.letter, (self.letter, self.letter))[0]
        if self.tilde:
            base = rf"\tilde{{{base}}}"
        if self.delta:
            base = rf"\Delta {base}"
        sup = [self.tag if len(self.tag) == 1 else rf"\mathrm{{{self.tag}}}"] if self.tag else []
        if self.sample is not None:
            sup.append(f"({self.sample})")
        if sup:
            base = f"{{{base}}}" if "^" in base or "'" in base else base
            base += f"^{{{''.join(sup)}}}"
        if self.indices:
            base += f"_{{{self._index()}}}"
        if self.of is None:
            return base
        d = r"\mathrm{d}" if self.total else r"\partial"
        base = rf"\frac{{{d} {self.of.latex()}}}{{{d} {base}}}"
        if self.via is not None:
            base = rf"\left({base}\right)^{{({self.via.latex()})}}"
        return base

    def unicode(self) -> str:
        base = _LETTERS.get(self.letter, (self.letter, self.letter))[1]
        if self.tilde:
            base = "ỹ" if base == "y" else base + "\u0303"
        if self.delta:
            base = "Δ" + base
        if self.tag:
            base += superscript(self.tag)
        base += subscript(self._index())
        if self.sample is not None:
            base += superscript(f"({self.sample})")
        if self.of is None:
            return base
        d = "d" if self.total else "∂"
        base = f"{d}{self.of.unicode()}/{d}{base}"
        if self.via is not None:
            base += _raised(self.via)
        return base

    def text(self) -> str:
        """An identifier-like name for scripts (y_tilde_2, dw_12)."""
        base = self.letter + ("_tilde" if self.tilde else "")
        if self.delta:
            base = "D" + base
        if self.indices:
            base += "_" + "_".join(str(i) for i in self.indices)
        if self.tag:
            base += f"_{self.tag}"
        if self.sample is not None:
            base += f"_p{self.sample}"
        if self.of is None:
            return base
        d = "d" if self.total else "p"
        base = f"{d}{self.of.text()}_{d}{base}"
        if self.via is not None:
            base += f"_via_{self.via.text()}"
        return base


#: Superscript letters Unicode has (no q, C, F, Q, S, X, Y, Z).
_SUP_LETTERS = dict(
    zip(
        "abcdefghijklmnoprstuvwxyzABDEGHIJKLMNOPRTUVW",
        "ᵃᵇᶜᵈᵉᶠᵍʰⁱʲᵏˡᵐⁿᵒᵖʳˢᵗᵘᵛʷˣʸᶻᴬᴮᴰᴱᴳᴴᴵᴶᴷᴸᴹᴺᴼᴾᴿᵀᵁⱽᵂ",
        strict=True,
    )
)


def _raised(sym: Sym) -> str:
    """A node's name as a parenthesised superscript (⁽ᵉ⁾, ⁽ⁿ³⁾), or ^(X) for a letter that
    Unicode has no superscript of."""
    letter = _SUP_LETTERS.get(sym.letter)
    if letter is None or len(sym.letter) != 1:
        return f"^({sym.unicode()})"
    return f"⁽{letter}{superscript(sym._index())}⁾"
