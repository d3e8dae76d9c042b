"""bigmodels: the package behind the runnable companion to 人工智能大模型原理与应用实战.

`scratch` holds every model in plain NumPy with explicit backward passes, `nn` the same models
written in PyTorch from the same formulas, `data` the offline datasets.
"""

__version__ = "0.1.0"
