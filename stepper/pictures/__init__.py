"""Pictures: one layout per kind of picture turns a Solution into a Scene; renderers draw scenes."""
