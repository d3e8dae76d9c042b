"""Show the package's own source inside a notebook: one source of truth for the code in the text."""

import inspect


def show_source(obj):
    """Display the source of a function, class or method as highlighted code."""
    from IPython.display import Code, display

    display(Code(inspect.getsource(obj), language="python"))
