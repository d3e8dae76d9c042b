"""The first cell of every chapter says when the environment is not the one that produced its outputs."""

import warnings

import bigmodels.notebook as notebook


def test_the_book_environment_has_nothing_to_report():
    assert notebook.check_environment() == []


def test_other_versions_and_a_missing_lock_are_named(tmp_path):
    lock = tmp_path / "requirements.lock"
    lock.write_text("numpy==1.0.0\ntorch==0.1\nunrelated==9\n")
    problems = notebook.check_environment(lock)
    assert len(problems) == 2 and problems[0].startswith("numpy ") and "1.0.0" in problems[0]
    assert "torch" in problems[1] and "0.1" in problems[1]
    missing = notebook.check_environment(tmp_path / "nowhere.lock")
    assert missing and "outside the book's repository" in missing[-1]


def test_setup_warns_with_the_fix(monkeypatch):
    monkeypatch.setattr(notebook, "check_environment", lambda: ["numpy 1.0 (the stored outputs come from 2.4.6)"])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        notebook.setup()
    assert len(caught) == 1 and "make lab" in str(caught[0].message) and "numpy 1.0" in str(caught[0].message)


def test_figures_describe_themselves_and_the_site_reads_it_back():
    import importlib.util
    import io
    import pathlib

    import matplotlib

    matplotlib.use("agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 2)
    axes[0].plot([1, 2], label="train")
    axes[0].legend()
    axes[0].set(title="Loss", xlabel="step", ylabel="nats")
    fig.suptitle("Attention weights")
    text = notebook.describe_figure(fig)
    assert text == "Figure. Attention weights. panel 1 of 2: Loss; x: step; y: nats; lines: train"
    site = pathlib.Path(__file__).resolve().parents[1] / "book" / "_ext" / "offline_site.py"
    spec = importlib.util.spec_from_file_location("offline_site", site)
    offline_site = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(offline_site)
    for words in (text, "Figure. 注意力 (UTF-8, an iTXt chunk)"):
        png = io.BytesIO()
        fig.savefig(png, format="png", metadata={"Description": words})
        assert offline_site.png_description(png.getvalue()) == words
    plt.close(fig)
    assert notebook.describe_figure(plt.figure()) == "Figure (no title or labels)"
