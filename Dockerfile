# eid-idp container image: compiled JavaScript, production dependencies only, non-root.
FROM node:20-bookworm-slim AS build
WORKDIR /build
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY examples ./examples
RUN npx tsc -p tsconfig.build.json

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
RUN mkdir -p /var/lib/eid-idp && chown node:node /var/lib/eid-idp
USER node
VOLUME /var/lib/eid-idp
EXPOSE 8443 8444
# Loopback probe of the process itself; the certificate is the deployment's, not checked here.
HEALTHCHECK --interval=15s --timeout=3s --retries=3 CMD node -e "require('node:https').get({host:'127.0.0.1',port:8443,path:'/healthz',rejectUnauthorized:false},(r)=>process.exit(r.statusCode===200?0:1)).on('error',()=>process.exit(1))"
CMD ["node", "src/cli/main.js", "start"]
