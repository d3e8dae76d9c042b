"""The twins stand alone and stay twins: bigmodels.nn and bigmodels.scratch never import each other, every
model has a same-named twin (or a stated reason), and every twin of a torch.nn built-in takes its arguments
in torch's order and under torch's names."""

import ast
import importlib
import inspect
import pathlib
import pkgutil
import typing

import pytest
import torch

import bigmodels
from bigmodels import convert, nn, scratch

PACKAGE = pathlib.Path(bigmodels.__file__).parent


# -- (a) no import between the twins ------------------------------------------------------------------------
def imported_modules(source, package):
    """Absolute names of every module (and every `from X import name` as X.name) imported by source, a module
    of `package` (e.g. "bigmodels.nn")."""
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package.split(".")[: len(package.split(".")) - node.level + 1] if node.level else []
            module = ".".join(base + ([node.module] if node.module else []))
            yield module
            yield from (f"{module}.{alias.name}" for alias in node.names)


def crossings(side, other):
    """'file: module' for every import of bigmodels.<other> in a module of bigmodels.<side>."""
    found = []
    for path in sorted((PACKAGE / side).glob("*.py")):
        for module in imported_modules(path.read_text(encoding="utf-8"), f"bigmodels.{side}"):
            if module == f"bigmodels.{other}" or module.startswith(f"bigmodels.{other}."):
                found.append(f"{side}/{path.name}: {module}")
    return found


@pytest.mark.parametrize("side,other", [("nn", "scratch"), ("scratch", "nn")])
def test_the_twins_do_not_import_each_other(side, other):
    assert crossings(side, other) == []


def test_import_finder_sees_every_spelling():
    spellings = ["from ..scratch import layers", "from .. import scratch", "from ..scratch.rnn import LSTM",
                 "import bigmodels.scratch.rnn", "from bigmodels.scratch import LSTM"]
    for source in spellings:
        assert any(m.startswith("bigmodels.scratch") for m in imported_modules(source, "bigmodels.nn")), source
    neutral = "from ..validate import describe\nfrom . import layers"
    assert not any(m.startswith("bigmodels.scratch") for m in imported_modules(neutral, "bigmodels.nn"))


# -- (b) torch's argument order and names ---------------------------------------------------------------------
EXTRA_KEYWORDS = {"dtype", "rng"}  # scratch: NumPy dtype and generator (torch: dtype, if any; torch.manual_seed)
EXTRA_FORWARD_KEYWORDS = {"lengths", "return_gates"}  # RNN/LSTM: padded batches, chapter 3.3's gate plots
EXTRA_KEYWORDS_BY_CLASS = {"nn.MultiheadAttention": {"fused"}}  # attention through torch's fused kernel
# torch.nn.functional.scaled_dot_product_attention is a builtin without a signature: its documented one
SDPA = ("query", "key", "value", "attn_mask", "dropout_p", "is_causal", "scale", "enable_gqa")


def parameters(function):
    """(positional names, keyword-only names) of a signature, without self; '*' stands for *args."""
    if function in (torch.nn.Module.__init__, object.__init__):
        return [], set()  # a class that takes no arguments
    positional, keyword = [], set()
    for p in inspect.signature(function).parameters.values():
        if p.name == "self" or p.kind is p.VAR_KEYWORD:
            continue
        if p.kind is p.VAR_POSITIONAL:
            positional.append("*")
        elif p.kind is p.KEYWORD_ONLY:
            keyword.add(p.name)
        else:
            positional.append(p.name)
    return positional, keyword


def torch_init(builtin):
    """The constructor of a torch.nn class; RNN and LSTM declare theirs as an overload over (*args, **kwargs)."""
    overloads = typing.get_overloads(builtin.__init__)
    return overloads[0] if overloads else builtin.__init__


def signature_problems(label, function, reference, extra_keywords, exempt_first=False):
    """How function's signature departs from reference's: its positional parameters must be a prefix of
    reference's (the first one's name exempt where torch calls it `input`), its keyword-only ones torch's names."""
    positional, keyword = parameters(function)
    ref_positional, ref_keyword = parameters(reference) if callable(reference) else (list(reference), set())
    if exempt_first and positional and ref_positional and ref_positional[0] == "input":
        positional = ref_positional[:1] + positional[1:]
    problems = []
    if positional != ref_positional[: len(positional)]:
        problems.append(f"{label}: positional {positional} is not a prefix of torch's {ref_positional}")
    unknown = keyword - set(ref_positional) - ref_keyword - extra_keywords
    if unknown:
        problems.append(f"{label}: keyword-only {sorted(unknown)} not in torch's signature")
    return problems


BUILTIN_TWINS = sorted(convert.ARGUMENTS) + ["Sequential", "MSELoss", "CrossEntropyLoss", "BCEWithLogitsLoss"]


def twins(name):
    """(label, class) of scratch.<name> and nn.<name> where they exist (nn uses torch's own Dropout, Sequential)."""
    return [(f"{side.__name__.split('.')[-1]}.{name}", getattr(side, name)) for side in (scratch, nn)
            if hasattr(side, name)]


@pytest.mark.parametrize("name", BUILTIN_TWINS)
def test_constructor_and_forward_follow_torch(name):
    builtin = getattr(torch.nn, name)
    problems = []
    for label, cls in twins(name):
        extra = EXTRA_KEYWORDS | EXTRA_KEYWORDS_BY_CLASS.get(label, set())
        problems += signature_problems(label, cls.__init__, torch_init(builtin), extra)
        problems += signature_problems(f"{label}.forward", cls.forward, builtin.forward, EXTRA_FORWARD_KEYWORDS,
                                       exempt_first=True)
    assert problems == []


def test_every_builtin_twin_has_a_scratch_class():
    assert [name for name in BUILTIN_TWINS if not hasattr(scratch, name)] == []


def test_scaled_dot_product_attention_follows_torch():
    problems = signature_problems("scratch", scratch.scaled_dot_product_attention, SDPA, EXTRA_KEYWORDS)
    problems += signature_problems("nn", nn.scaled_dot_product_attention, SDPA, set())
    assert problems == []


def test_signature_check_catches_drift():
    def swapped(self, embed_dim, num_heads, dropout=0.0, bias=True, batch_first=False): ...

    def renamed(self, layer, num_layers, norm=None): ...

    def unknown_keyword(self, in_features, out_features, bias=True, *, seed=0): ...

    assert signature_problems("x", swapped, torch.nn.MultiheadAttention.__init__, set())
    assert signature_problems("x", renamed, torch.nn.TransformerEncoder.__init__, set())
    assert signature_problems("x", unknown_keyword, torch.nn.Linear.__init__, set())


# -- (c) every model has its twin -----------------------------------------------------------------------------
SCRATCH_ONLY = {
    "Dropout": "nn uses torch.nn.Dropout: a random mask has no formula to write out",
    "Sequential": "nn uses torch.nn.Sequential (nn.MLP returns one)",
    "ScaledDotProductAttention": "a layer only to keep what the explicit backward needs; nn has the function",
    "Residual": "wiring for the explicit backward; nn's TransformerLayer.residual is one line under autograd",
    "Loss": "the base class of the scratch losses (forward and backward); nn's losses are torch.nn.Modules",
    "LSTMLanguageModel": "its torch twin is bigmodels.pretraining.LSTMLanguageModel, trained in chapter 6.1",
    "BagOfVectors": "its torch twin is bigmodels.word_vectors.BagOfVectors, trained in chapter 6.1",
    "Optimizer": "nn trains with torch.optim",
    "SGD": "nn trains with torch.optim.SGD",
    "Adam": "nn trains with torch.optim.Adam",
    "AdamW": "nn trains with torch.optim.AdamW",
}
NN_ONLY = {
    "Seq2SeqTransformer": "wires twinned parts together; its docstring says why it has no NumPy twin",
    "SmallCNN": "built from torch's Conv2d: the book writes no convolution from scratch (no CNN chapter)",
}


def public_classes(package):
    """Names of the public classes defined in the modules of package."""
    names = set()
    for info in pkgutil.iter_modules(package.__path__):
        module = importlib.import_module(f"{package.__name__}.{info.name}")
        names |= {name for name, obj in vars(module).items()
                  if inspect.isclass(obj) and obj.__module__ == module.__name__ and not name.startswith("_")}
    return names


def test_every_model_has_a_twin_of_the_same_name():
    scratch_classes, nn_classes = public_classes(scratch), public_classes(nn)
    assert sorted(scratch_classes - nn_classes - set(SCRATCH_ONLY)) == []
    assert sorted(nn_classes - scratch_classes - set(NN_ONLY)) == []
    assert sorted(set(SCRATCH_ONLY) - scratch_classes) == [], "allow-list entries without a class"
    assert sorted(set(NN_ONLY) - nn_classes) == [], "allow-list entries without a class"
