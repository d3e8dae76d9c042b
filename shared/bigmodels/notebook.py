"""What every chapter calls: setup() first (seeds, threads, plot style), show_source(obj) to print code.

`show_source` displays the package's own source in the text: one source of truth for the code a chapter
discusses.

Fixing the thread count (not just the seed) makes torch and NumPy results bit-identical from run to
run on one machine. Another CPU, BLAS kernel or thread count rounds differently, so figures computed
by training are asserted with a tolerance, not compared as text (see bigmodels.results).
`BIGMODELS_THREADS=N` overrides every chapter's thread count: `make test-portable` uses it to
check that no chapter depends on one machine's rounding.
"""

import inspect
import os
import random
import sys
import warnings
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import numpy as np

THREADS = 2
LOCK = Path(__file__).resolve().parents[2] / "requirements.lock"  # <repo>/shared/bigmodels/notebook.py
CHECKED = ("numpy", "torch", "matplotlib", "scikit-learn")  # the packages whose results the outputs show
SUPPORTED_PYTHONS = ((3, 11), (3, 12), (3, 13))


def check_environment(lock=LOCK):
    """Return what differs from the environment that produced the stored outputs, in words (empty: nothing).

    A chapter downloaded alone still runs where these packages exist, but its numbers can move; in the
    book's repository `make lab` installs exactly the pinned versions.
    """
    problems = []
    if sys.version_info[:2] not in SUPPORTED_PYTHONS:
        problems.append(f"Python {sys.version.split()[0]} (the book supports 3.11, 3.12 and 3.13)")
    if not Path(lock).is_file():
        return problems + [f"{lock} not found: this notebook is outside the book's repository"]
    pins = dict(line.split("==", 1) for line in Path(lock).read_text().split() if "==" in line)
    for name in CHECKED:
        try:
            installed = version(name).split("+")[0]
        except PackageNotFoundError:
            installed = "not installed"
        if installed != pins.get(name, installed):
            problems.append(f"{name} {installed} (the stored outputs come from {pins[name]})")
    return problems


def describe_figure(fig):
    """Alt text for a figure, from its own words: suptitle, then each panel's title, axis labels, legend."""
    parts = [fig._suptitle.get_text()] if fig._suptitle is not None and fig._suptitle.get_text() else []
    panels = [ax for ax in fig.axes if ax.get_label() != "<colorbar>"]
    for i, ax in enumerate(panels, 1):
        words = [ax.get_title()] if ax.get_title() else []
        words += [f"{axis}: {label}" for axis, label in (("x", ax.get_xlabel()), ("y", ax.get_ylabel())) if label]
        legend = ax.get_legend()
        if legend is not None:
            words.append("lines: " + ", ".join(text.get_text() for text in legend.get_texts()))
        if words:
            parts.append((f"panel {i} of {len(panels)}: " if len(panels) > 1 else "") + "; ".join(words))
    return "Figure. " + ". ".join(parts) if parts else "Figure (no title or labels)"


def _show_figures_with_alt_text():
    """Inline figures as PNG whose Description text holds describe_figure(fig); the site uses it as alt text
    (book/_ext/offline_site.py)."""
    try:
        from IPython import get_ipython
    except ImportError:
        return
    shell = get_ipython()
    if shell is None or not hasattr(shell, "display_formatter"):
        return
    import matplotlib
    import matplotlib.pyplot as plt
    from IPython.core.pylabtools import print_figure
    from matplotlib.figure import Figure

    def png(fig):
        return print_figure(fig, "png", base64=True, metadata={"Description": describe_figure(fig)})

    # Load the inline backend now (else at the first figure): loading registers its own PNG printer, which
    # must come before ours.
    plt.switch_backend(matplotlib.get_backend())
    shell.display_formatter.formatters["image/png"].for_type(Figure, png)


def setup(seed=0, threads=THREADS):
    """Seed Python, NumPy and torch; fix BLAS and torch thread counts; set the plot style.

    Returns the torch device the chapter should use ('cuda' when present, else 'cpu').
    """
    # Idle OpenMP threads sleep instead of spinning: on a busy 2-core machine spinning threads
    # slow torch down ~10x. Only takes effect if torch is not imported yet (setup() comes first).
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    import matplotlib
    import torch
    from threadpoolctl import threadpool_limits

    problems = check_environment()
    if problems:
        warnings.warn("this environment differs from the book's, so figures may differ from the stored ones: "
                      + "; ".join(problems) + ". In the book's repository, `make lab` installs the pinned one.",
                      stacklevel=2)
    threads = int(os.environ.get("BIGMODELS_THREADS", threads))
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    threadpool_limits(threads)
    torch.set_num_threads(threads)
    os.environ.setdefault("TQDM_MININTERVAL", "5")
    matplotlib.rcParams.update(
        {"figure.figsize": (6.4, 3.6), "figure.dpi": 100, "axes.grid": True, "grid.alpha": 0.3,
         "axes.spines.top": False, "axes.spines.right": False}
    )
    np.set_printoptions(precision=4, suppress=True)
    _show_figures_with_alt_text()
    return "cuda" if torch.cuda.is_available() else "cpu"


def show_source(obj):
    """Display the source of a function, class or method as highlighted code."""
    from IPython.display import Code, display

    display(Code(inspect.getsource(obj), language="python"))
