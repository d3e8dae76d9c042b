"""Data parallel training: N processes with batch B = one process with batch N*B; failures end the job."""

import os
import time

import pytest
import torch

from bigmodels.scale.ddp import Config, check_world_size, global_batch, launch, main, run_nodes


def test_two_processes_equal_one_process_with_double_batch():
    steps = 5
    two = launch(Config(steps=steps, batch_size=16, threads=1), nproc=2)
    one = launch(Config(steps=steps, batch_size=32, threads=1), nproc=1)
    assert one["params"].keys() == two["params"].keys()
    for name, p in one["params"].items():
        torch.testing.assert_close(two["params"][name], p, rtol=0, atol=1e-6)
    assert len(two["losses"]) == steps


@pytest.mark.parametrize("mode, rank", [("raise", 1), ("exit", 0)])
def test_a_dying_worker_stops_the_job_with_a_clear_error(mode, rank):
    start = time.perf_counter()
    with pytest.raises(RuntimeError, match=f"worker {rank} of 2"):
        launch(Config(steps=50, threads=1, fail_at=3, fail_rank=rank, fail_mode=mode, timeout=20), nproc=2)
    assert time.perf_counter() - start < 60


def test_a_frozen_worker_is_named_by_its_rank():
    start = time.perf_counter()
    with pytest.raises(RuntimeError, match="worker 1 of 2 froze at step 3"):
        launch(Config(steps=50, threads=1, fail_at=3, fail_rank=1, fail_mode="hang", timeout=2), nproc=2)
    assert time.perf_counter() - start < 30


def test_global_batches_cover_each_epoch_once():
    batches = torch.cat([global_batch(step, 64, 16, seed=0) for step in range(4)])
    assert sorted(batches.tolist()) == list(range(64))
    assert not torch.equal(global_batch(4, 64, 16, 0), global_batch(0, 64, 16, 0))  # next epoch reshuffles


@pytest.mark.parametrize("bad", [0, -1])
def test_world_size_must_be_positive(bad):
    with pytest.raises(ValueError, match="world_size"):
        check_world_size(bad)
    with pytest.raises(ValueError, match="world_size"):
        launch(Config(steps=1), nproc=bad)


def test_command_line_prints_a_json_summary(capsys):
    main(["--nproc", "1", "--steps", "4", "--threads", "1"])
    assert '"world_size": 1, "steps": 4' in capsys.readouterr().out


def test_two_torchrun_nodes_equal_one_node_with_two_processes(tmp_path):
    path = tmp_path / "nodes.pt"
    outputs = run_nodes(["--steps", 4, "--batch-size", 16, "--threads", 1, "--save", path], nnodes=2, timeout=180)
    assert '"world_size": 2, "steps": 4' in "".join(outputs)
    nodes = torch.load(path, weights_only=True)
    local = launch(Config(steps=4, batch_size=16, threads=1), nproc=2)
    for name, p in local["params"].items():
        torch.testing.assert_close(nodes["params"][name], p, rtol=0, atol=1e-6)  # the same all-reduce: 0 seen
    assert nodes["losses"] == pytest.approx(local["losses"], abs=1e-6)


def test_a_failing_node_ends_both_nodes_with_its_error():
    start = time.perf_counter()
    with pytest.raises(RuntimeError, match="torchrun node [01] of 2 failed"):
        run_nodes(["--steps", 50, "--threads", 1, "--fail-at", 2, "--fail-rank", 1, "--timeout", 20], timeout=120)
    assert time.perf_counter() - start < 100


def frozen_workers():
    """Processes of this machine running the book's DDP script in 'hang' mode (only the test below starts them)."""
    found = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as file:
                args = file.read().split(b"\0")
        except OSError:
            continue
        if b"bigmodels.scale.ddp" in args and b"hang" in args and b"torch.distributed.run" not in args:
            found.append(int(pid))
    return found


@pytest.mark.skipif(not os.path.isdir("/proc"), reason="looks for left-over workers in /proc")
def test_a_frozen_node_is_stopped_with_its_workers_after_the_timeout():
    start = time.perf_counter()
    with pytest.raises(RuntimeError, match="did not finish within 15"):
        run_nodes(["--steps", 50, "--threads", 1, "--fail-at", 2, "--fail-rank", 1, "--fail-mode", "hang",
                   "--timeout", 300], timeout=15)
    assert time.perf_counter() - start < 45
    deadline = time.monotonic() + 10
    while frozen_workers() and time.monotonic() < deadline:
        time.sleep(0.2)
    assert frozen_workers() == []
