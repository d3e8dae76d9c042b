"""Sharded, tensor- and pipeline-parallel GPTs equal one process; their traffic matches tensor sizes."""

import pytest
import torch

from bigmodels.scale import parallel, pipeline, sharding, tensor_parallel

VOCAB = 65  # odd: the embedding's rows do not divide over 2 processes, so the shards are uneven
CONFIG = sharding.LMConfig(steps=3, batch_size=4, block_size=32, n_layer=2, n_head=2, n_embd=64)


@pytest.fixture(scope="module")
def tokens():
    return torch.randint(VOCAB, (2_000,), generator=torch.Generator().manual_seed(0))


@pytest.fixture(scope="module")
def single(tokens):
    return sharding.train_lm(CONFIG, tokens, VOCAB)


@pytest.fixture(scope="module")
def ranks(tokens):
    """One launch of 2 processes: FSDP2 training, then DDP, tensor- and pipeline-parallel steps."""
    return parallel.launch(parallel.compare_worker, 2, CONFIG, tokens, VOCAB)


def test_sharded_training_follows_the_single_process_loss_curve(ranks, single):
    for result in ranks:
        assert len(result["losses"]) == CONFIG.steps
        # float32 sums in another order, amplified by Adam: up to 1e-5 seen over 20 steps of the chapter's run
        torch.testing.assert_close(result["losses"], single["losses"], rtol=0, atol=1e-4)


def test_each_rank_holds_its_shard_of_parameters_gradients_and_optimizer_state(ranks, single):
    params = list(sharding.make_gpt(CONFIG, VOCAB).parameters())
    for rank, result in enumerate(ranks):
        shard = sum(sharding.shard_rows(p.shape[0], 2, rank) * p[0].numel() * 4 for p in params)
        optimizer = 2 * shard + 4 * len(params)  # Adam's two moments and a float32 step count per tensor
        assert result["bytes"] == {"parameters": shard, "gradients": shard, "optimizer": optimizer}
    for kind in ("parameters", "gradients"):
        assert sum(r["bytes"][kind] for r in ranks) == single["bytes"][kind]  # nothing lost or duplicated
    assert ranks[0]["bytes"] != ranks[1]["bytes"]  # 65 embedding rows: 33 and 32


def test_tensor_parallel_gpt_equals_the_unsplit_model(ranks):
    for result in ranks:
        assert result["tensor"]["output"] < 1e-5 and result["tensor"]["gradient"] < 1e-5
    assert torch.equal(ranks[0]["tensor"]["logits"], ranks[1]["tensor"]["logits"])


def test_pipeline_equals_the_whole_model(ranks):
    for result in ranks:
        assert "error" not in result["pipeline"], result["pipeline"]
        assert result["pipeline"]["loss"] < 1e-5 and result["pipeline"]["gradient"] < 1e-5


@pytest.mark.skipif(parallel.sent_bytes() is None, reason="counting sent bytes needs /proc/self/io (Linux)")
def test_measured_traffic_matches_tensor_sizes(ranks):
    params = list(sharding.make_gpt(CONFIG, VOCAB).parameters())
    n_blocks = sum(p.numel() for p in sharding.make_gpt(CONFIG, VOCAB).blocks.parameters())
    computed = parallel.computed_bytes(CONFIG, sum(p.numel() for p in params), n_blocks, 2,
                                       reduce_scatter_as_all_reduce=True)
    measured = {"DDP": "ddp_sent", "FSDP": "sent"}
    for result in ranks:
        sent = {name: result[key] for name, key in measured.items()}
        sent["tensor"] = result["tensor"]["sent"]
        # the pipeline's ranks send different things (activations forward, gradients back): take the mean
        sent["pipeline"] = sum(r["pipeline"]["sent"] for r in ranks) / 2
        for name, value in sent.items():
            # gloo's message headers: 0.2% to 2% seen (a few hundred bytes per message)
            assert computed[name] <= value < 1.05 * computed[name], (name, value, computed[name])
    collectives = ranks[0]["collectives"]
    size = 4 * 2**16
    assert size <= collectives["all-reduce"] < 1.01 * size
    assert size <= collectives["reduce-scatter"] < 1.01 * size  # gloo's costs a whole all-reduce
    assert size / 2 <= collectives["all-gather"] < 1.01 * size / 2


def test_shard_rows_cover_the_dimension_once():
    for rows in (1, 7, 62, 65):
        for n in (1, 2, 3, 4):
            sizes = [sharding.shard_rows(rows, n, r) for r in range(n)]
            assert sum(sizes) == rows and max(sizes) == -(-rows // n)


def test_lm_batch_targets_are_the_next_tokens():
    tokens = torch.arange(100)
    x, y = sharding.lm_batch(tokens, step=3, batch_size=5, block_size=7)
    assert x.shape == y.shape == (5, 7) and torch.equal(y, x + 1)
    assert torch.equal(sharding.lm_batch(tokens, 3, 5, 7)[0], x)  # the step fixes the batch
    with pytest.raises(ValueError, match="block_size"):
        sharding.lm_batch(torch.arange(5), 0, 2, 7)


def test_bad_arguments_are_refused_with_their_name():
    with pytest.raises(ValueError, match="LMConfig.n_layer"):
        sharding.LMConfig(n_layer=0)
    with pytest.raises(ValueError, match="batch_size"):
        sharding.train_lm(sharding.LMConfig(batch_size=3), torch.arange(100), 100,
                          mesh=type("Mesh", (), {"size": lambda self: 2, "get_local_rank": lambda self: 0})())
    with pytest.raises(ValueError, match="nproc"):
        parallel.launch(parallel.fsdp_worker, 0)
    gpt = sharding.make_gpt(CONFIG, VOCAB)
    with pytest.raises(ValueError, match="world_size"):
        tensor_parallel.ParallelBlock(gpt.blocks[0], 0, 3)  # 2 heads do not split over 3 processes
    with pytest.raises(ValueError, match="rank"):
        tensor_parallel.ParallelBlock(gpt.blocks[0], 2, 2)
    with pytest.raises(ValueError, match="tie_weights"):
        pipeline.GPTStage(gpt, 0, 2)
    with pytest.raises(ValueError, match="n_stages"):
        pipeline.GPTStage(sharding.make_gpt(CONFIG, VOCAB, tie_weights=False), 0, 3)


def test_gpipe_bubble():
    assert pipeline.bubble_fraction(1, 8) == 0
    assert pipeline.bubble_fraction(2, 4) == pytest.approx(1 / 5)
    assert pipeline.bubble_fraction(4, 4) == pytest.approx(3 / 7)


def test_a_failing_worker_is_named():
    with pytest.raises(RuntimeError, match="worker 1 of 2"):
        parallel.launch(_fail_on_rank_1, 2, timeout=20)


def _fail_on_rank_1(rank, world_size):
    if rank == 1:
        raise ValueError("on purpose")
    torch.distributed.barrier()
