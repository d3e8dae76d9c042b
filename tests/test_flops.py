"""FLOP estimates against torch's FlopCounterMode on the book's models, and the 6ND rule."""

import pytest
import torch

from bigmodels.nn import Linear
from bigmodels.nn.gpt import GPT, GPTConfig
from bigmodels.scale.flops import (device_days, gpt_flops, linear_flops, measure_flops, mlp_flops,
                                   training_flops)

TOLERANCE = 0.10  # the estimate may differ from torch's count by at most 10%


def assert_within(estimate, measured):
    assert abs(estimate - measured) <= TOLERANCE * measured, f"estimate {estimate} vs measured {measured}"


def test_linear_forward():
    layer = Linear(12, 7)
    x = torch.randn(5, 12)
    assert_within(linear_flops(5, 12, 7), measure_flops(layer, x))


@pytest.mark.parametrize("sizes", [(64, 32, 10), (784, 128, 64, 10)])
def test_mlp_forward_and_backward(sizes):
    layers = []
    for a, b in zip(sizes[:-1], sizes[1:]):
        layers += [Linear(a, b), torch.nn.ReLU()]
    model = torch.nn.Sequential(*layers[:-1])
    x, y = torch.randn(32, sizes[0]), torch.randint(0, sizes[-1], (32,))

    def step():
        torch.nn.functional.cross_entropy(model(x), y).backward()

    assert_within(mlp_flops(sizes, 32), measure_flops(step))
    assert_within(mlp_flops(sizes, 32, backward=False), measure_flops(model, x))


@pytest.mark.parametrize("n_layer,n_embd,seq_len", [(1, 16, 8), (2, 32, 32)])
def test_gpt_training_step(n_layer, n_embd, seq_len):
    torch.manual_seed(0)
    config = GPTConfig(block_size=32, vocab_size=50, n_layer=n_layer, n_head=4, n_embd=n_embd)
    model = GPT(config)
    idx = torch.randint(0, 50, (3, seq_len))

    def step():
        model(idx, idx)[1].backward()

    assert_within(gpt_flops(n_layer, n_embd, 50, 3, seq_len), measure_flops(step))
    assert_within(gpt_flops(n_layer, n_embd, 50, 3, seq_len, backward=False), measure_flops(model, idx))


def test_gpt_count_is_6nd_plus_attention():
    """Per token: 6N for the N weights in products plus 12 n_layer T d for the attention scores."""
    n_layer, d, vocab, batch, seq = 4, 64, 100, 2, 16
    n_matmul_params = 12 * n_layer * d * d + d * vocab
    tokens = batch * seq
    expected = training_flops(n_matmul_params, tokens) + 12 * n_layer * seq * d * tokens
    assert gpt_flops(n_layer, d, vocab, batch, seq) == pytest.approx(expected, rel=1e-12)


def test_gpt3_training_compute():
    flops = training_flops(175e9, 300e9)
    assert flops == pytest.approx(3.14e23, rel=0.01)  # Brown et al. 2020, table D.1: 3.14e23 FLOPs
    assert device_days(flops, 28e12) == pytest.approx(flops / 28e12 / 86400)


@pytest.mark.parametrize("call", [
    lambda: linear_flops(-1, 3, 4),
    lambda: linear_flops(2, 0, 4),
    lambda: training_flops(-5, 10),
    lambda: training_flops(5, 0),
    lambda: device_days(1e20, 0),
    lambda: mlp_flops((10,), 4),
])
def test_bad_input(call):
    with pytest.raises(ValueError):
        call()
