# SAM2 segmentation service (sam2-service/). Build from the repository root:
#   docker build -f docker/sam2-service.Dockerfile -t ohif-sam2/sam2-service .              # CPU (default target)
#   docker build -f docker/sam2-service.Dockerfile --target gpu -t ohif-sam2/sam2-service:gpu .  # CUDA 12 + cuDNN 9
# Model weights are not in the image: mount a writable volume at /models. On its first start with an empty
# volume the service downloads SAM2_MODEL_VARIANT into it (sha256-verified, resumable) unless
# SAM2_MODEL_AUTO_FETCH=false; air-gapped sites pre-seed the volume, e.g. with the same image:
#   node sam2-service/dist/scripts/fetchModel.js   (the model-fetch service of docker-compose.yml)
# Every command below is the one the repository's tests run natively (docker/test/images.test.ts checks it).
# MALLOC_*: glibc allocator settings that return freed request memory to the OS (sam2-service/src/allocatorEnv.ts,
# the same values docker-compose.yml and `npm start` use; docs/deployment.md#memory has the figures).

ARG NODE_IMAGE=node:20-bookworm-slim
ARG CUDA_IMAGE=nvidia/cuda:12.4.1-cudnn-runtime-ubuntu22.04

# ---------------------------------------------------------------------------------------------------
# build: all dependencies (dev included), TypeScript compiled to sam2-service/dist.
FROM ${NODE_IMAGE} AS build
WORKDIR /app
# onnxruntime-node bundles its CPU runtime; its install step would only download the CUDA files.
ENV ONNXRUNTIME_NODE_INSTALL=skip
COPY package.json package-lock.json tsconfig.base.json ./
COPY sam2-service/package.json sam2-service/package.json
COPY extension/package.json extension/package.json
COPY mode/package.json mode/package.json
COPY viewer/package.json viewer/package.json
COPY packages/http-shutdown/package.json packages/http-shutdown/package.json
COPY packages/ct-anatomy/package.json packages/ct-anatomy/package.json
RUN npm ci --no-audit --no-fund
COPY sam2-service/tsconfig.json sam2-service/tsconfig.build.json sam2-service/openapi.json sam2-service/
COPY sam2-service/src sam2-service/src
COPY sam2-service/scripts sam2-service/scripts
COPY packages/http-shutdown/tsconfig.json packages/http-shutdown/
COPY packages/http-shutdown/src packages/http-shutdown/src
# (the anatomy rules: only the evaluation scripts import them; the service itself does not)
COPY packages/ct-anatomy/tsconfig.json packages/ct-anatomy/
COPY packages/ct-anatomy/src packages/ct-anatomy/src
RUN npm run build -w packages/http-shutdown -w packages/ct-anatomy -w sam2-service

# ---------------------------------------------------------------------------------------------------
# prod-deps: the service's production dependencies only (no TypeScript, jest, esbuild, viewer deps).
FROM ${NODE_IMAGE} AS prod-deps
WORKDIR /app
ENV ONNXRUNTIME_NODE_INSTALL=skip
COPY package.json package-lock.json ./
COPY sam2-service/package.json sam2-service/package.json
COPY extension/package.json extension/package.json
COPY mode/package.json mode/package.json
COPY viewer/package.json viewer/package.json
COPY packages/http-shutdown/package.json packages/http-shutdown/package.json
COPY packages/ct-anatomy/package.json packages/ct-anatomy/package.json
RUN npm ci --omit=dev --workspace=sam2-service --no-audit --no-fund \
 && mkdir -p sam2-service/node_modules \
 && rm -rf node_modules/onnxruntime-node/bin/napi-v6/darwin node_modules/onnxruntime-node/bin/napi-v6/win32 \
 && npm cache clean --force

# prod-deps-gpu: the same, with onnxruntime-node's CUDA 12 execution provider (downloaded by its install
# step; linux/x64 only).
FROM ${NODE_IMAGE} AS prod-deps-gpu
WORKDIR /app
ENV ONNXRUNTIME_NODE_INSTALL=cuda12
COPY package.json package-lock.json ./
COPY sam2-service/package.json sam2-service/package.json
COPY extension/package.json extension/package.json
COPY mode/package.json mode/package.json
COPY viewer/package.json viewer/package.json
COPY packages/http-shutdown/package.json packages/http-shutdown/package.json
COPY packages/ct-anatomy/package.json packages/ct-anatomy/package.json
RUN npm ci --omit=dev --workspace=sam2-service --no-audit --no-fund \
 && test -f node_modules/onnxruntime-node/bin/napi-v6/linux/x64/libonnxruntime_providers_cuda.so \
 && mkdir -p sam2-service/node_modules \
 && rm -rf node_modules/onnxruntime-node/bin/napi-v6/darwin node_modules/onnxruntime-node/bin/napi-v6/win32 \
 && npm cache clean --force

# ---------------------------------------------------------------------------------------------------
# app: the files the service runs from, laid out as in the repository (cwd /app = repository root).
FROM ${NODE_IMAGE} AS app
WORKDIR /app
COPY package.json ./
COPY sam2-service/package.json sam2-service/openapi.json sam2-service/
COPY --from=build /app/sam2-service/dist sam2-service/dist
COPY packages/http-shutdown/package.json packages/http-shutdown/
COPY --from=build /app/packages/http-shutdown/dist packages/http-shutdown/dist
COPY docker/scripts/healthcheck.js docker/scripts/healthcheck.js

# ---------------------------------------------------------------------------------------------------
# gpu: CUDA 12 + cuDNN 9 runtime, the same Node 20 binary as the CPU image, SAM2_DEVICE=cuda.
# If CUDA cannot be used at run time the service falls back to the CPU and says so in its log and /health.
FROM ${CUDA_IMAGE} AS gpu
COPY --from=build /usr/local/bin/node /usr/local/bin/node
RUN node --version \
 && groupadd --gid 1000 node \
 && useradd --uid 1000 --gid node --home-dir /app --shell /usr/sbin/nologin --no-create-home node \
 && mkdir -p /models \
 && chown node:node /models
WORKDIR /app
COPY --from=app /app /app
# (npm keeps a workspace's own version of a dependency in sam2-service/node_modules when versions differ)
COPY --from=prod-deps-gpu /app/node_modules node_modules
COPY --from=prod-deps-gpu /app/sam2-service/node_modules sam2-service/node_modules
ENV NODE_ENV=production \
    SAM2_HOST=0.0.0.0 \
    SAM2_PORT=5005 \
    SAM2_MODEL_DIR=/models/sam2.1-hiera-tiny \
    SAM2_DEVICE=cuda \
    MALLOC_ARENA_MAX=2 \
    MALLOC_MMAP_THRESHOLD_=131072 \
    MALLOC_TRIM_THRESHOLD_=131072
USER node
EXPOSE 5005
VOLUME ["/models"]
HEALTHCHECK --interval=15s --timeout=5s --start-period=180s --retries=3 CMD ["node", "docker/scripts/healthcheck.js"]
CMD ["node", "sam2-service/dist/src/index.js"]

# ---------------------------------------------------------------------------------------------------
# cpu (default target): node:20-slim, non-root, CPU execution provider.
FROM ${NODE_IMAGE} AS cpu
RUN mkdir -p /models && chown node:node /models
WORKDIR /app
COPY --from=app /app /app
COPY --from=prod-deps /app/node_modules node_modules
COPY --from=prod-deps /app/sam2-service/node_modules sam2-service/node_modules
ENV NODE_ENV=production \
    SAM2_HOST=0.0.0.0 \
    SAM2_PORT=5005 \
    SAM2_MODEL_DIR=/models/sam2.1-hiera-tiny \
    SAM2_DEVICE=cpu \
    MALLOC_ARENA_MAX=2 \
    MALLOC_MMAP_THRESHOLD_=131072 \
    MALLOC_TRIM_THRESHOLD_=131072
USER node
EXPOSE 5005
VOLUME ["/models"]
HEALTHCHECK --interval=15s --timeout=5s --start-period=180s --retries=3 CMD ["node", "docker/scripts/healthcheck.js"]
CMD ["node", "sam2-service/dist/src/index.js"]
