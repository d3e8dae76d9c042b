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
