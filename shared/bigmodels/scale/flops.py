"""Counting training compute: the 6ND rule and a per-layer count of matrix-multiply FLOPs.

Convention (the one torch.utils.flop_counter uses): a multiply-add is 2 FLOPs, and only matrix
products are counted; element-wise work (activations, softmax, LayerNorm, bias adds) is ignored
because it is a few percent of the total in these models. The backward pass of a matrix product
costs twice its forward (one product for the input gradient, one for the weight gradient); the
first layer of a network skips the input gradient when its input needs none.
"""

from ..validate import check_number, check_positive_int, check_sizes

SECONDS_PER_DAY = 86_400.0


def _check_positive(value, name):
    return check_number(value, name, low=0, low_open=True, finite=True)


def linear_flops(n_rows, in_features, out_features):
    """Forward FLOPs of y = x W^T for x of shape (n_rows, in_features): 2 n_rows in out."""
    for value, name in ((n_rows, "n_rows"), (in_features, "in_features"), (out_features, "out_features")):
        check_positive_int(value, name)
    return 2 * n_rows * in_features * out_features


def attention_flops(batch_size, seq_len, n_embd):
    """Forward FLOPs of one self-attention layer (any number of heads).

    q, k, v projections 3 * 2BTC^2, scores QK^T 2BT^2C, weighted values AV 2BT^2C, output
    projection 2BTC^2. Causal masking does not save work in a dense implementation.
    """
    for value, name in ((batch_size, "batch_size"), (seq_len, "seq_len"), (n_embd, "n_embd")):
        check_positive_int(value, name)
    rows = batch_size * seq_len
    projections = linear_flops(rows, n_embd, 3 * n_embd) + linear_flops(rows, n_embd, n_embd)
    scores_and_values = 2 * (2 * batch_size * seq_len * seq_len * n_embd)
    return projections + scores_and_values


def feedforward_flops(batch_size, seq_len, n_embd, hidden=None):
    """Forward FLOPs of the transformer MLP C -> hidden -> C (hidden = 4C by default)."""
    for value, name in ((batch_size, "batch_size"), (seq_len, "seq_len"), (n_embd, "n_embd")):
        check_positive_int(value, name)
    hidden = 4 * n_embd if hidden is None else check_positive_int(hidden, "hidden")
    rows = batch_size * seq_len
    return linear_flops(rows, n_embd, hidden) + linear_flops(rows, hidden, n_embd)


def gpt_flops(n_layer, n_embd, vocab_size, batch_size, seq_len, backward=True):
    """FLOPs of a GPT forward (and backward) pass on a (batch_size, seq_len) batch of tokens.

    Per block: attention_flops + feedforward_flops; then the language-model head 2BTCV.
    Embedding lookups are gathers, not products. With backward the total is 3x the forward,
    since every product's input (the embeddings onward) requires a gradient.
    """
    check_positive_int(n_layer, "n_layer")
    check_positive_int(vocab_size, "vocab_size")
    block = attention_flops(batch_size, seq_len, n_embd) + feedforward_flops(batch_size, seq_len, n_embd)
    forward = n_layer * block + linear_flops(batch_size * seq_len, n_embd, vocab_size)
    return 3 * forward if backward else forward


def mlp_flops(sizes, batch_size, backward=True):
    """FLOPs of an MLP with layer widths sizes = (in, hidden..., out) on batch_size examples.

    Backward: 2x forward for every layer but the first, whose input (the data) needs no gradient.
    """
    check_sizes(sizes)
    check_positive_int(batch_size, "batch_size")
    layers = [linear_flops(batch_size, a, b) for a, b in zip(sizes[:-1], sizes[1:])]
    forward = sum(layers)
    if not backward:
        return forward
    return forward + 2 * forward - layers[0]


def training_flops(n_params, n_tokens):
    """The 6ND rule: C = 6 N D (2ND forward + 4ND backward) for N parameters and D tokens."""
    _check_positive(n_params, "n_params")
    _check_positive(n_tokens, "n_tokens")
    return 6.0 * n_params * n_tokens


def device_days(flops, flops_per_second, n_devices=1):
    """Days of n_devices running at flops_per_second (effective, i.e. after utilisation) each."""
    _check_positive(flops, "flops")
    _check_positive(flops_per_second, "flops_per_second")
    check_positive_int(n_devices, "n_devices")
    return flops / (flops_per_second * n_devices) / SECONDS_PER_DAY


def measure_flops(fn, *args, **kwargs):
    """Matrix-multiply FLOPs torch executes in fn(*args, **kwargs), counted by FlopCounterMode.

    Note: on the CPU, torch's fused scaled_dot_product_attention kernel is counted as 0 FLOPs.
    """
    from torch.utils.flop_counter import FlopCounterMode

    with FlopCounterMode(display=False) as counter:
        fn(*args, **kwargs)
    return counter.get_total_flops()
