# The image docker-compose.yml runs for the action server, the Rasa servers, the web server and the
# retention purges (PostgreSQL, Redis and nginx are their own official images). It installs the pinned
# packages (requirements.lock) and builds what `make build` builds; the model is the one in models/
# when there is one (`make train` first), else it is trained here. The code is read-only for the
# service's user; only build/ (logs, nothing else is written there in a container) is its own.
FROM node:20-bookworm-slim AS frontend
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund --loglevel=error

FROM python:3.10-slim-bookworm
ENV PYTHONUNBUFFERED=1 PYTHONPATH=/app PIP_DISABLE_PIP_VERSION_CHECK=1 TF_CPP_MIN_LOG_LEVEL=2 \
    SQLALCHEMY_SILENCE_UBER_WARNING=1 RASA_TELEMETRY_ENABLED=false HOME=/app/build/home
WORKDIR /app
COPY requirements.lock ./
RUN pip install --no-cache-dir "pip==24.0" && pip install --no-cache-dir -r requirements.lock
COPY . .
COPY --from=frontend /src/node_modules/govuk-frontend node_modules/govuk-frontend
RUN python -m knowledge.build && python -m knowledge.nlp && python -m safety.model \
    && if [ ! -f models/family-help.tar.gz ]; then \
         rasa train --domain domain --fixed-model-name family-help --out models; fi
RUN useradd --system --uid 10001 --no-create-home --home-dir /app/build/home family-help \
    && mkdir -p /app/build/home /app/build/logs && chown -R family-help /app/build/home /app/build/logs
USER family-help
EXPOSE 5005 5055 8080
