# syntax=docker/dockerfile:1
# cmpv2-operator image: build with the full toolchain, run on a slim Node 20 as a non-root user.
#   docker build -t cmpv2-operator:latest .
FROM node:20-bookworm AS build
WORKDIR /src
# Dependencies first, so a source change does not re-install them. `prepare` builds, so skip
# scripts here and build explicitly once the sources are in.
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts
COPY tsconfig*.json ./
COPY bin ./bin
COPY src ./src
RUN npm run build && npm prune --omit=dev --ignore-scripts

FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build --chown=0:0 /src/package.json ./package.json
COPY --from=build --chown=0:0 /src/node_modules ./node_modules
COPY --from=build --chown=0:0 /src/dist ./dist
COPY --from=build --chown=0:0 /src/bin ./bin
# Files owned by root, process run as an unprivileged numeric user (runAsNonRoot can check it).
USER 65532:65532
EXPOSE 8080 8081
ENTRYPOINT ["node", "bin/cmpv2-operator.js"]
CMD ["run"]
