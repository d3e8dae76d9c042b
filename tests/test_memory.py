"""Memory estimates against the tensors torch actually keeps."""

import pytest
import torch

from bigmodels.nn import Linear
from bigmodels.scale.memory import (measure_saved_bytes, measure_training_state_bytes, mlp_activation_bytes,
                                    training_state_bytes)


def make_mlp(sizes):
    layers = []
    for a, b in zip(sizes[:-1], sizes[1:]):
        layers += [Linear(a, b), torch.nn.ReLU()]
    return torch.nn.Sequential(*layers[:-1])


@pytest.mark.parametrize("sizes,batch", [((784, 128, 10), 64), ((64, 32, 32, 10), 17)])
def test_mlp_activations_match_saved_tensors(sizes, batch):
    model = make_mlp(sizes)
    x, y = torch.randn(batch, sizes[0]), torch.randint(0, sizes[-1], (batch,))
    measured, _ = measure_saved_bytes(lambda: torch.nn.functional.cross_entropy(model(x), y).backward(),
                                      exclude=model.parameters())
    assert mlp_activation_bytes(sizes, batch) == pytest.approx(measured, rel=0.01)


@pytest.mark.parametrize("optimizer,make", [
    ("adam", lambda p: torch.optim.Adam(p)),
    ("momentum", lambda p: torch.optim.SGD(p, lr=0.1, momentum=0.9)),
    ("sgd", lambda p: torch.optim.SGD(p, lr=0.1)),
])
def test_training_state_is_exact(optimizer, make):
    model = make_mlp((20, 30, 5))
    opt = make(model.parameters())
    model(torch.randn(4, 20)).sum().backward()
    opt.step()
    n_params = sum(p.numel() for p in model.parameters())
    assert measure_training_state_bytes(model, opt) == training_state_bytes(n_params, 4, optimizer)


@pytest.mark.parametrize("call", [
    lambda: training_state_bytes(-3),
    lambda: training_state_bytes(10, optimizer="lion"),
    lambda: mlp_activation_bytes((10, 5), 0),
])
def test_bad_input(call):
    with pytest.raises(ValueError):
        call()
