# One image for the API and the worker (two commands, see docker-compose.yml).
# Build stage: compile TypeScript, bundle the workflows once, bundle the console.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY catalog ./catalog
COPY workflows ./workflows
COPY activities ./activities
COPY api ./api
COPY worker ./worker
COPY store ./store
COPY telemetry ./telemetry
COPY simulator ./simulator
COPY scripts/bundle-workflows.ts scripts/build-console.ts ./scripts/
COPY console ./console
RUN npx tsc -p tsconfig.build.json && node dist/scripts/bundle-workflows.js && npx ts-node --transpile-only scripts/build-console.ts

# Runtime stage: production dependencies only, non-root.
FROM node:20-bookworm-slim
# MALLOC_ARENA_MAX=2: glibc's per-thread malloc arenas (Temporal's Rust core runs many threads) held
# the worker about 200 MiB more at 10,000 idle workflows (README, Benchmarks).
ENV NODE_ENV=production \
    MALLOC_ARENA_MAX=2 \
    WORKFLOW_BUNDLE_PATH=/app/dist/workflow-bundle.js \
    API_HOST=0.0.0.0 \
    API_PORT=8080
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
# The operator console's bundle, served by the API at /console.
COPY --from=build /app/console/dist ./console/dist
USER node
EXPOSE 8080
HEALTHCHECK --interval=15s --timeout=5s --start-period=20s \
  CMD node -e "fetch('http://127.0.0.1:'+(process.env.API_PORT||8080)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
# The API by default; the worker runs the same image with: node dist/worker/main.js
CMD ["node", "dist/api/main.js"]
