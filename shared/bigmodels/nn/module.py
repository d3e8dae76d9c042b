"""What every bigmodels.nn module adds to torch.nn.Module: moving weights to and from the built-in.

The formula-written modules name their parameters exactly like the torch built-ins, so a
state_dict copies straight across.
"""

import torch


class Module(torch.nn.Module):
    @classmethod
    def from_torch(cls, builtin):
        """This module with the configuration, weights, dtype and train/eval mode of a built-in."""
        dtype = next(builtin.parameters()).dtype if any(True for _ in builtin.parameters()) else None
        model = cls(**cls.torch_config(builtin))
        if dtype is not None:
            model = model.to(dtype)
        model.load_state_dict(builtin.state_dict())
        return model.train(builtin.training)

    def to_torch(self):
        """The equivalent torch built-in holding a copy of these weights."""
        params = list(self.parameters())
        builtin = self.make_torch()
        if params:
            builtin = builtin.to(params[0].dtype)
        builtin.load_state_dict(self.state_dict())
        return builtin.train(self.training)

    @classmethod
    def torch_config(cls, builtin):
        """Constructor arguments of this class read off the matching built-in."""
        raise NotImplementedError(f"{cls.__name__} has no torch counterpart")

    def make_torch(self):
        raise NotImplementedError(f"{type(self).__name__} has no torch counterpart")
