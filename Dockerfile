# syntax=docker/dockerfile:1
# Image of the streaming sources (one ECS Fargate task per config, see serverless.yml):
# `connector run --config-env CONNECTOR_CONFIG` with CONNECTOR_TOPICS=kinesis, set by the task
# definition that lib/deploy generates. Build and push: scripts/build-image.sh (README, "Deploying").
ARG NODE_IMAGE=node:22-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /app
# better-sqlite3 (the local topic store) compiles when no prebuilt binary matches.
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json tsconfig.json tsconfig.build.json ./
# `npm ci` applies them (postinstall: patch-package; see patches/README.md).
COPY patches patches
COPY bin bin
COPY lib lib
COPY functions functions
COPY scripts scripts
COPY bench bench
RUN npm ci --no-audit --no-fund && npm prune --omit=dev --no-audit --no-fund

FROM ${NODE_IMAGE}
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules node_modules
COPY --from=build /app/dist dist
COPY --from=build /app/bin bin
# SmartModule files (.wasm) of the configs' transforms, at the paths the configs name them from
# (CONNECTOR_CONFIG_FILE=configs/x.yaml resolves ./m.wasm to /app/configs/m.wasm). The YAML is
# left out by .dockerignore: a task gets its config in CONNECTOR_CONFIG.
COPY configs configs
# SIGTERM (ECS stop, deployment) reaches node directly: the connector flushes and exits 0.
USER node
ENTRYPOINT ["node", "bin/connector.js"]
CMD ["run", "--config-env", "CONNECTOR_CONFIG"]
