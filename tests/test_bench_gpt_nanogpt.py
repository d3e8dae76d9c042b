"""bench_gpt_nanogpt.py chooses its text: the book's plays, or any file given with --text."""

import importlib.util
import pathlib

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
