"""The small GPT: scratch == nn (float64, rel <= 1e-10) for logits, loss and every gradient; the nn
GPT == the same network assembled from torch built-in layers; finite differences; generate; errors."""

import numpy as np
import pytest
import torch

from bigmodels.nn.gpt import GPT as NnGPT
from bigmodels.scratch.gpt import GPT as ScratchGPT
from bigmodels.data.lm import encode_chars, get_batch
from bigmodels.scratch.gpt import GPTConfig
from bigmodels.scratch.gradcheck import numerical_gradient
from bigmodels.testing import assert_close

TOL = 1e-10


def small_config(**kw):
    return GPTConfig(**dict(dict(block_size=6, vocab_size=7, n_layer=2, n_head=2, n_embd=8), **kw))


@pytest.mark.parametrize("tie_weights,bias", [(True, True), (False, False), (True, False)])
def test_scratch_matches_nn(tie_weights, bias):
    torch.manual_seed(0)
    config = small_config(tie_weights=tie_weights, bias=bias)
    model = NnGPT(config).double()
    scratch = ScratchGPT.from_torch(model)
    assert list(scratch.params) == [n for n, _ in model.named_parameters()]
    rng = np.random.default_rng(0)
    for length in (1, 6):
        idx, targets = rng.integers(0, 7, (3, length)), rng.integers(0, 7, (3, length))
        model.zero_grad()
        scratch.zero_grad()
        logits, loss = model(torch.from_numpy(idx), torch.from_numpy(targets))
        loss.backward()
        s_logits, s_loss = scratch(idx, targets)
        scratch.backward()
        assert_close(s_logits, logits, TOL, "logits")
        assert abs(s_loss - loss.item()) <= TOL * abs(loss.item())
        for name, p in model.named_parameters():
            assert_close(scratch.grads[name], p.grad, TOL, f"grad {name}")


class BuiltinGPT(torch.nn.Module):
    """The same GPT from torch's own layers (nn.Embedding, nn.TransformerEncoderLayer, nn.LayerNorm)."""

    def __init__(self, c):
        super().__init__()
        self.wte, self.wpe = torch.nn.Embedding(c.vocab_size, c.n_embd), torch.nn.Embedding(c.block_size, c.n_embd)
        self.blocks = torch.nn.ModuleList(
            torch.nn.TransformerEncoderLayer(c.n_embd, c.n_head, 4 * c.n_embd, c.dropout, "gelu", batch_first=True,
                                             norm_first=True, bias=c.bias) for _ in range(c.n_layer))
        self.ln_f = torch.nn.LayerNorm(c.n_embd, bias=c.bias)

    def forward(self, idx):
        x = self.wte(idx) + self.wpe(torch.arange(idx.shape[1]))
        mask = torch.nn.Transformer.generate_square_subsequent_mask(idx.shape[1], dtype=x.dtype)
        for block in self.blocks:
            x = block(x, src_mask=mask, is_causal=True)
        return self.ln_f(x) @ self.wte.weight.T


def test_nn_gpt_matches_gpt_from_torch_builtins():
    torch.manual_seed(0)
    config = small_config()
    model = NnGPT(config).double()
    builtin = BuiltinGPT(config).double()  # train mode, dropout 0: no fused fast path
    builtin.load_state_dict({k: v for k, v in model.state_dict().items() if not k.startswith("lm_head")})
    idx = torch.randint(0, 7, (2, 6))
    logits, _ = model(idx)
    expected = builtin(idx)
    logits.sum().backward()
    expected.sum().backward()
    assert_close(logits, expected, TOL, "logits vs built-in layers")
    for (name, p), (_, pb) in zip(model.named_parameters(), builtin.named_parameters()):
        assert_close(p.grad, pb.grad, TOL, f"grad {name} vs built-in layers")


@pytest.mark.parametrize("length", [1, 6])
def test_fused_attention_equals_the_formula_path(length):
    """GPT(config, fused=True) (F.scaled_dot_product_attention) == the formula-written attention."""
    torch.manual_seed(0)
    config = small_config(dropout=0.0, bias=False)
    formula = NnGPT(config).double()
    fused = NnGPT(config, fused=True).double()
    fused.load_state_dict(formula.state_dict())
    assert all(block.self_attn.fused for block in fused.blocks)
    assert not any(block.self_attn.fused for block in formula.blocks)
    idx, targets = torch.randint(0, 7, (3, length)), torch.randint(0, 7, (3, length))
    outputs = []
    for model in (formula, fused):
        logits, loss = model(idx, targets)
        loss.backward()
        outputs.append((logits, loss, {name: p.grad for name, p in model.named_parameters()}))
    (logits, loss, grads), (f_logits, f_loss, f_grads) = outputs
    assert_close(f_logits, logits, TOL, "fused logits")
    assert abs(f_loss.item() - loss.item()) <= TOL * abs(loss.item())
    for name, grad in grads.items():
        assert_close(f_grads[name], grad, TOL, f"fused grad {name}")
    with pytest.raises(TypeError, match="fused: expected True or False"):
        NnGPT(config, fused="yes")


def test_scratch_gpt_finite_differences():
    config = small_config(block_size=3, vocab_size=5, n_layer=1, n_embd=4, tie_weights=True)
    model = ScratchGPT(config, rng=np.random.default_rng(0))
    rng = np.random.default_rng(1)
    idx, targets = rng.integers(0, 5, (2, 3)), rng.integers(0, 5, (2, 3))
    model(idx, targets)
    model.backward()
    for name in ["wte.weight", "wpe.weight", "blocks.0.self_attn.in_proj_weight", "blocks.0.linear1.weight",
                 "blocks.0.norm1.weight", "ln_f.bias"]:
        p = model.params[name]
        numeric = numerical_gradient(lambda: model(idx, targets)[1], p)
        assert_close(model.grads[name], numeric, 1e-6, f"finite differences {name}")


def test_generate_is_seeded_crops_to_block_size_and_top_k_one_is_greedy():
    config = small_config(block_size=4)
    model = ScratchGPT(config, rng=np.random.default_rng(0))
    start = np.zeros((2, 1), dtype=np.int64)
    a = model.generate(start, 9, generator=np.random.default_rng(5))
    b = model.generate(start, 9, generator=np.random.default_rng(5))
    assert a.shape == (2, 10) and np.array_equal(a, b) and a.max() < 7
    greedy = model.generate(start, 3, top_k=1)
    logits, _ = model(greedy[:, :3])
    assert np.array_equal(greedy[:, 3], logits[:, -1].argmax(-1))
    torch.manual_seed(0)
    nn_model = NnGPT(config)
    out = nn_model.generate(torch.zeros(2, 1, dtype=torch.long), 9, top_k=3, generator=torch.Generator().manual_seed(0))
    assert out.shape == (2, 10) and nn_model.training


def test_float32_training_step_runs():
    config = small_config()
    model = ScratchGPT(config, dtype=np.float32, rng=np.random.default_rng(0))
    idx = np.random.default_rng(0).integers(0, 7, (2, 6))
    logits, loss = model(idx, idx)
    model.backward()
    assert logits.dtype == np.float32 and all(g.dtype == np.float32 for g in model.grads.values())
    assert np.isclose(loss, np.log(7), atol=0.1)  # small init: about uniform over the vocabulary


def test_char_data_helpers():
    ids, chars = encode_chars("hello")
    assert chars == ["e", "h", "l", "o"] and ids.tolist() == [1, 0, 2, 2, 3]
    x, y = get_batch(np.arange(20), 5, 3, np.random.default_rng(0))
    assert x.shape == (3, 5) and np.array_equal(y, x + 1)


def test_clear_errors():
    config = small_config()
    scratch, model = ScratchGPT(config), NnGPT(config)
    with pytest.raises(ValueError, match="block_size"):
        scratch(np.zeros((1, 7), dtype=np.int64))
    with pytest.raises(ValueError, match="block_size"):
        model(torch.zeros(1, 7, dtype=torch.long))
    with pytest.raises(ValueError, match=r"\[0, 7\)"):
        scratch(np.full((1, 3), 7))
    with pytest.raises(ValueError, match=r"\[0, 7\)"):
        model(torch.full((1, 3), 7))
    with pytest.raises(ValueError, match="divisible"):
        ScratchGPT(small_config(n_head=3))
