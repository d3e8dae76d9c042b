"""The set-up call every chapter makes first: seeds, thread count, plot style.

Fixing the thread count (not just the seed) makes torch and NumPy results bit-identical from run to
run on one machine. Another CPU, BLAS kernel or thread count rounds differently, so figures computed
by training are asserted with a tolerance, not compared as text (see bigmodels.results).
`BIGMODELS_THREADS=N` overrides every chapter's thread count: `make test-portable` uses it to
check that no chapter depends on one machine's rounding.
"""

import os
import random

import numpy as np

THREADS = 2


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
    return "cuda" if torch.cuda.is_available() else "cpu"
