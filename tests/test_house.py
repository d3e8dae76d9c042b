"""The house stays one house: one trainer per job, one batcher, one tokenizer, twins apart.

A training loop (a `for`/`while` whose body calls `.backward()` and an optimizer's `.step()`) may stand only in
bigmodels.training, or where the loop itself is what a chapter teaches: there a comment within the three lines
above it says "written out" and why, and the file is in WRITTEN_OUT with its number of such loops.
"""

import ast
import pathlib

ROOT = pathlib.Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "shared" / "bigmodels"
WRITTEN_OUT = {  # file: loops written out on purpose
    "chapters/03_2_rnn.py": 2,           # the first language-model loop; truncated BPTT
    "chapters/03_3_lstm.py": 2,          # the NumPy LSTM's explicit backward
    "chapters/03_4_transformer.py": 1,   # teacher forcing
    "chapters/05_trends_and_challenges.py": 3,  # timed steps; gradient accumulation; bfloat16 autocast
    "chapters/06_3_applications.py": 1,  # translation: text batched per step
    "chapters/06_4_training_at_scale.py": 1,  # autocast
    "benchmarks/bench_translation.py": 1,
    "shared/bigmodels/scale/ddp.py": 1,  # data parallelism
}


def calls(node):
    return {n.func.attr for n in ast.walk(node) if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute)}


def training_loops(path):
    """Line numbers of the innermost loops of `path` that call .backward() and .step()."""
    loops = [n for n in ast.walk(ast.parse(path.read_text())) if isinstance(n, (ast.For, ast.While))]
    found = [n for n in loops if {"backward", "step"} <= calls(n)]
    return sorted(n.lineno for n in found
                  if not any(m is not n and m in found for m in ast.walk(n)))


def sources():
    files = [*ROOT.glob("chapters/*.py"), *ROOT.glob("benchmarks/*.py"), *PACKAGE.rglob("*.py")]
    return [f for f in sorted(files) if not f.is_relative_to(PACKAGE / "training")]


def test_training_loops_stand_only_in_the_trainers_or_where_they_are_the_lesson():
    problems, counts = [], {}
    for path in sources():
        name = path.relative_to(ROOT).as_posix()
        lines = path.read_text().splitlines()
        for line in training_loops(path):
            counts[name] = counts.get(name, 0) + 1
            above = " ".join(lines[max(0, line - 4):line])
            if "written out" not in above:
                problems.append(f"{name}:{line}: a training loop: use bigmodels.training.fit or train_lm, or say "
                                f"in a comment above it why it is written out")
    assert not problems, "\n".join(problems)
    assert counts == WRITTEN_OUT


def test_the_loop_finder_finds_a_loop(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text("for _ in range(3):\n    loss.backward()\n    optimizer.step()\n")
    assert training_loops(sample) == [1]


def test_one_batcher_and_one_character_tokenizer():
    """No module or chapter draws its own random language-model windows or builds its own character ids."""
    problems = []
    for path in sources():
        text = path.read_text()
        name = path.relative_to(ROOT).as_posix()
        if name == "shared/bigmodels/data/lm.py":
            continue
        for pattern in ("def get_batch", "def encode_chars", "np.searchsorted(alphabet", "def lm_batches",
                        "def windows("):
            if pattern in text:
                problems.append(f"{name}: {pattern!r} (use bigmodels.data.lm)")
    assert not problems, "\n".join(problems)
