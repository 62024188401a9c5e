# eid-idp container image: compiled JavaScript, production dependencies only, non-root.
# Used by docker-compose.yml (two replicas behind nginx); runs alone with the embedded
# defaults too (demo mode, TLS on 8443/8444).

# --- build: type-check and compile with the dev dependencies -------------------------------
FROM node:20-bookworm-slim AS build
WORKDIR /build
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY examples ./examples
RUN npx tsc -p tsconfig.build.json

# --- runtime: only what runs ---------------------------------------------------------------
FROM node:20-bookworm-slim
# openssl writes the demo citizen's .p12 on first start (demo mode only).
RUN apt-get update \
 && apt-get install -y --no-install-recommends openssl \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
ENV NODE_ENV=production \
    EID_IDP_DATA_DIR=/var/lib/eid-idp \
    EID_IDP_HOST=0.0.0.0
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY --from=build /build/dist/src ./src
COPY --from=build /build/dist/examples ./examples
COPY examples/demo-rp/views ./examples/demo-rp/views
COPY views ./views
COPY ca-bundle ./ca-bundle
COPY deploy/healthcheck.mjs ./deploy/healthcheck.mjs
RUN mkdir -p /var/lib/eid-idp /etc/eid-idp/trust && chown node:node /var/lib/eid-idp
USER node
VOLUME /var/lib/eid-idp
# 8443/8444: the two origins with TLS (direct); 8080/8081: the same behind a TLS-terminating
# proxy (listen.*.protocol: http); 9464: /metrics (metrics.listen).
EXPOSE 8443 8444 8080 8081 9464
# GET /healthz on the process's own OIDC listener (EID_IDP_OIDC_PROTOCOL / _PORT).
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s --retries=3 \
  CMD ["node", "deploy/healthcheck.mjs"]
# SIGTERM (docker stop) is a graceful shutdown: in-flight requests finish (shutdown.graceSeconds).
STOPSIGNAL SIGTERM
CMD ["node", "src/cli/main.js", "start"]
