"""The base class of every scratch layer: parameters and gradients as plain NumPy arrays.

A module owns arrays in `_params` and registers sub-modules in `_children`. The properties
`params` and `grads` flatten both into dicts keyed like torch's `named_parameters()`
("weight", "out_proj.weight", "layers.0.linear1.bias", ...). The dicts hold the arrays
themselves, so an optimizer that updates them in place updates the model.
"""

import numpy as np

from ..convert import build_builtin, config_of
from ..validate import check_rng


class Module:
    def __init__(self):
        self._params = {}
        self._grads = {}
        self._children = {}
        self.training = True

    # -- registration -------------------------------------------------------------------------
    def add_param(self, name, value):
        """Register a parameter array and a zero gradient of the same shape and dtype."""
        self._params[name] = value
        self._grads[name] = np.zeros_like(value)
        return value

    def add_module(self, name, module):
        self._children[name] = module
        return module

    # -- the contract -------------------------------------------------------------------------
    @property
    def params(self):
        return dict(self._named("_params"))

    @property
    def grads(self):
        return dict(self._named("_grads"))

    def _named(self, attr, prefix=""):
        for name, value in getattr(self, attr).items():
            yield prefix + name, value
        for child_name, child in self._children.items():
            yield from child._named(attr, f"{prefix}{child_name}.")

    def modules(self):
        yield self
        for child in self._children.values():
            yield from child.modules()

    def zero_grad(self):
        for g in self.grads.values():
            g.fill(0)

    def train(self, mode=True):
        for m in self.modules():
            m.training = mode
        return self

    def eval(self):
        return self.train(False)

    def num_parameters(self):
        return sum(p.size for p in self.params.values())

    def __call__(self, *args, **kwargs):
        return self.forward(*args, **kwargs)

    # -- moving weights to and from torch ------------------------------------------------------
    def load_params(self, arrays):
        """Copy arrays (a name -> array dict, same keys and shapes as `params`) into the model."""
        own = self.params
        missing, extra = set(own) - set(arrays), set(arrays) - set(own)
        if missing or extra:
            raise ValueError(f"parameter names differ: missing {sorted(missing)}, unexpected {sorted(extra)}")
        for name, value in arrays.items():
            value = np.asarray(value)
            if value.shape != own[name].shape:
                raise ValueError(f"{name}: expected shape {own[name].shape}, got {value.shape}")
            own[name][...] = value
        return self

    @classmethod
    def from_torch(cls, module, dtype=np.float64):
        """This model with the configuration and weights of its torch built-in (or of the nn twin)."""
        model = cls(**config_of(module, cls.__name__), dtype=dtype)
        model.load_params({n: p.detach().cpu().numpy() for n, p in module.named_parameters()})
        return model.train(module.training)

    def to_torch(self):
        """The equivalent torch built-in, holding a copy of these weights in the same dtype."""
        import torch

        module = build_builtin(self).to(torch.float64 if self.dtype == np.float64 else torch.float32)
        with torch.no_grad():
            for name, p in module.named_parameters():
                p.copy_(torch.from_numpy(np.ascontiguousarray(self.params[name])))
        return module.train(self.training)


def init_uniform(rng, shape, bound, dtype):
    """U(-bound, bound), torch's default for Linear, RNN and LSTM weights."""
    return rng.uniform(-bound, bound, size=shape).astype(dtype)


def default_rng(rng):
    """rng itself, a fresh generator for None, or a seeded one for an int (see validate.check_rng)."""
    return check_rng(rng)
