"""Authoring support: the JSON Schema of lesson files and commented starter lessons.

``stepper schema`` prints a JSON Schema generated from the pydantic models that validate
lessons (``stepper.lesson.schema``), so an editor with a YAML language server checks and
completes a lesson as it is typed, and its hover texts are the ones below. The schema says
what the models say (fields, types, ranges, closed mappings); the rules across fields (row
lengths, layers that chain, limits) stay with ``stepper check``, which has the last word.

``stepper new KIND NAME`` writes a starter lesson of that kind: a small working example with a
comment in the chosen language above every field. The text is generated here, from templates
whose ``@Model.field`` lines stand for that field's help; it never overwrites a file.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import secrets
import textwrap
import typing
from pathlib import Path
from typing import Any

from stepper.lesson.errors import LessonError, Problem
from stepper.lesson.schema import MODELS, Lesson, Strict

#: Where the header of a starter lesson expects the schema, beside the lesson.
SCHEMA_FILE = "stepper-lesson.schema.json"
HEADER = f"# yaml-language-server: $schema={SCHEMA_FILE}"

#: What every field means, in English and in Spanish, by model and field. The English text is
#: the schema's hover text; both are the comments of the starter lessons. A field of a base
#: model (LessonBase) is found through the subclasses' MRO.
FIELD_HELP: dict[str, dict[str, tuple[str, str]]] = {
    "Explanation": {
        "replace": (
            "Text that replaces the built-in explanation of the step.",
            "Texto que sustituye a la explicación de serie del paso.",
        ),
        "append": (
            "Text added after the built-in explanation of the step.",
            "Texto que se añade tras la explicación de serie del paso.",
        ),
    },
    "LessonBase": {
        "id": (
            "The lesson's id, for `stepper lesson ID` and messages: letters, digits, _ . and -. "
            "Optional: it defaults to the file name without .yaml.",
            "El identificador de la lección, para `stepper lesson ID` y los mensajes: letras, "
            "dígitos, _ . y -. Opcional: por defecto, el nombre del archivo sin .yaml.",
        ),
        "title": (
            "The title: one text, or one per language ({es: ..., en: ...}).",
            "El título: un texto, o uno por idioma ({es: ..., en: ...}).",
        ),
        "language": (
            "es | en (default es): the language of explanations and labels; `--lang` overrides it.",
            "es | en (por defecto es): el idioma de las explicaciones y etiquetas; "
            "`--lang` lo cambia.",
        ),
        "summary": (
            "Optional text shown before the first step (one text, or {es: ..., en: ...}).",
            "Texto opcional que se muestra antes del primer paso (uno, o {es: ..., en: ...}).",
        ),
        "display": (
            "How numbers are shown.",
            "Cómo se muestran los números.",
        ),
        "explanations": (
            "Your own words for steps: a step key or a pattern with * (u[*]) -> replace or append "
            "(one text, or one per language).",
            "Tus propias palabras para los pasos: una clave de paso o un patrón con * (u[*]) -> "
            "replace o append (un texto, o uno por idioma).",
        ),
        "phases": (
            "Which phases to show (shape, forward, error, backward, update); default all.",
            "Qué fases mostrar (shape, forward, error, backward, update); por defecto, todas.",
        ),
        "notes": (
            "Optional remarks shown with a step, by step key (the keys are listed by "
            "`stepper solve FILE --format json`); one text or {es: ..., en: ...}.",
            "Comentarios opcionales que acompañan a un paso, por su clave (las claves las "
            "lista `stepper solve ARCHIVO --format json`); un texto o {es: ..., en: ...}.",
        ),
        "variants": (
            "Exam variants (dense lessons only): which numbers `stepper solve --variants N` "
            "redraws, and from which range.",
            "Variantes de examen (solo lecciones dense): qué números vuelve a sortear "
            "`stepper solve --variants N`, y en qué rango.",
        ),
    },
    "DenseLesson": {
        "kind": (
            "dense (the default; may be left out): a network of dense layers, trained by "
            "backpropagation.",
            "dense (por defecto; puede omitirse): una red de capas densas, entrenada con "
            "retropropagación.",
        ),
        "network": (
            "The network: its inputs and its layers of neurons.",
            "La red: sus entradas y sus capas de neuronas.",
        ),
        "training": (
            "What the network is given: the samples, the loss and the learning rate.",
            "Lo que recibe la red: las muestras, la pérdida y la tasa de aprendizaje.",
        ),
    },
    "Display": {
        "decimals": (
            "Decimal places shown (0 to 12, default 4), trailing zeros trimmed; values are "
            "computed with full precision.",
            "Decimales que se muestran (de 0 a 12, por defecto 4), sin ceros finales; los "
            "valores se calculan con toda la precisión.",
        ),
        "round_intermediate": (
            "true: every step uses the rounded values shown in earlier steps, as a hand "
            "calculation on paper does (default false).",
            "true: cada paso usa los valores redondeados que se mostraron antes, como un "
            "cálculo a mano en papel (por defecto false).",
        ),
        "decimal_comma": (
            "true: numbers are printed with a decimal comma, 0,29 (default false: 0.29).",
            "true: los números se escriben con coma decimal, 0,29 (por defecto false: 0.29).",
        ),
    },
    "Network": {
        "inputs": (
            "N, the number of inputs x1..xN; x0 = 1 feeds the biases.",
            "N, el número de entradas x1..xN; x0 = 1 alimenta los sesgos.",
        ),
        "layers": (
            "The layers of neurons, first to last: layer 1 is the first after the inputs.",
            "Las capas de neuronas, de la primera a la última: la capa 1 es la primera tras "
            "las entradas.",
        ),
    },
    "Layer": {
        "activation": (
            "One for the whole layer, or a list with one per neuron: linear (or identity), "
            "tanh, sigmoid, relu; softmax only for a whole last layer.",
            "Una para toda la capa, o una lista con una por neurona: linear (o identity), "
            "tanh, sigmoid, relu; softmax solo para toda la última capa.",
        ),
        "weights": (
            "One row per neuron i: [w_i0 (the bias), w_i1, ..., w_iN], N being the inputs of "
            "this layer (the neurons of the layer before it).",
            "Una fila por neurona i: [w_i0 (el sesgo), w_i1, ..., w_iN], siendo N las "
            "entradas de esta capa (las neuronas de la capa anterior).",
        ),
        "symbol": (
            "Optional letter of this layer's weights (default w; the lecture uses t for the "
            "second layer).",
            "Letra opcional de los pesos de esta capa (por defecto w; la clase usa t en la "
            "segunda capa).",
        ),
        "output_symbol": (
            "Optional letter of a hidden layer's outputs (default z; the lecture also uses v); "
            "the last layer's outputs are always ỹ.",
            "Letra opcional de las salidas de una capa oculta (por defecto z; la clase también "
            "usa v); las salidas de la última capa son siempre ỹ.",
        ),
    },
    "Training": {
        "learning_rate": (
            "α, > 0: needed when some sample has a target y.",
            "α, > 0: necesaria cuando alguna muestra tiene objetivo y.",
        ),
        "loss": (
            "sse (default, the lecture's): ε² = Σ(y − ỹ)², Δw = 2αxδ | half_sse: ½Σ(y − ỹ)², "
            "Δw = αxδ | cross_entropy: −Σ y log ỹ, with a softmax last layer, Δw = αxδ.",
            "sse (por defecto, la de la clase): ε² = Σ(y − ỹ)², Δw = 2αxδ | half_sse: "
            "½Σ(y − ỹ)², Δw = αxδ | cross_entropy: −Σ y log ỹ, con softmax en la última "
            "capa, Δw = αxδ.",
        ),
        "samples": (
            "The input-output pairs, presented in this order.",
            "Los pares de entrada y salida, en el orden en que se presentan.",
        ),
        "batch_size": (
            "Samples per weight update (default 1); with more, the increments of the batch "
            "are averaged.",
            "Muestras por actualización de los pesos (por defecto 1); con más, se promedian "
            "los incrementos del lote.",
        ),
        "epochs": (
            "How many times all the samples are presented (default 1).",
            "Cuántas veces se presentan todas las muestras (por defecto 1).",
        ),
    },
    "Sample": {
        "x": (
            "The inputs x1..xN of this sample.",
            "Las entradas x1..xN de esta muestra.",
        ),
        "y": (
            "The targets, one per output neuron; leave y out to pass the sample forward only "
            "(no error, no update).",
            "Los objetivos, uno por neurona de salida; sin y, la muestra solo se propaga hacia "
            "delante (sin error ni actualización).",
        ),
    },
    "Variants": {
        "weights": (
            "The range every weight is drawn from.",
            "El rango del que se sortea cada peso.",
        ),
        "inputs": (
            "The range of every input x.",
            "El rango de cada entrada x.",
        ),
        "targets": (
            "The range of every target y.",
            "El rango de cada objetivo y.",
        ),
        "learning_rate": (
            "The range of the learning rate α.",
            "El rango de la tasa de aprendizaje α.",
        ),
        "saturate": (
            "true allows |u| > 2 in tanh and sigmoid neurons (default false: such a draw is "
            "drawn again).",
            "true permite |u| > 2 en neuronas tanh y sigmoid (por defecto false: ese sorteo se "
            "repite).",
        ),
    },
    "Grid": {
        "min": (
            "The smallest value of the range.",
            "El menor valor del rango.",
        ),
        "max": (
            "The largest value of the range.",
            "El mayor valor del rango.",
        ),
        "step": (
            "The distance between values (> 0): min, min + step, ... up to max.",
            "La distancia entre valores (> 0): min, min + step, ... hasta max.",
        ),
    },
    "ConvLesson": {
        "kind": (
            "conv: a convolutional lesson (image, kernels, pooling, a softmax head).",
            "conv: una lección convolucional (imagen, kernels, pooling, una cabeza softmax).",
        ),
        "image": (
            "One channel: a matrix, one row a line; several channels (RGB): a list of "
            "matrices, channels first.",
            "Un canal: una matriz, una fila por línea; varios canales (RGB): una lista de "
            "matrices, primero los canales.",
        ),
        "kernels": (
            "The kernels that slide over the image; each gives one feature map.",
            "Los kernels que recorren la imagen; cada uno da un mapa de características.",
        ),
        "padding": (
            "valid (no padding, default) | same (zeros, (n − 1)/2 per side; odd kernels, "
            "stride 1) | a whole number of zeros per side.",
            "valid (sin relleno, por defecto) | same (ceros, (n − 1)/2 por lado; kernels "
            "impares, paso 1) | un número entero de ceros por lado.",
        ),
        "stride": (
            "How many cells the kernel moves each time (default 1).",
            "Cuántas celdas avanza el kernel cada vez (por defecto 1).",
        ),
        "activation": (
            "relu | none (default): applied to every cell of the maps.",
            "relu | none (por defecto): se aplica a cada celda de los mapas.",
        ),
        "pool": (
            "Optional pooling of every map.",
            "Pooling opcional de cada mapa.",
        ),
        "dense": (
            "Optional head: the maps, flattened kernel by kernel and row by row, feed one "
            "dense layer with softmax.",
            "Cabeza opcional: los mapas, aplanados kernel a kernel y fila a fila, entran en "
            "una capa densa con softmax.",
        ),
        "target": (
            "Optional, with a dense head (or logits): the right class, one-hot like [1, 0]; "
            "it gives the cross-entropy loss.",
            "Opcional, con cabeza densa (o logits): la clase correcta, one-hot como [1, 0]; "
            "da la pérdida de entropía cruzada.",
        ),
        "learning_rate": (
            "Optional, with a dense head and a target: α of one gradient step on the head, "
            "the kernels and their biases.",
            "Opcional, con cabeza densa y objetivo: α de un paso de gradiente sobre la "
            "cabeza, los kernels y sus sesgos.",
        ),
        "logits": (
            "Instead of an image: only the softmax of these numbers.",
            "En lugar de una imagen: solo la softmax de estos números.",
        ),
        "shape": (
            "Instead of an image: only the sizes of a convolutional layer (no cell values).",
            "En lugar de una imagen: solo los tamaños de una capa convolucional (sin valores).",
        ),
    },
    "Kernel": {
        "name": (
            "Optional name shown with its map (one text, or {es: ..., en: ...}).",
            "Nombre opcional que se muestra con su mapa (un texto, o {es: ..., en: ...}).",
        ),
        "weights": (
            "An N×N matrix; over several channels, one matrix per channel.",
            "Una matriz N×N; con varios canales, una matriz por canal.",
        ),
        "bias": (
            "Added to every cell of the map (default 0).",
            "Se suma a cada celda del mapa (por defecto 0).",
        ),
        "padding": (
            "Optional: this kernel's own padding, instead of the lesson's.",
            "Opcional: el relleno propio de este kernel, en lugar del de la lección.",
        ),
    },
    "Pool": {
        "kind": (
            "max (default) | average.",
            "max (por defecto) | average (media).",
        ),
        "size": (
            "The window is size × size cells.",
            "La ventana es de size × size celdas.",
        ),
        "stride": (
            "How far the window moves (default: size, windows that do not overlap).",
            "Cuánto avanza la ventana (por defecto: size, ventanas que no se solapan).",
        ),
    },
    "Head": {
        "weights": (
            "One row per class: [bias, w_1, ..., w_M], M being the number of flattened values.",
            "Una fila por clase: [sesgo, w_1, ..., w_M], siendo M el número de valores aplanados.",
        ),
        "activation": (
            "softmax (the only one, and the default).",
            "softmax (la única, y la de por defecto).",
        ),
    },
    "ShapeOnly": {
        "input": (
            "[D, D, C]: a square input of D×D pixels and C channels.",
            "[D, D, C]: una entrada cuadrada de D×D píxeles y C canales.",
        ),
        "kernels": (
            "K, how many kernels.",
            "K, cuántos kernels.",
        ),
        "kernel_size": (
            "N: every kernel is N×N.",
            "N: cada kernel es de N×N.",
        ),
    },
    "OptimizeLesson": {
        "kind": (
            "optimize: a function of named variables, minimised step by step by one or more "
            "optimisers.",
            "optimize: una función de variables con nombre, minimizada paso a paso por uno o "
            "más optimizadores.",
        ),
        "function": (
            "The function to minimise, in Python syntax: numbers, the variables, + - * / **, "
            "exp log sqrt tanh sin cos; it is read, never run.",
            "La función a minimizar, con sintaxis de Python: números, las variables, "
            "+ - * / **, exp log sqrt tanh sin cos; se lee, nunca se ejecuta.",
        ),
        "variables": (
            "The names of the variables: a letter, maybe followed by one or two digits (x, y, w1).",
            "Los nombres de las variables: una letra, quizá seguida de uno o dos dígitos "
            "(x, y, w1).",
        ),
        "start": (
            "The start point: one number per variable, in the same order.",
            "El punto de partida: un número por variable, en el mismo orden.",
        ),
        "iterations": (
            "How many updates each optimiser makes (default 1).",
            "Cuántas actualizaciones hace cada optimizador (por defecto 1).",
        ),
        "optimizers": (
            "One or more optimisers; each starts from the same point.",
            "Uno o más optimizadores; cada uno parte del mismo punto.",
        ),
    },
    "Optimizer": {
        "name": (
            "gradient_descent | momentum | nesterov | adagrad | adadelta | adam.",
            "gradient_descent | momentum | nesterov | adagrad | adadelta | adam.",
        ),
        "id": (
            "Optional: with several optimisers, the prefix of this one's step keys "
            "(default: its name).",
            "Opcional: con varios optimizadores, el prefijo de las claves de los pasos de "
            "este (por defecto: su nombre).",
        ),
        "learning_rate": (
            "α > 0; every optimiser needs it except adadelta (default 1).",
            "α > 0; todos los optimizadores la necesitan salvo adadelta (por defecto 1).",
        ),
        "momentum": (
            "β of momentum and nesterov, 0 ≤ β < 1 (default 0.9).",
            "β de momentum y nesterov, 0 ≤ β < 1 (por defecto 0.9).",
        ),
        "rho": (
            "ρ of adadelta, 0 ≤ ρ < 1 (default 0.9).",
            "ρ de adadelta, 0 ≤ ρ < 1 (por defecto 0.9).",
        ),
        "beta1": (
            "β1 of adam, 0 ≤ β1 < 1 (default 0.9).",
            "β1 de adam, 0 ≤ β1 < 1 (por defecto 0.9).",
        ),
        "beta2": (
            "β2 of adam, 0 ≤ β2 < 1 (default 0.999).",
            "β2 de adam, 0 ≤ β2 < 1 (por defecto 0.999).",
        ),
        "epsilon": (
            "ε > 0 of adagrad (default 1e-10), adadelta (1e-6) and adam (1e-8): keeps the "
            "divisions finite.",
            "ε > 0 de adagrad (por defecto 1e-10), adadelta (1e-6) y adam (1e-8): evita "
            "divisiones por cero.",
        ),
    },
}


def field_help(model: type[Strict], field: str, lang: str = "en") -> str | None:
    """What ``field`` of ``model`` means, in ``lang`` (es or en); None when nobody wrote it."""
    index = 1 if lang == "es" else 0
    for cls in model.__mro__:
        text = FIELD_HELP.get(cls.__name__, {}).get(field)
        if text is not None:
            return text[index]
    return None


# --- The JSON Schema --------------------------------------------------------------------------


def _kinds() -> dict[str, type[Strict]]:
    """Every lesson kind of the format (``stepper.lesson.schema.Lesson``) and its model."""
    out: dict[str, type[Strict]] = {}
    for model in typing.get_args(Lesson):
        (kind,) = typing.get_args(model.model_fields["kind"].annotation)
        out[str(kind)] = model
    return out


#: The lesson kinds, dense first, and the model of each.
KINDS = _kinds()


def json_schema() -> dict[str, Any]:
    """The JSON Schema of a lesson file: one of the lesson kinds, told apart by ``kind`` (a
    dense lesson may leave it out), generated from the models that validate lessons."""
    from pydantic import TypeAdapter

    generated = TypeAdapter(Lesson).json_schema(mode="validation")
    defs: dict[str, Any] = generated["$defs"]
    by_name = {model.__name__: model for model in MODELS}
    for name, definition in defs.items():
        model = by_name.get(name)
        if model is None:
            continue
        for field, prop in definition.get("properties", {}).items():
            text = field_help(model, field)
            if text is not None:
                prop["description"] = text
    # The kind picks the model (if/then/else rather than oneOf): an editor then reports a
    # mistake against the kind the author wrote, not "matches none of three schemas".
    choice: dict[str, Any] = {"$ref": "#/$defs/DenseLesson"}
    for kind in reversed([k for k in KINDS if k != "dense"]):
        choice = {
            "if": {"properties": {"kind": {"const": kind}}, "required": ["kind"]},
            "then": {"$ref": f"#/$defs/{KINDS[kind].__name__}"},
            "else": choice,
        }
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "stepper lesson",
        "description": (
            "A lesson of stepper, the terminal tutor for the arithmetic of neural networks. "
            "Its kind (dense, the default, conv or optimize) decides its other fields. "
            "`stepper check` has the last word: it also checks the rules across fields."
        ),
        "type": "object",
        "properties": {
            "kind": {
                "enum": list(KINDS),
                "default": "dense",
                "description": "The lesson kind: dense (the default; may be left out), conv "
                "or optimize.",
            }
        },
        **choice,
        "$defs": defs,
    }


# --- Starter lessons --------------------------------------------------------------------------

#: Texts of the starters besides the fields' help, by language.
_TEXT: dict[str, dict[str, str]] = {
    "en": {
        "intro": (
            "A starter {kind} lesson written by `stepper new {kind}`: a small example that "
            "works. Change it, then run `stepper check {file}` (silent when the lesson is "
            "valid) and `stepper lesson {file}`. Every field is explained above it; the "
            "guide docs/lessons.md has the details."
        ),
        "editor": (
            "The first line lets an editor with a YAML language server (VS Code's YAML "
            "extension, for one) check and complete this file as you type; write the schema "
            f"beside it once with `stepper schema > {SCHEMA_FILE}`."
        ),
        "optional": "Optional, shown here commented out:",
        "dense_title": "A layer with a linear and a tanh neuron",
        "dense_summary": (
            "One training step of a layer of two neurons, the first linear and the second "
            "tanh, with the pair x = [0.1, 0.7], y = [0.2, 1] and α = 0.1."
        ),
        "dense_note": "The increment was 2αx₂δ₂: the factor 2 comes from the loss ε².",
        "conv_title": "A 5×5 image through a small CNN",
        "conv_summary": (
            "A vertical-edge kernel slides over a 5×5 image, ReLU and a 2×2 max pooling follow, "
            "and a softmax head sorts the result into two classes; then one gradient step."
        ),
        "conv_kernel": "vertical edges",
        "grid": (
            "Each range below is {min, max, step}; leave a line out and those numbers stay as "
            "written."
        ),
        "conv_note": "The first cell: the sum of the window times the kernel, cell by cell.",
        "optimize_title": "Gradient descent on f(x, y) = x² + y² from (1, 2)",
        "optimize_summary": (
            "The gradient of f(x, y) = x² + y² is [2x, 2y]; each step of gradient descent "
            "moves against it: x → x − α ∂f/∂x."
        ),
        "optimize_note": "∂f/∂x = 2x, so at x = 1 the partial derivative is 2.",
        "optimize_more": (
            "More optimisers run from the same start, one after the other; with several, each "
            "one's step keys start with its id (or name) and a dot, as in adam.x."
        ),
        "dense_only": "variants: exam variants are for dense lessons (see `stepper new dense`).",
        "conv_alternatives": (
            "Instead of an image, a conv lesson may give only logits (a softmax) or only a "
            "shape (sizes):"
        ),
    },
    "es": {
        "intro": (
            "Una lección {kind} de partida, escrita por `stepper new {kind}`: un ejemplo "
            "pequeño que funciona. Cámbiala y ejecuta `stepper check {file}` (no dice nada si "
            "la lección es válida) y `stepper lesson {file}`. Cada campo se explica encima de "
            "él; la guía docs/lessons.md tiene los detalles."
        ),
        "editor": (
            "La primera línea permite que un editor con servidor de lenguaje YAML (la "
            "extensión YAML de VS Code, por ejemplo) revise y complete este archivo mientras "
            f"se escribe; crea el esquema a su lado una vez con `stepper schema > {SCHEMA_FILE}`."
        ),
        "optional": "Opcional, aquí comentado:",
        "dense_title": "Una capa con una neurona lineal y una tanh",
        "dense_summary": (
            "Un paso de entrenamiento de una capa de dos neuronas, la primera lineal y la "
            "segunda tanh, con el par x = [0.1, 0.7], y = [0.2, 1] y α = 0.1."
        ),
        "dense_note": "El incremento fue 2αx₂δ₂: el factor 2 viene de la pérdida ε².",
        "conv_title": "Una imagen de 5×5 por una pequeña CNN",
        "conv_summary": (
            "Un kernel de bordes verticales recorre una imagen de 5×5, siguen una ReLU y un "
            "max-pooling de 2×2, y una cabeza softmax clasifica el resultado en dos clases; "
            "después, un paso de gradiente."
        ),
        "conv_kernel": "bordes verticales",
        "grid": (
            "Cada rango es {min, max, step}; sin una línea, esos números quedan como están "
            "escritos."
        ),
        "conv_note": "La primera celda: la suma de la ventana por el kernel, celda a celda.",
        "optimize_title": "Descenso por gradiente en f(x, y) = x² + y² desde (1, 2)",
        "optimize_summary": (
            "El gradiente de f(x, y) = x² + y² es [2x, 2y]; cada paso del descenso por "
            "gradiente va en sentido contrario: x → x − α ∂f/∂x."
        ),
        "optimize_note": "∂f/∂x = 2x, así que en x = 1 la derivada parcial vale 2.",
        "optimize_more": (
            "Otros optimizadores parten del mismo punto, uno tras otro; con varios, las claves "
            "de los pasos de cada uno empiezan por su id (o su nombre) y un punto, como adam.x."
        ),
        "dense_only": (
            "variants: las variantes de examen son para lecciones dense (ver `stepper new dense`)."
        ),
        "conv_alternatives": (
            "En lugar de una imagen, una lección conv puede dar solo logits (una softmax) o "
            "solo una forma (shape, los tamaños):"
        ),
    },
}

# Templates: a line "@Model.field [@Model.field ...]" stands for those fields' help, as comments
# indented like the next line; "@@key" for a text of _TEXT; <NAME> for a value filled in.
_COMMON = """\
@LessonBase.id
id: <ID>
@LessonBase.title
title: <TITLE>
@LessonBase.language
language: <LANG>
@LessonBase.summary
summary: >
  <SUMMARY>
"""

_DISPLAY = """\
@LessonBase.display
display:
  @Display.decimals
  decimals: 4
  @Display.round_intermediate
  round_intermediate: false
  @Display.decimal_comma
  decimal_comma: false
"""

_DENSE = """\
@DenseLesson.kind
kind: dense
<DISPLAY>
@DenseLesson.network
network:
  @Network.inputs
  inputs: 2
  @Network.layers
  layers:
    @Layer.activation
    - activation: [linear, tanh]
      @Layer.weights
      weights:
        - [0.1, -0.2, 0.3]
        - [0.5, 0.4, -0.6]
      @Layer.symbol
      symbol: w
      @@optional @Layer.output_symbol
      # output_symbol: z
@DenseLesson.training
training:
  @Training.learning_rate
  learning_rate: 0.1
  @Training.loss
  loss: sse
  @Training.samples
  samples:
    @Sample.x
    - x: [0.1, 0.7]
      @Sample.y
      y: [0.2, 1.0]
  @Training.batch_size
  batch_size: 1
  @Training.epochs
  epochs: 1
@LessonBase.notes
notes:
  w[1,2,2]: <NOTE>
@LessonBase.explanations @Explanation.replace @Explanation.append
# explanations:
#   "u[*]":
#     append: "..."
@LessonBase.phases
# phases: [forward, error, backward, update]
@LessonBase.variants
variants:
  @@grid @Grid.min @Grid.max @Grid.step
  @Variants.weights
  weights: {min: -0.9, max: 0.9, step: 0.1}
  @Variants.inputs
  inputs: {min: 0.1, max: 0.9, step: 0.1}
  @Variants.targets
  targets: {min: -1, max: 1, step: 0.1}
  @Variants.learning_rate
  learning_rate: {min: 0.05, max: 0.3, step: 0.05}
  @Variants.saturate
  saturate: false
"""

_CONV = """\
@ConvLesson.kind
kind: conv
<DISPLAY>
@ConvLesson.image
image:
  - [7, 2, 3, 3, 8]
  - [4, 5, 3, 8, 4]
  - [3, 3, 2, 8, 4]
  - [2, 8, 7, 2, 7]
  - [5, 4, 4, 5, 4]
@ConvLesson.kernels
kernels:
  @Kernel.name
  - name: <KERNEL>
    @Kernel.weights
    weights: [[-1, 0, 1], [-1, 0, 1], [-1, 0, 1]]
    @Kernel.bias
    bias: 0
    @@optional @Kernel.padding
    # padding: same
@ConvLesson.padding
padding: valid
@ConvLesson.stride
stride: 1
@ConvLesson.activation
activation: relu
@ConvLesson.pool
pool:
  @Pool.kind
  kind: max
  @Pool.size
  size: 2
  @Pool.stride
  stride: 1
@ConvLesson.dense
dense:
  @Head.weights
  weights:
    - [0.1, 0.02, -0.01, 0.01, 0.03]
    - [-0.1, -0.02, 0.01, 0.02, -0.01]
  @Head.activation
  activation: softmax
@ConvLesson.target
target: [1, 0]
@ConvLesson.learning_rate
learning_rate: 0.1
@LessonBase.notes
notes:
  conv[1,1,1]: <NOTE>
@LessonBase.explanations @Explanation.replace @Explanation.append
# explanations:
#   "conv[*]":
#     append: "..."
@LessonBase.phases
# phases: [shape, forward, error, backward, update]
@@conv_alternatives
@ConvLesson.logits
# logits: [2.0, 1.0, 0.1]
@ConvLesson.shape @ShapeOnly.input @ShapeOnly.kernels @ShapeOnly.kernel_size
# shape:
#   input: [28, 28, 1]
#   kernels: 32
#   kernel_size: 3
@@dense_only
"""

_OPTIMIZE = """\
@OptimizeLesson.kind
kind: optimize
<DISPLAY>
@OptimizeLesson.function
function: x**2 + y**2
@OptimizeLesson.variables
variables: [x, y]
@OptimizeLesson.start
start: [1, 2]
@OptimizeLesson.iterations
iterations: 3
@OptimizeLesson.optimizers
optimizers:
  @Optimizer.name
  - name: gradient_descent
    @Optimizer.learning_rate
    learning_rate: 0.1
    @@optional @Optimizer.id
    # id: gd
  @@optimize_more
  @Optimizer.momentum
  # - {name: momentum, learning_rate: 0.1, momentum: 0.9}
  @Optimizer.rho
  # - {name: adadelta, rho: 0.9, epsilon: 1.0e-6}
  @Optimizer.beta1 @Optimizer.beta2 @Optimizer.epsilon
  # - {name: adam, learning_rate: 0.1, beta1: 0.9, beta2: 0.999, epsilon: 1.0e-8}
@LessonBase.notes
notes:
  grad[x]: <NOTE>
@LessonBase.explanations @Explanation.replace @Explanation.append
# explanations:
#   "grad[*]":
#     append: "..."
@LessonBase.phases
# phases: [forward, update]
@@dense_only
"""

#: The starter of each kind, for ``stepper new``.
STARTERS = {"dense": _DENSE, "conv": _CONV, "optimize": _OPTIMIZE}
_MARK = re.compile(r"@@(\w+)|@(\w+)\.(\w+)")
#: Width of a comment line in a starter.
WIDTH = 92


def _wrap(text: str, width: int, first: str, rest: str) -> list[str]:
    """``text`` wrapped into comment lines, never breaking a `code span` (a command)."""
    spans = re.sub(r"`[^`]*`", lambda m: m.group(0).replace(" ", "\0"), text)
    spans = re.sub(r" ([=−+*/]) ", "\0\\1\0", spans)  # a short formula stays on one line
    lines = textwrap.wrap(
        spans,
        width,
        initial_indent=first,
        subsequent_indent=rest,
        break_on_hyphens=False,
        break_long_words=False,
    )
    return [line.replace("\0", " ") for line in lines]


def _comment(line: str, lang: str) -> list[str]:
    """The comment lines a marker line stands for, indented as the line is. On a line of
    several fields, those of another model than the first are its fields: indented more."""
    indent = line[: len(line) - len(line.lstrip())]
    by_name = {model.__name__: model for model in MODELS}
    out: list[str] = []
    first_model: str | None = None
    for match in _MARK.finditer(line):
        if match.group(1):
            text, deeper = _TEXT[lang][match.group(1)], False
        else:
            model, field = match.group(2), match.group(3)
            help_text = field_help(by_name[model], field, lang)
            if help_text is None:  # a field nobody has explained yet: the tests say so
                raise KeyError(f"{model}.{field}")
            text = f"{field}: {help_text}"
            first_model = first_model or model
            deeper = model != first_model
        lead = f"{indent}#   " if deeper else f"{indent}# "
        out += _wrap(text, WIDTH, lead, lead + "  ")
    return out


def _quoted(text: str) -> str:
    """``text`` as a YAML double-quoted scalar (a JSON string is one)."""
    return json.dumps(text, ensure_ascii=False)


def starter(kind: str, name: str, lang: str = "es", file: str | None = None) -> str:
    """The text of a starter lesson of ``kind`` with the id ``name``, commented in ``lang``;
    ``file`` is the file's name as its comments give it (default NAME.yaml)."""
    texts = _TEXT[lang]
    file = file or f"{name}.yaml"
    body = _COMMON + STARTERS[kind].replace("<DISPLAY>\n", _DISPLAY)
    values = {
        "<ID>": name,
        "<TITLE>": _quoted(texts[f"{kind}_title"]),
        "<LANG>": lang,
        "<NOTE>": _quoted(texts[f"{kind}_note"]),
        "<KERNEL>": _quoted(texts["conv_kernel"]),
    }
    lines = [HEADER]
    for paragraph in ("intro", "editor"):
        lines += _wrap(texts[paragraph].format(kind=kind, file=file), WIDTH, "# ", "# ")
    lines.append("")
    for raw in body.splitlines():
        if raw.lstrip().startswith("@"):
            lines += _comment(raw, lang)
            continue
        if raw.strip() == "<SUMMARY>":  # a folded block: wrapped, each line indented
            indent = raw[: len(raw) - len(raw.lstrip())]
            lines += textwrap.wrap(
                texts[f"{kind}_summary"], WIDTH, initial_indent=indent, subsequent_indent=indent
            )
            continue
        line = raw
        for placeholder, value in values.items():
            line = line.replace(placeholder, value)
        lines.append(line)
    return "\n".join(lines) + "\n"


def target_path(name: str) -> Path:
    """The file ``stepper new`` writes for NAME: NAME.yaml, or NAME when it ends in .yaml or
    .yml; in the current folder unless NAME names another."""
    path = Path(name)
    if path.suffix in (".yaml", ".yml"):
        return path
    return path.with_name(path.name + ".yaml")


def new_lesson(kind: str, name: str, lang: str = "es") -> Path:
    """Write a starter lesson of ``kind`` for NAME and return its path; LessonError when the
    name is not a lesson id, the file exists (it is never overwritten) or cannot be written."""
    from pydantic import ValidationError

    from stepper.lesson.schema import LessonBase

    path = target_path(name)
    shown = str(path)
    lesson_id = path.stem
    try:
        LessonBase.model_validate({"id": lesson_id})
    except ValidationError:
        raise LessonError(
            [
                Problem(
                    shown,
                    f"'{lesson_id}' is not a lesson id: use letters, digits, '_', '.' and '-', "
                    "starting with a letter or digit",
                )
            ]
        ) from None
    if path.exists() or path.is_symlink():
        raise LessonError(
            [Problem(shown, "the file exists already; stepper new never overwrites a file")]
        )
    if not path.parent.is_dir():
        raise LessonError(
            [Problem(shown, f"cannot write the file: the folder {path.parent} does not exist")]
        )
    try:
        write_new(path, starter(kind, lesson_id, lang, shown))
    except FileExistsError:
        raise LessonError(
            [Problem(shown, "the file exists already; stepper new never overwrites a file")]
        ) from None
    except OSError as exc:
        raise LessonError(
            [Problem(shown, f"cannot write the file: {exc.strerror or exc}")]
        ) from None
    return path


def write_new(path: Path, text: str) -> None:
    """Write ``text`` to the new file ``path`` atomically, and never over an existing file:
    the whole text goes to a temporary file beside it, which is then hard-linked to ``path``
    (a link fails when ``path`` exists, even when it appeared a moment ago). Where the file
    system has no hard links, the name is taken with an exclusive create and the text put in
    place with ``stepper.atomic.write_atomic``."""
    # Not mkstemp: its file is private (0600), and a lesson gets the usual permissions.
    temp = path.parent / f".{path.name}.{secrets.token_hex(6)}.tmp"
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(text.encode("utf-8"))
            handle.flush()
            os.fsync(handle.fileno())
        try:
            os.link(temp, path)
        except FileExistsError:
            raise
        except OSError:  # no hard links here (some network and FAT file systems)
            _write_exclusive(path, text)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temp)


def _write_exclusive(path: Path, text: str) -> None:
    from stepper.atomic import write_atomic

    os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644))
    try:
        write_atomic(path, text)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(path)
        raise
