# Two entry points: `make ask Q="..."` and `make test`. Each creates .venv on first use.
VENV ?= .venv
PY := $(VENV)/bin/python
Q ?= What does the declaration say about protecting children online?

.PHONY: ask test index eval lint bench clean

$(VENV)/.installed: pyproject.toml
	python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	# the CPU build of torch first: a plain `torch` would pull a multi-GB CUDA build
	$(PY) -m pip install -q torch==2.13.0
	$(PY) -m pip install -q -e '.[test]'
	touch $@

ask: $(VENV)/.installed
	$(VENV)/bin/clausebot ask "$(Q)"

test: $(VENV)/.installed
	$(VENV)/bin/pytest -q

index: $(VENV)/.installed
	$(VENV)/bin/clausebot index

XQUAD := --corpus benchmarks/xquad-dev/corpus --index .clausebot/xquad-index

eval: $(VENV)/.installed
	$(VENV)/bin/clausebot eval ../shared/eval/dev.jsonl
	$(VENV)/bin/clausebot eval tests/questions.jsonl
	# the public benchmark (benchmarks/xquad-dev, CC BY-SA 4.0): about six minutes
	$(VENV)/bin/clausebot index $(XQUAD)
	$(VENV)/bin/clausebot eval $(XQUAD) benchmarks/xquad-dev/questions.jsonl

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check bot retrieval tests
	$(VENV)/bin/mypy

clean:
	rm -rf $(VENV) .clausebot
