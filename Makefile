# Two entry points: `make ask Q="..."` and `make test`. Each creates .venv on first use.
VENV ?= .venv
PY := $(VENV)/bin/python
Q ?= What does the declaration say about protecting children online?

.PHONY: ask test postgres ocr index eval lint bench align clean

$(VENV)/.installed: pyproject.toml $(wildcard retrieval/csrc/*.c retrieval/csrc/*.h)
	python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	# the CPU build of torch first: a plain `torch` would pull a multi-GB CUDA build
	$(PY) -m pip install -q torch==2.13.0
	$(PY) -m pip install -q -e '.[test]'
	touch $@

# The word bridge's table of common words (retrieval/word_table.py): embedded once for the
# install, about a minute, so that a question's common words are not embedded with it.
# Without it every answer is the same, only slower the first time a word is met: a failure
# here is reported and tried again next time, and stops nothing. The tests do without it
# (they turn it off), so `make test` does not make it.
$(VENV)/.word-table: $(VENV)/.installed retrieval/data/common-words.txt
	@echo "embedding the common words' table, once for this install (about a minute)"
	@if $(VENV)/bin/clausebot words; then touch $@; else \
	  echo "no word table made: questions embed every new word (the same answers, slower)"; fi

# The answer first, then the table: a new install answers as soon as it is set up (the
# table changes no answer), and makes the table while the answer is read.
ask: $(VENV)/.installed
	$(VENV)/bin/clausebot ask "$(Q)"
	@$(MAKE) --no-print-directory $(VENV)/.word-table

test: $(VENV)/.installed postgres ocr
	$(VENV)/bin/pytest -q

# The PostgreSQL tests start a throwaway server of Debian's postgresql package (tests/
# postgres_server.py); as root, this installs the package when it is missing.
postgres:
	@if ! command -v initdb >/dev/null 2>&1 && ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null; \
	  else \
	    echo "PostgreSQL is not installed: run 'sudo apt-get install postgresql', or the PostgreSQL tests fail"; \
	  fi; \
	fi

# A scanned PDF's pages are read by OCR (retrieval/pdf_ocr.py) with Debian's tesseract-ocr,
# its Azerbaijani, Russian and Turkish data, and poppler-utils' pdftoppm; as root, this
# installs them when they are missing (without them a scan is refused, naming them).
OCR_PACKAGES := tesseract-ocr tesseract-ocr-aze tesseract-ocr-rus tesseract-ocr-tur poppler-utils
ocr:
	@if ! command -v tesseract >/dev/null 2>&1 || ! command -v pdftoppm >/dev/null 2>&1; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(OCR_PACKAGES) >/dev/null; \
	  else \
	    echo "OCR tools are not installed: run 'sudo apt-get install $(OCR_PACKAGES)', or the OCR tests fail"; \
	  fi; \
	fi

index: $(VENV)/.installed $(VENV)/.word-table
	$(VENV)/bin/clausebot index

XQUAD := --corpus benchmarks/xquad-dev/corpus --index .clausebot/xquad-index
RUSSIAN := --corpus benchmarks/bundled-ru/corpus --index .clausebot/bundled-ru-index
AZERBAIJANI := --corpus benchmarks/bundled-az/corpus --index .clausebot/bundled-az-index
LICENCES := --corpus benchmarks/licences/corpus --index .clausebot/licences-index
PDFS := --corpus benchmarks/bundled-pdf/corpus --index .clausebot/bundled-pdf-index
MIXED := --corpus .clausebot/mixed-corpus --index .clausebot/mixed-index
VERSIONS := --corpus .clausebot/versions-corpus --index .clausebot/versions-index

eval: $(VENV)/.installed $(VENV)/.word-table
	$(VENV)/bin/clausebot eval ../shared/eval/dev.jsonl
	$(VENV)/bin/clausebot eval tests/questions.jsonl
	# the public benchmark (benchmarks/xquad-dev, CC BY-SA 4.0): about six minutes
	$(VENV)/bin/clausebot index $(XQUAD)
	$(VENV)/bin/clausebot eval $(XQUAD) benchmarks/xquad-dev/questions.jsonl
	# the bundled corpus in Russian (benchmarks/bundled-ru): a corpus not in English
	$(VENV)/bin/clausebot index $(RUSSIAN)
	$(VENV)/bin/clausebot eval $(RUSSIAN) benchmarks/bundled-ru/questions.jsonl
	# and in Azerbaijani (benchmarks/bundled-az)
	$(VENV)/bin/clausebot index $(AZERBAIJANI)
	$(VENV)/bin/clausebot eval $(AZERBAIJANI) benchmarks/bundled-az/questions.jsonl
	# lists of legal conditions (benchmarks/licences): items under the sentence opening them
	$(VENV)/bin/clausebot index $(LICENCES)
	$(VENV)/bin/clausebot eval $(LICENCES) benchmarks/licences/questions.jsonl
	# the bundled corpus as PDF (benchmarks/bundled-pdf): the own set, as from the text
	$(VENV)/bin/clausebot index $(PDFS)
	$(VENV)/bin/clausebot eval $(PDFS) tests/questions.jsonl
	# documents in several languages: the benchmark's English articles with the bundled
	# corpus in Russian added, asked the own set (its clauses expected in the Russian) and
	# the benchmark's questions
	rm -rf .clausebot/mixed-corpus && mkdir -p .clausebot/mixed-corpus
	cp benchmarks/xquad-dev/corpus/*.txt benchmarks/bundled-ru/corpus/*.txt .clausebot/mixed-corpus/
	$(VENV)/bin/clausebot index $(MIXED)
	$(VENV)/bin/clausebot eval $(MIXED) benchmarks/bundled-ru/questions.jsonl
	$(VENV)/bin/clausebot eval $(MIXED) benchmarks/xquad-dev/questions.jsonl
	# the bundled corpus beside its Russian and Azerbaijani translations, asked the own set,
	# each question expecting its own language's clause (benchmarks/bundled-versions)
	rm -rf .clausebot/versions-corpus && mkdir -p .clausebot/versions-corpus
	cp corpus/*.txt benchmarks/bundled-ru/corpus/*.txt benchmarks/bundled-az/corpus/*.txt \
		.clausebot/versions-corpus/
	$(VENV)/bin/clausebot index $(VERSIONS)
	$(VENV)/bin/clausebot eval $(VERSIONS) benchmarks/bundled-versions/questions.jsonl

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check bot retrieval tests benchmarks training
	$(VENV)/bin/mypy

# Train the aligned question reader again (retrieval/aligned.py): retrieval/data/e5-questions.npz
# from the message catalogues of free software under /usr/share/locale, on the CPU
align: $(VENV)/.installed
	$(PY) training/align_questions.py

clean:
	rm -rf $(VENV) .clausebot
