"""What every bigmodels.nn module adds to torch.nn.Module: moving weights to and from the built-in.

The formula-written modules name their parameters exactly like the torch built-ins, so a
state_dict copies straight across; bigmodels.convert reads and builds the configurations.
"""

import torch

from ..convert import build_builtin, config_of


class Module(torch.nn.Module):
    @classmethod
    def from_torch(cls, builtin):
        """This module with the configuration, weights, dtype and train/eval mode of a built-in."""
        dtype = next(builtin.parameters()).dtype if any(True for _ in builtin.parameters()) else None
        model = cls(**config_of(builtin, cls.__name__))
        if dtype is not None:
            model = model.to(dtype)
        model.load_state_dict(builtin.state_dict())
        return model.train(builtin.training)

    def to_torch(self):
        """The equivalent torch built-in holding a copy of these weights."""
        params = list(self.parameters())
        builtin = build_builtin(self)
        if params:
            builtin = builtin.to(params[0].dtype)
        builtin.load_state_dict(self.state_dict())
        return builtin.train(self.training)
