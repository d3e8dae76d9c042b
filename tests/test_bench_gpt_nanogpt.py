"""bench_gpt_nanogpt.py chooses its text: the book's plays, or any file given with --text; --nanogpt runs a
nanoGPT checkout through a launcher that only shifts its seed, and maps its parameter names onto the book's GPT."""

import importlib.util
import pathlib
import subprocess
import sys

import pytest

from bigmodels.data.corpora import SHAKESPEARE_CHARS

ROOT = pathlib.Path(__file__).resolve().parents[1]
spec = importlib.util.spec_from_file_location("bench_gpt_nanogpt", ROOT / "benchmarks" / "bench_gpt_nanogpt.py")
bench = importlib.util.module_from_spec(spec)
spec.loader.exec_module(bench)


def choose(*argv):
    parser = bench.make_parser()
    return bench.text_and_results_file(parser.parse_args(argv), parser)


def test_default_is_the_book_plays():
    text, results_file = choose()
    assert len(text) == SHAKESPEARE_CHARS and results_file == "gpt_nanogpt.txt"
    assert choose("--folds", "0", "3")[1] == "gpt_nanogpt_folds.txt"


def test_text_option_reads_the_given_file(tmp_path):
    content = "ROMEO:\nBut soft, what light through yonder window breaks?\n\n" * 20
    (tmp_path / "input.txt").write_text(content, encoding="utf-8")
    assert choose("--text", str(tmp_path / "input.txt")) == (content, "gpt_nanogpt_text_input.txt")


@pytest.mark.parametrize("make_argv, message", [
    (lambda tmp: ["--text", str(tmp / "missing.txt")], "missing.txt does not exist"),
    (lambda tmp: ["--text", str(tmp / "short.txt")], "expected at least 650 characters"),
    (lambda tmp: ["--text", str(tmp / "short.txt"), "--folds", "0"], "cannot be combined with --text"),
])
def test_text_option_fails_clearly(tmp_path, capsys, make_argv, message):
    (tmp_path / "short.txt").write_text("too short", encoding="utf-8")
    with pytest.raises(SystemExit) as exit_info:
        choose(*make_argv(tmp_path))
    assert exit_info.value.code == 2 and message in capsys.readouterr().err


def test_nanogpt_option_needs_a_checkout(tmp_path, capsys):
    with pytest.raises(SystemExit):
        choose("--nanogpt", str(tmp_path))
    assert "expected a nanoGPT checkout" in capsys.readouterr().err
    (tmp_path / "train.py").write_text("")
    (tmp_path / "model.py").write_text("")
    assert choose("--nanogpt", str(tmp_path))[1] == "gpt_nanogpt.txt"
    with pytest.raises(SystemExit):
        choose("--nanogpt", str(tmp_path), "--folds", "0")


def test_nanogpt_parameter_names_map_onto_the_book_gpt():
    """karpathy/nanoGPT's model.py names (n_layer 4, bias False, tied head) load strictly into the book's GPT."""
    model = bench.make_model(76)
    names = ["transformer.wte.weight", "transformer.wpe.weight", "transformer.ln_f.weight", "lm_head.weight"]
    for i in range(4):
        names += [f"transformer.h.{i}.{n}.weight" for n in ("ln_1", "attn.c_attn", "attn.c_proj", "ln_2",
                                                             "mlp.c_fc", "mlp.c_proj")]
    book = model.state_dict()
    renamed = bench.book_state_dict({"_orig_mod." + n: n for n in names})  # book name -> nanoGPT name
    assert sorted(renamed) == sorted(book)
    model.load_state_dict(bench.book_state_dict({n: book[book_name] for book_name, n in renamed.items()}))


def test_nanogpt_launcher_shifts_only_the_seed(tmp_path):
    """The launcher runs train.py unchanged; its torch.manual_seed(1337) becomes the requested seed."""
    (tmp_path / "train.py").write_text("import sys, torch\ntorch.manual_seed(1337)\n"
                                       "print(torch.initial_seed(), torch.get_num_threads(), sys.argv)\n")
    done = subprocess.run([sys.executable, "-c", bench.NANOGPT_LAUNCHER, "7", "1", "config.py", "--x=1"],
                          cwd=tmp_path, capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["7", "1", "['train.py',", "'config.py',", "'--x=1']"]
