# Micromentor: a small image with the wheel built from this repository, run as a non-root user.
#   docker build -t micromentor .          (add --build-arg EXTRAS=charts for the digest chart)
#   docker compose up                     (the bot with PostgreSQL; see compose.yaml)
FROM python:3.12-slim AS build
WORKDIR /src
COPY pyproject.toml README.md LICENSE constraints.txt ./
COPY bot ./bot
COPY adapters ./adapters
COPY storage ./storage
COPY schedules ./schedules
RUN pip wheel --no-cache-dir --no-deps --wheel-dir /wheels .

FROM python:3.12-slim
ARG EXTRAS=""
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PORT=3000 \
    MICROMENTOR_LOG_FORMAT=json
COPY --from=build /wheels /wheels
COPY constraints.txt /tmp/constraints.txt
RUN pip install --no-cache-dir -c /tmp/constraints.txt \
        "$(ls /wheels/micromentor-*.whl)${EXTRAS:+[$EXTRAS]}" \
    && rm -rf /wheels /tmp/constraints.txt \
    && useradd --create-home --uid 10001 micromentor
USER micromentor
WORKDIR /home/micromentor
COPY --chown=micromentor bot.toml ./bot.toml
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD python -c "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/healthz' % os.environ.get('PORT', '3000'), timeout=4)"
ENTRYPOINT ["micromentor"]
CMD ["run"]
