# syntax=docker/dockerfile:1
# cmpv2-operator image: build with the full toolchain, run on a slim Node.js 24 (the supported
# LTS line; the code also runs on Node.js 20.19+, where the tests run) as a non-root user.
# Tag it with package.json's version, which the chart's appVersion and deploy/ name:
#   docker build -t cmpv2-operator:0.1.0 .
ARG NODE_IMAGE=node:24-bookworm
ARG NODE_RUNTIME_IMAGE=node:24-bookworm-slim
FROM ${NODE_IMAGE} AS build
# The same folder as at run time: the code cache of `enroll` keeps the path it was made at.
WORKDIR /app
# Dependencies first, so a source change does not re-install them. `prepare` builds, so skip
# scripts here and build explicitly once the sources are in.
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts
COPY tsconfig*.json ./
COPY bin ./bin
COPY src ./src
# `npm run build` = tsc into dist/, then scripts/bundle.ts (esbuild, a devDependency) bundles the CLI
# into dist/bundle/, which bin/ runs: it starts faster than node resolving dist/ module by module.
# The libraries left outside the bundle (Kubernetes client, pino, prom-client, node-forge, yaml)
# stay in the pruned node_modules below.
# It also writes enroll's V8 code cache by enrolling against the development CA on 127.0.0.1
# (scripts/enrollCodeCache.ts); made with this image's node, it fits the runtime image's.
COPY scripts/bundle.ts scripts/enrollCodeCache.ts ./scripts/
RUN npm run build && npm prune --omit=dev --ignore-scripts

FROM ${NODE_RUNTIME_IMAGE} AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build --chown=0:0 /app/package.json ./package.json
COPY --from=build --chown=0:0 /app/node_modules ./node_modules
# What bin/ runs: the CLI bundle (dist/bundle/; tsc's module-by-module dist/ is not needed at run time).
COPY --from=build --chown=0:0 /app/dist/bundle ./dist/bundle
COPY --from=build --chown=0:0 /app/bin ./bin
# Files owned by root, process run as an unprivileged numeric user (runAsNonRoot can check it).
USER 65532:65532
EXPOSE 8080 8081
LABEL org.opencontainers.image.title="cmpv2-operator" \
      org.opencontainers.image.description="cert-manager issuer for CMPv2 CAs, and Java keystores from Kubernetes Secrets" \
      org.opencontainers.image.licenses="Apache-2.0"
ENTRYPOINT ["node", "bin/cmpv2-operator.js"]
CMD ["run"]
