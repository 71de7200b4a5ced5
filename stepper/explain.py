"""Why each step is what it is: the explanation templates, in Spanish and in English.

The engine picks a template by the kind of step and fills it with the step's own symbols, so
the words always name the quantities the formula shows. Lessons may add notes of their own.
"""

from __future__ import annotations

Language = str

_TEXTS: dict[str, dict[str, str]] = {
    "es": {
        "u": (
            "Entrada neta de la neurona {i}: cada entrada multiplicada por el peso de su sinapsis, "
            "y todo sumado; la entrada {bias_input} = 1 multiplica al sesgo {bias}."
        ),
        "y.linear": "La neurona {i} es lineal: su salida es su entrada neta, {out} = {u}.",
        "y.tanh": (
            "La neurona {i} es de tipo tangente hiperbólica: {out} = tanh({u}), "
            "un valor entre −1 y 1."
        ),
        "y.sigmoid": "La neurona {i} es sigmoide: {out} = 1/(1 + e^(−{u})), un valor entre 0 y 1.",
        "y.relu": "La neurona {i} es ReLU: deja pasar {u} si es positiva y da 0 si no.",
        "y.softmax": (
            "Softmax: la exponencial de {u} dividida por la suma de las exponenciales de toda la "
            "capa, para que las salidas sean probabilidades que suman 1."
        ),
        "e": (
            "Error de la salida {i}: el valor deseado {target} menos el que da la red {out}; "
            "es positivo si la salida se queda corta."
        ),
        "loss.sse": (
            "Error cuadrático del par: la suma de los cuadrados de los errores de salida. "
            "Es lo que el entrenamiento minimiza."
        ),
        "loss.half_sse": (
            "Medio error cuadrático del par: ½ de la suma de los cuadrados de los errores; "
            "el ½ se cancela al derivar, por eso aquí Δw = αxδ."
        ),
        "loss.cross_entropy": (
            "Entropía cruzada: menos la suma de y · log ỹ; con un objetivo one-hot es −log de la "
            "probabilidad que la red da a la clase correcta."
        ),
        "batch_loss": (
            "Error medio del lote: la media de los errores de sus {count} pares (Fₒ = E[ε²]); "
            "es lo que minimiza este paso del gradiente."
        ),
        "d.linear": (
            "Error retropropagado de la neurona {i}: el error por la derivada de la activación; "
            "en una neurona lineal la derivada es 1, así que {d} = {eps}."
        ),
        "d.tanh": (
            "Error retropropagado de la neurona {i}: el error por la derivada de la tanh, que "
            "escrita con la salida es 1 − {out}²."
        ),
        "d.sigmoid": (
            "Error retropropagado de la neurona {i}: el error por la derivada de la sigmoide, "
            "que escrita con la salida es {out}(1 − {out})."
        ),
        "d.relu": (
            "Error retropropagado de la neurona {i}: el error por la derivada de ReLU, que vale "
            "1 si la neurona está activa y 0 si no."
        ),
        "d.cross_entropy": (
            "Con softmax y entropía cruzada el error retropropagado es {d} = y − ỹ = {eps}: "
            "las derivadas de la softmax y del logaritmo se cancelan."
        ),
        "g": (
            "Error retropropagado a la neurona oculta {i} (la γ de la clase): los δ de la capa "
            "siguiente, cada uno por el peso que los une con ella (antes de actualizarlo), "
            "sumados y multiplicados por la derivada de su activación{derivative}."
        ),
        "g.derivative.tanh": ", 1 − {out}²",
        "g.derivative.sigmoid": ", {out}(1 − {out})",
        "g.derivative.relu": " (1 si está activa, 0 si no)",
        "g.derivative.linear": " (1, por ser lineal)",
        "dw.2": (
            "Incremento de la sinapsis {w}: Δw = 2αxδ, un paso de gradiente descendente "
            "(−α por la derivada de ε²); el 2 viene de derivar el cuadrado, y x es la entrada "
            "{x} de esa sinapsis."
        ),
        "dw.1": (
            "Incremento de la sinapsis {w}: Δw = αxδ, un paso de gradiente descendente "
            "(−α por la derivada del error); x es la entrada {x} de esa sinapsis."
        ),
        "dw.sample": " Es el incremento debido al par {sample}; el lote los promedia.",
        "mean": (
            "Con lotes de {count} pares, el incremento de {w} es la media de los incrementos "
            "de cada par."
        ),
        "w": (
            "Peso nuevo: el anterior más su incremento. Es el valor que usa la iteración siguiente."
        ),
        "shape.size": (
            "Lado de cada mapa de salida: O = (D − N + 2p)/s + 1, con la imagen de lado D, el "
            "kernel de lado N, p ceros de relleno por lado y paso s."
        ),
        "shape.values": "Valores de la capa convolucional: K mapas de O×O celdas.",
        "shape.params": (
            "Parámetros que se aprenden: los N·N·C pesos de cada kernel más su sesgo, por "
            "cada uno de los {count} kernels."
        ),
        "shape.pool_size": (
            "Lado de cada mapa tras el pooling: Q = (O − F)/S + 1, con ventanas de F×F y paso S."
        ),
        "shape.pool_values": (
            "Valores tras el pooling: K mapas de Q×Q celdas; el pooling reduce la complejidad y "
            "conserva lo más destacado."
        ),
        "conv.cell": (
            "Celda ({r}, {c}) del mapa {k}: el kernel se coloca sobre la ventana de la imagen "
            "que empieza en ({r0}, {c0}), se multiplica celda a celda y se suma todo{bias}."
        ),
        "conv.bias": " más el sesgo",
        "conv.padding": " (los ceros son el relleno añadido alrededor de la imagen)",
        "conv.channel": (
            "Canal {ch} de la celda ({r}, {c}) del mapa {k}: el kernel de ese canal por su "
            "ventana, celda a celda y sumado."
        ),
        "conv.total": (
            "Con varios canales (RGB) el kernel se aplica a cada canal por separado y después "
            "se suman los resultados{bias}."
        ),
        "relu": "ReLU: f(x) = max{{0, x}}; deja pasar los valores positivos y anula los negativos.",
        "pool.max": (
            "Max-pooling de la ventana {size}×{size}: se queda con el mayor valor, el de {winner}."
        ),
        "pool.average": "Pooling medio de la ventana {size}×{size}: la media de sus valores.",
        "head.u": (
            "Logit de la clase {i}: los mapas se aplanan (kernel a kernel, fila a fila) y cada "
            "valor se multiplica por su peso; se suma todo con el sesgo."
        ),
        "logit": "Logit de la clase {i}, dado por la lección.",
        "d.head": (
            "Con softmax y entropía cruzada, el error de la clase {i} es δ = y − ỹ: la "
            "probabilidad que faltó (o sobró)."
        ),
        "grad.flat": (
            "Error que vuelve a la celda {cell}: los δ de las clases, cada uno por el peso "
            "que une esa celda con su clase (antes de actualizarlo)."
        ),
        "grad.max.win": (
            "Esta celda fue el máximo de su ventana de pooling, así que recibe todo el error "
            "de esa ventana."
        ),
        "grad.max.lose": (
            "Esta celda no fue el máximo de su ventana de pooling: el max-pooling solo manda "
            "el error a la celda ganadora, aquí llega 0."
        ),
        "grad.average": (
            "El pooling medio reparte el error de la ventana a partes iguales entre sus "
            "{count} celdas."
        ),
        "grad.relu": (
            "A través de la ReLU: el error pasa si la celda era positiva (θ = 1) y se anula "
            "si no (θ = 0)."
        ),
        "dk": (
            "Incremento del peso {w} del kernel: α por la suma, sobre todas las celdas del "
            "mapa, del error de la celda por el valor de la imagen que ese peso multiplicó. "
            "Es otra correlación: la de la imagen con el error que vuelve."
        ),
        "db": "Incremento del sesgo del kernel {k}: α por la suma de los errores de su mapa.",
        "opt.f.start": (
            "Valor de f en el punto de partida ({optimizer}): es lo que el optimizador tiene que "
            "hacer bajar."
        ),
        "opt.f": (
            "Valor de f en el punto nuevo, tras la iteración {t} ({optimizer}); si el paso fue "
            "bueno, ha bajado."
        ),
        "opt.grad": (
            "Derivada parcial de f respecto de {var}, {g} = ∂f/∂{var}: sympy deriva la fórmula "
            "tratando las demás variables como constantes, y se evalúa en el punto actual."
        ),
        "opt.grad.ahead": " Nesterov la evalúa en el punto adelantado ({ahead}), no en el actual.",
        "opt.norm": (
            "El gradiente es el vector de las derivadas parciales, ∇f = [{vector}]: apunta "
            "hacia donde f crece más deprisa, y su longitud ‖∇f‖ dice cuánto. El descenso va "
            "en sentido contrario."
        ),
        "opt.descent": (
            "Gradiente descendente: {var} se mueve en contra de su derivada, {var} → {var} − "
            "α·{g}; es la Δw = −α ∂F/∂w de la clase."
        ),
        "opt.velocity": (
            "Momento: la velocidad {v} guarda β veces la de antes y suma el paso del "
            "gradiente, −α·{g}. Los pasos que van en la misma dirección se acumulan y los que "
            "zigzaguean se cancelan."
        ),
        "opt.velocity.nesterov": (
            "Como en el momento, {v} guarda β veces la velocidad de antes y suma −α·{g}, pero "
            "con la derivada del punto adelantado: si la velocidad iba a pasarse, esa derivada "
            "ya frena."
        ),
        "opt.move": "El punto avanza con la velocidad: {var} → {var} + {v}.",
        "opt.ahead": (
            "Nesterov mira antes de saltar: avanza con la velocidad que ya lleva, "
            "{ahead} = {var} + β·{v}, y calcula allí la derivada."
        ),
        "opt.adagrad.G": (
            "Adagrad acumula el cuadrado de cada derivada de {var}: {G} → {G} + {g}²; lo "
            "acumulado nunca decrece."
        ),
        "opt.adagrad.step": (
            "Paso de Adagrad: α dividido por la raíz de lo acumulado, {var} → {var} − "
            "α·{g}/(√{G} + ε); una variable con derivadas grandes da pasos cada vez más cortos. "
            "ε solo evita dividir por cero."
        ),
        "opt.adadelta.Eg2": (
            "AdaDelta lleva una media móvil del cuadrado de la derivada, que olvida lo antiguo "
            "con ρ: {E} → ρ·{E} + (1 − ρ)·{new}²."
        ),
        "opt.adadelta.delta": (
            "Incremento de AdaDelta: la derivada escalada por √({D} + ε)/√({E} + ε), la raíz "
            "de la media de los incrementos anteriores entre la de las derivadas; así el paso "
            "tiene las unidades de {var} sin tasa de aprendizaje."
        ),
        "opt.adadelta.Edx2": (
            "Media móvil del cuadrado de los incrementos: {E} → ρ·{E} + (1 − ρ)·{new}²; la usa "
            "el incremento de la iteración siguiente."
        ),
        "opt.adadelta.step": "El punto avanza con el incremento: {var} → {var} + {delta}.",
        "opt.adadelta.step_alpha": (
            "El punto avanza con el incremento, escalado por α: {var} → {var} + α·{delta}."
        ),
        "opt.adam.m": (
            "Primer momento de Adam: media móvil de la derivada con β₁, una dirección "
            "suavizada: {E} → β₁·{E} + (1 − β₁)·{new}."
        ),
        "opt.adam.v": (
            "Segundo momento de Adam: media móvil del cuadrado de la derivada con β₂, su "
            "escala: {E} → β₂·{E} + (1 − β₂)·{new}²."
        ),
        "opt.adam.mhat": (
            "Corrección del sesgo: {moment} empieza en 0 y en las primeras iteraciones se queda "
            "corto; dividir por 1 − β₁ᵗ (aquí t = {t}) lo compensa."
        ),
        "opt.adam.vhat": (
            "Corrección del sesgo de {moment}, que también empieza en 0: se divide por "
            "1 − β₂ᵗ (aquí t = {t})."
        ),
        "opt.adam.step": (
            "Paso de Adam: {var} → {var} − α·{mhat}/(√{vhat} + ε). Como {mhat}/√{vhat} ronda "
            "±1, cada variable se mueve unas α por iteración, sea cual sea la escala de su "
            "derivada."
        ),
    },
    "en": {
        "u": (
            "Net input of neuron {i}: each input times the weight of its synapse, all added up; "
            "the input {bias_input} = 1 multiplies the bias {bias}."
        ),
        "y.linear": "Neuron {i} is linear: its output is its net input, {out} = {u}.",
        "y.tanh": (
            "Neuron {i} is a hyperbolic tangent neuron: {out} = tanh({u}), a value between "
            "−1 and 1."
        ),
        "y.sigmoid": "Neuron {i} is a sigmoid: {out} = 1/(1 + e^(−{u})), a value between 0 and 1.",
        "y.relu": "Neuron {i} is a ReLU: it passes {u} on when positive and gives 0 otherwise.",
        "y.softmax": (
            "Softmax: the exponential of {u} divided by the sum of the exponentials of the whole "
            "layer, so that the outputs are probabilities adding up to 1."
        ),
        "e": (
            "Error of output {i}: the wanted value {target} minus what the network gives {out}; "
            "positive when the output falls short."
        ),
        "loss.sse": (
            "Squared error of the pair: the sum of the squares of the output errors. "
            "This is what training minimises."
        ),
        "loss.half_sse": (
            "Half squared error of the pair: ½ of the sum of the squared errors; the ½ cancels "
            "when differentiating, which is why Δw = αxδ here."
        ),
        "loss.cross_entropy": (
            "Cross-entropy: minus the sum of y · log ỹ; with a one-hot target it is −log of the "
            "probability the network gives to the right class."
        ),
        "batch_loss": (
            "Mean error of the batch: the mean of the errors of its {count} pairs (Fₒ = E[ε²]); "
            "this is what this gradient step minimises."
        ),
        "d.linear": (
            "Backpropagated error of neuron {i}: the error times the derivative of the "
            "activation; a linear neuron's derivative is 1, so {d} = {eps}."
        ),
        "d.tanh": (
            "Backpropagated error of neuron {i}: the error times the derivative of tanh, which "
            "written with the output is 1 − {out}²."
        ),
        "d.sigmoid": (
            "Backpropagated error of neuron {i}: the error times the derivative of the sigmoid, "
            "which written with the output is {out}(1 − {out})."
        ),
        "d.relu": (
            "Backpropagated error of neuron {i}: the error times the derivative of ReLU, which "
            "is 1 when the neuron is active and 0 otherwise."
        ),
        "d.cross_entropy": (
            "With softmax and cross-entropy the backpropagated error is {d} = y − ỹ = {eps}: "
            "the derivatives of the softmax and of the logarithm cancel."
        ),
        "g": (
            "Error backpropagated to hidden neuron {i} (the lecture's γ): the δ of the next "
            "layer, each times the weight joining it to this neuron (before its update), added "
            "up and multiplied by the derivative of its activation{derivative}."
        ),
        "g.derivative.tanh": ", 1 − {out}²",
        "g.derivative.sigmoid": ", {out}(1 − {out})",
        "g.derivative.relu": " (1 when active, 0 otherwise)",
        "g.derivative.linear": " (1, as it is linear)",
        "dw.2": (
            "Increment of synapse {w}: Δw = 2αxδ, one step of gradient descent (−α times the "
            "derivative of ε²); the 2 comes from differentiating the square, and x is the input "
            "{x} of that synapse."
        ),
        "dw.1": (
            "Increment of synapse {w}: Δw = αxδ, one step of gradient descent (−α times the "
            "derivative of the error); x is the input {x} of that synapse."
        ),
        "dw.sample": " It is the increment due to pair {sample}; the batch averages them.",
        "mean": "With batches of {count} pairs, the increment of {w} is the mean of each pair's.",
        "w": "New weight: the old one plus its increment. The next iteration uses this value.",
        "shape.size": (
            "Side of each output map: O = (D − N + 2p)/s + 1, with image side D, kernel side N, p "
            "zeros of padding per side and stride s."
        ),
        "shape.values": "Values of the convolutional layer: K maps of O×O cells.",
        "shape.params": (
            "Learned parameters: the N·N·C weights of each kernel plus its bias, for each of "
            "the {count} kernels."
        ),
        "shape.pool_size": (
            "Side of each map after pooling: Q = (O − F)/S + 1, with F×F windows and stride S."
        ),
        "shape.pool_values": (
            "Values after pooling: K maps of Q×Q cells; pooling reduces the cost and keeps the "
            "most salient features."
        ),
        "conv.cell": (
            "Cell ({r}, {c}) of map {k}: the kernel is laid over the image window starting at "
            "({r0}, {c0}), multiplied cell by cell, and everything is added up{bias}."
        ),
        "conv.bias": " plus the bias",
        "conv.padding": " (the zeros are the padding added around the image)",
        "conv.channel": (
            "Channel {ch} of cell ({r}, {c}) of map {k}: that channel's kernel times its "
            "window, cell by cell, added up."
        ),
        "conv.total": (
            "With several channels (RGB) the kernel is applied to each channel separately and "
            "the results are added up{bias}."
        ),
        "relu": "ReLU: f(x) = max{{0, x}}; positive values pass, negative ones become 0.",
        "pool.max": (
            "Max pooling of the {size}×{size} window: it keeps the largest value, that of {winner}."
        ),
        "pool.average": "Average pooling of the {size}×{size} window: the mean of its values.",
        "head.u": (
            "Logit of class {i}: the maps are flattened (kernel by kernel, row by row) and each "
            "value is multiplied by its weight; all is added up with the bias."
        ),
        "logit": "Logit of class {i}, given by the lesson.",
        "d.head": (
            "With softmax and cross-entropy, the error of class {i} is δ = y − ỹ: the "
            "probability that was missing (or too much)."
        ),
        "grad.flat": (
            "Error coming back to cell {cell}: the classes' δ, each times the weight joining "
            "that cell to its class (before its update)."
        ),
        "grad.max.win": (
            "This cell was the maximum of its pooling window, so it receives the window's "
            "whole error."
        ),
        "grad.max.lose": (
            "This cell was not the maximum of its pooling window: max pooling sends the error "
            "to the winning cell only, so 0 arrives here."
        ),
        "grad.average": (
            "Average pooling shares the window's error equally among its {count} cells."
        ),
        "grad.relu": (
            "Through the ReLU: the error passes if the cell was positive (θ = 1) and is "
            "stopped if not (θ = 0)."
        ),
        "dk": (
            "Increment of kernel weight {w}: α times the sum, over every cell of the map, of "
            "the cell's error times the image value that this weight multiplied. It is "
            "another correlation: of the image with the error coming back."
        ),
        "db": "Increment of kernel {k}'s bias: α times the sum of its map's errors.",
        "opt.f.start": (
            "Value of f at the start ({optimizer}): this is what the optimiser has to bring down."
        ),
        "opt.f": (
            "Value of f at the new point, after iteration {t} ({optimizer}); if the step was "
            "good, it went down."
        ),
        "opt.grad": (
            "Partial derivative of f with respect to {var}, {g} = ∂f/∂{var}: sympy "
            "differentiates the formula holding the other variables constant, and it is "
            "evaluated at the current point."
        ),
        "opt.grad.ahead": " Nesterov evaluates it at the look-ahead point ({ahead}), not here.",
        "opt.norm": (
            "The gradient is the vector of the partial derivatives, ∇f = [{vector}]: it points "
            "where f grows fastest, and its length ‖∇f‖ says how fast. Descent goes the "
            "opposite way."
        ),
        "opt.descent": (
            "Gradient descent: {var} moves against its derivative, {var} → {var} − α·{g}; "
            "this is the lecture's Δw = −α ∂F/∂w."
        ),
        "opt.velocity": (
            "Momentum: the velocity {v} keeps β times the previous one and adds the gradient "
            "step, −α·{g}. Steps in the same direction build up, and zig-zags cancel out."
        ),
        "opt.velocity.nesterov": (
            "As with momentum, {v} keeps β times the previous velocity and adds −α·{g}, but "
            "with the derivative at the look-ahead point: if the velocity was about to "
            "overshoot, that derivative already brakes."
        ),
        "opt.move": "The point moves with the velocity: {var} → {var} + {v}.",
        "opt.ahead": (
            "Nesterov looks before it leaps: it moves on with the velocity it has, "
            "{ahead} = {var} + β·{v}, and takes the derivative there."
        ),
        "opt.adagrad.G": (
            "Adagrad accumulates the square of every derivative of {var}: {G} → {G} + {g}²; "
            "the sum never decreases."
        ),
        "opt.adagrad.step": (
            "Adagrad's step: α divided by the root of the sum, {var} → {var} − α·{g}/(√{G} + "
            "ε); a variable with large derivatives takes shorter and shorter steps. ε only "
            "avoids a division by zero."
        ),
        "opt.adadelta.Eg2": (
            "AdaDelta keeps a running average of the squared derivative, forgetting the old "
            "with ρ: {E} → ρ·{E} + (1 − ρ)·{new}²."
        ),
        "opt.adadelta.delta": (
            "AdaDelta's increment: the derivative scaled by √({D} + ε)/√({E} + ε), the root "
            "mean square of the past increments over that of the derivatives; so the step has "
            "the units of {var}, with no learning rate."
        ),
        "opt.adadelta.Edx2": (
            "Running average of the squared increments: {E} → ρ·{E} + (1 − ρ)·{new}²; the "
            "next iteration's increment uses it."
        ),
        "opt.adadelta.step": "The point moves by the increment: {var} → {var} + {delta}.",
        "opt.adadelta.step_alpha": (
            "The point moves by the increment, scaled by α: {var} → {var} + α·{delta}."
        ),
        "opt.adam.m": (
            "Adam's first moment: a running average of the derivative with β₁, a smoothed "
            "direction: {E} → β₁·{E} + (1 − β₁)·{new}."
        ),
        "opt.adam.v": (
            "Adam's second moment: a running average of the squared derivative with β₂, its "
            "scale: {E} → β₂·{E} + (1 − β₂)·{new}²."
        ),
        "opt.adam.mhat": (
            "Bias correction: {moment} starts at 0 and falls short in the first iterations; "
            "dividing by 1 − β₁ᵗ (here t = {t}) makes up for it."
        ),
        "opt.adam.vhat": (
            "Bias correction of {moment}, which starts at 0 too: divided by 1 − β₂ᵗ (here t = {t})."
        ),
        "opt.adam.step": (
            "Adam's step: {var} → {var} − α·{mhat}/(√{vhat} + ε). As {mhat}/√{vhat} is about "
            "±1, each variable moves by about α per iteration, whatever the scale of its "
            "derivative."
        ),
    },
}

LANGUAGES: tuple[str, ...] = tuple(_TEXTS)


def explain(key: str, lang: Language, **fields: object) -> str:
    """The explanation ``key`` in ``lang``, filled with the step's symbols and numbers."""
    return _TEXTS[lang][key].format(**fields)
