# Paperboy in a container: `docker build -t paperboy .` from the repository alone.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
WORKDIR /app
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY adapters ./adapters
COPY storage ./storage
RUN pip install '.[postgres]' && useradd --create-home paperboy
USER paperboy

# SQLite in the container unless PAPERBOY_DATABASE_URL names PostgreSQL (compose.yaml does).
ENV PAPERBOY_DATABASE_URL=sqlite:////home/paperboy/paperboy.db \
    PAPERBOY_PLAYGROUND_HOST=0.0.0.0
EXPOSE 8787
HEALTHCHECK --interval=30s --timeout=5s CMD python -c "import os, urllib.request; \
port = os.environ.get('PAPERBOY_METRICS_PORT') or os.environ.get('PAPERBOY_PLAYGROUND_PORT', '8787'); \
token = os.environ.get('PAPERBOY_PLAYGROUND_TOKEN', ''); \
urllib.request.urlopen(f'http://127.0.0.1:{port}/healthz?token={token}', timeout=4)"
ENTRYPOINT ["paperboy"]
CMD ["run"]
