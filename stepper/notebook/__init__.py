"""stepper in Jupyter: a solution and a step that display themselves, and ``walk``.

``display`` needs only the base install; the ``walk`` widget needs the ``notebook`` extra.
"""
