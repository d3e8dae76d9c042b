import pytest

from bigmodels.data.published_models import LANDMARKS, by_year, growth_factor


def test_table_is_sorted_by_year():
    years, _ = by_year()
    assert years == sorted(years)


def test_counts_are_positive_and_names_unique():
    assert all(isinstance(m.parameters, int) and m.parameters > 0 for m in LANDMARKS)
    assert len({m.name for m in LANDMARKS}) == len(LANDMARKS)


def test_every_row_cites_a_key():
    assert all(m.citation and " " not in m.citation for m in LANDMARKS)


def test_growth_factor():
    assert growth_factor("LeNet-5", "GPT-3") == pytest.approx(175e9 / 60e3)
    with pytest.raises(ValueError, match="unknown landmark"):
        growth_factor("LeNet-5", "GPT-9")
