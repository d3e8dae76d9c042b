"""bigmodels.scratch is NumPy only: importing it and training a step never imports torch.

Only the methods that build the torch built-in (to_torch in scratch, build_builtin in bigmodels.convert) may
import torch, lazily; the neutral modules scratch imports (validate, configs, convert) follow the same rule.
"""

import ast
import pathlib
import subprocess
import sys

import bigmodels.scratch

SCRATCH = pathlib.Path(bigmodels.scratch.__file__).parent
PACKAGE = SCRATCH.parent
CHECKED = sorted(SCRATCH.glob("*.py")) + [PACKAGE / f"{name}.py" for name in ("validate", "configs", "convert")]
ALLOWED = {"to_torch", "build_builtin"}

PROGRAM = """
import sys
import numpy as np
import bigmodels.scratch as s
rng = np.random.default_rng(0)
model = s.Sequential(s.Linear(4, 5, rng=rng), s.GELU(), s.LayerNorm(5), s.Dropout(0.1, rng=rng),
                     s.Tanh(), s.Linear(5, 3, rng=rng), s.Sigmoid(), s.Linear(3, 3, rng=rng))
mlp = s.MLP([4, 6, 3], rng=rng)
opt, opt2 = s.AdamW(model), s.SGD(mlp, 0.1, momentum=0.9)
x, y = rng.standard_normal((8, 4)), rng.integers(0, 3, size=8)
for net, o in ((model, opt), (mlp, opt2)):
    loss = s.CrossEntropyLoss()
    loss(net(x), y)
    net.backward(loss.backward())
    s.clip_grad_norm_(net, 1.0)
    o.step()
s.MSELoss()(mlp(x), np.zeros((8, 3)))
emb = s.Embedding(5, 2, rng=rng)
emb.backward(emb(np.array([1, 2])))
print(sorted(m for m in sys.modules if m == "torch" or m.startswith("torch.")))
"""


def test_import_and_train_step_leave_torch_out():
    result = subprocess.run([sys.executable, "-c", PROGRAM], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]", f"torch was imported: {result.stdout}"


def enclosing_functions(tree):
    """Map each node to the name of the innermost function that contains it."""
    owner = {}

    def visit(node, name):
        for child in ast.iter_child_nodes(node):
            inner = child.name if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)) else name
            owner[child] = inner
            visit(child, inner)

    visit(tree, None)
    return owner


def test_torch_imports_only_inside_to_torch_or_build_builtin():
    offenders = []
    for path in CHECKED:
        tree = ast.parse(path.read_text())
        owner = enclosing_functions(tree)
        for node in ast.walk(tree):
            names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                     else [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            if any(n == "torch" or n.startswith("torch.") for n in names) and owner.get(node) not in ALLOWED:
                offenders.append(f"{path.name}:{node.lineno} in {owner.get(node)}")
    assert not offenders, f"torch imported outside to_torch/build_builtin: {offenders}"
