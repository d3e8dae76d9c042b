"""Magnitude pruning from scratch picks exactly the weights torch.nn.utils.prune picks."""

import numpy as np
import pytest
import torch
from torch.nn.utils import prune

from bigmodels.compress import (finalize, global_magnitude_masks, magnitude_mask, neuron_mask, prune_model,
                                sparsity_of)
from bigmodels.nn import MLP


def weights(seed=0):
    rng = np.random.default_rng(seed)
    return {"a": rng.normal(size=(6, 5)).astype(np.float32), "b": rng.normal(size=(3, 6)).astype(np.float32) * 3}


@pytest.mark.parametrize("sparsity", [0.0, 0.3, 0.5, 0.8])
def test_per_layer_mask_matches_torch_l1_unstructured(sparsity):
    w = weights()["a"]
    layer = torch.nn.Linear(5, 6)
    with torch.no_grad():
        layer.weight.copy_(torch.from_numpy(w))
    prune.l1_unstructured(layer, "weight", amount=sparsity)
    np.testing.assert_array_equal(magnitude_mask(w, sparsity), layer.weight_mask.numpy())
    assert magnitude_mask(w, sparsity).sum() == w.size - round(sparsity * w.size)


def test_global_masks_match_torch_global_unstructured_and_prune_big_layers_less():
    ws = weights()
    layers = {k: torch.nn.Linear(w.shape[1], w.shape[0]) for k, w in ws.items()}
    for k, layer in layers.items():
        with torch.no_grad():
            layer.weight.copy_(torch.from_numpy(ws[k]))
    prune.global_unstructured([(m, "weight") for m in layers.values()], prune.L1Unstructured, amount=0.5)
    masks = global_magnitude_masks(ws, 0.5)
    for k in ws:
        np.testing.assert_array_equal(masks[k], layers[k].weight_mask.numpy())
    assert masks["b"].mean() > masks["a"].mean()  # b's weights are 3x larger: globally, fewer are pruned


def test_neuron_mask_matches_torch_ln_structured_and_removes_whole_rows():
    w = weights()["a"]
    layer = torch.nn.Linear(5, 6)
    with torch.no_grad():
        layer.weight.copy_(torch.from_numpy(w))
    prune.ln_structured(layer, "weight", amount=0.5, n=2, dim=0)
    mask = neuron_mask(w, 0.5)
    np.testing.assert_array_equal(mask, layer.weight_mask.numpy())
    assert sorted(mask.sum(1).tolist()) == [0, 0, 0, 5, 5, 5]


def test_prune_model_reaches_the_sparsity_and_fine_tuning_keeps_zeros():
    model = MLP([8, 16, 4])
    prune_model(model, 0.75, "global")
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    model(torch.randn(5, 8)).sum().backward()
    opt.step()
    finalize(model)
    assert sparsity_of([model[0].weight, model[2].weight]) == pytest.approx(0.75, abs=1e-9)
    assert sorted(name for name, _ in model.named_parameters()) == ["0.bias", "0.weight", "2.bias", "2.weight"]


@pytest.mark.parametrize("bad", [-0.1, 1.0, 1.5])
def test_sparsity_outside_zero_one_is_refused(bad):
    with pytest.raises(ValueError, match=r"sparsity: expected a value in \[0, 1\)"):
        magnitude_mask(weights()["a"], bad)
    with pytest.raises(ValueError, match="sparsity"):
        prune_model(MLP([2, 2]), bad)


def test_unknown_method_and_non_array_are_refused():
    with pytest.raises(ValueError, match="'layer', 'global' or 'neuron'"):
        prune_model(MLP([2, 2]), 0.5, method="random")
    with pytest.raises(TypeError, match="NumPy float array"):
        magnitude_mask([[1.0]], 0.5)
