"""Checkpoints: resume bit-identically (model, optimizer, RNG states, data position); refuse pickles."""

import random

import numpy as np
import pytest
import torch

from bigmodels.scale import count_parameters, load_checkpoint, rng_state, save_checkpoint, set_rng_state
from bigmodels.scale.ddp import Config, train


def run(**kw):
    random.seed(0)
    np.random.seed(0)
    return train(Config(threads=1, steps=10, batch_size=16, dropout=0.2, noise=0.1, **kw))


def test_interrupted_and_resumed_run_equals_the_uninterrupted_run(tmp_path):
    path = str(tmp_path / "ckpt.pt")
    full = run()
    first = run(checkpoint=path, stop_after=4)
    assert len(first["losses"]) == 4
    torch.manual_seed(123), np.random.seed(123), random.seed(123)  # scramble: resume must restore them
    resumed = train(Config(threads=1, steps=10, batch_size=16, dropout=0.2, noise=0.1, checkpoint=path, resume=True))
    assert first["losses"] + resumed["losses"] == full["losses"]
    for name, p in full["params"].items():
        assert torch.equal(resumed["params"][name], p), name


def test_rng_states_round_trip_through_a_weights_only_file(tmp_path):
    torch.save(rng_state(), tmp_path / "rng.pt")
    expected = (random.random(), np.random.rand(), torch.rand(1).item())
    set_rng_state(torch.load(tmp_path / "rng.pt", weights_only=True))
    assert (random.random(), np.random.rand(), torch.rand(1).item()) == expected


class Payload:
    """Stands for any object a pickle could smuggle in."""


def test_a_checkpoint_holding_a_pickled_object_is_refused(tmp_path):
    model = torch.nn.Linear(2, 2)
    path = tmp_path / "evil.pt"
    torch.save({"model": model.state_dict(), "payload": Payload()}, path)
    with pytest.raises(ValueError, match="refusing to load"):
        load_checkpoint(path, model)


def test_save_then_load_restores_model_and_optimizer(tmp_path):
    model = torch.nn.Linear(3, 2)
    opt = torch.optim.Adam(model.parameters())
    model(torch.randn(4, 3)).sum().backward()
    opt.step()
    save_checkpoint(tmp_path / "c.pt", model, opt, step=7)
    other = torch.nn.Linear(3, 2)
    other_opt = torch.optim.Adam(other.parameters())
    assert load_checkpoint(tmp_path / "c.pt", other, other_opt) == {"step": 7, "data_position": 7}
    assert torch.equal(other.weight, model.weight)
    assert other_opt.state_dict()["state"][0]["step"] == opt.state_dict()["state"][0]["step"]


def test_count_parameters_counts_tied_weights_once():
    from bigmodels.nn.gpt import GPT, GPTConfig
    from bigmodels.scratch.gpt import GPT as ScratchGPT

    config = GPTConfig(block_size=8, vocab_size=11, n_layer=1, n_head=2, n_embd=8)
    torch_count = count_parameters(GPT(config))
    assert torch_count == sum(p.numel() for p in GPT(config).parameters())
    assert count_parameters(ScratchGPT(config)) == torch_count
    assert count_parameters(torch.nn.Linear(3, 2)) == 8
    with pytest.raises(TypeError, match="expected a torch module"):
        count_parameters([1, 2])
