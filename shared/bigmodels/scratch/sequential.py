"""Sequential: layers applied one after another, mirroring torch.nn.Sequential.

The children are named "0", "1", ..., so parameters are keyed "0.weight", "0.bias", "2.weight"...
exactly like the built-in's `named_parameters()`. Forward chains the layers; backward walks them
in reverse, each layer turning dL/d(its output) into dL/d(its input).
"""

import numpy as np

from . import layers
from .module import Module

# torch.nn class name -> scratch class, for from_torch (bigmodels.nn layers share the names)
LAYERS = {cls.__name__: cls for cls in (layers.Linear, layers.ReLU, layers.Sigmoid, layers.Tanh,
                                         layers.GELU, layers.Dropout, layers.LayerNorm)}


class Sequential(Module):
    """y = layer_n(... layer_2(layer_1(x)))."""

    def __init__(self, *layers_):
        super().__init__()
        for i, layer in enumerate(layers_):
            if not isinstance(layer, Module):
                raise TypeError(f"Sequential: expected scratch Module layers, got {type(layer).__name__} at {i}")
            self.add_module(str(i), layer)
        dtypes = {np.dtype(p.dtype) for p in self.params.values()}
        if len(dtypes) > 1:
            raise TypeError(f"Sequential: expected layers of one dtype, got {sorted(map(str, dtypes))}")
        self.dtype = dtypes.pop() if dtypes else np.dtype(np.float64)

    def __len__(self):
        return len(self._children)

    def __getitem__(self, i):
        return list(self._children.values())[i]

    def __iter__(self):
        return iter(self._children.values())

    def forward(self, x):
        for layer in self:
            x = layer(x)
        return x

    def backward(self, grad_output, input_grad=True):
        """Backpropagate through the layers in reverse; returns dL/dx (None if input_grad=False).

        input_grad=False lets a first Linear layer skip dL/dx, the largest product of the backward
        pass of an MLP and useless in training (torch skips it as the data does not require grad).
        """
        children = list(self)
        for i in range(len(children) - 1, -1, -1):
            if i == 0 and not input_grad and isinstance(children[0], layers.Linear):
                return children[0].backward(grad_output, input_grad=False)
            grad_output = children[i].backward(grad_output)
        return grad_output if input_grad else None

    @classmethod
    def from_torch(cls, module, dtype=np.float64):
        """A scratch copy of a torch.nn.Sequential of Linear/ReLU/Sigmoid/Tanh/GELU/Dropout/LayerNorm."""
        children = []
        for name, child in module.named_children():
            kind = type(child).__name__
            if kind not in LAYERS:
                raise TypeError(f"Sequential.from_torch: expected children among {sorted(LAYERS)}, "
                                f"got {kind} at {name!r}")
            children.append(LAYERS[kind].from_torch(child, dtype=dtype))
        return cls(*children).train(module.training)

    def to_torch(self):
        """The equivalent torch.nn.Sequential of built-ins, holding a copy of these weights."""
        import torch

        return torch.nn.Sequential(*(layer.to_torch() for layer in self)).train(self.training)

    def __repr__(self):
        inner = "".join(f"\n  ({name}): {type(layer).__name__}" for name, layer in self._children.items())
        return f"Sequential({inner}\n)"
