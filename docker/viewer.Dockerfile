# The stock prebuilt OHIF 3.13.2 viewer + the SAM2 extension and mode, served by nginx with same-origin
# proxies to sam2-service (/api/segmentation/) and Orthanc's DICOMweb API (/dicom-web/).
#   docker build -f docker/viewer.Dockerfile -t ohif-sam2/viewer .
# At container start the official nginx entrypoint runs docker/nginx/10-ohif-sam2-env.envsh (derived
# variables), docker/nginx/15-ohif-sam2-csp.envsh (the Content-Security-Policy), renders
# docker/nginx/default.conf.template with envsubst, and runs
# docker/nginx/30-ohif-sam2-app-config.sh (app-config.js from SAM2_ENABLED, SAM2_MODALITIES, ...).

ARG NODE_IMAGE=node:20-bookworm-slim
ARG NGINX_IMAGE=nginx:1.27-bookworm

# ---------------------------------------------------------------------------------------------------
# build: the extension and mode bundles (esbuild), the viewer workspace, and the pinned OHIF viewer.
FROM ${NODE_IMAGE} AS build
WORKDIR /app
ENV ONNXRUNTIME_NODE_INSTALL=skip
COPY package.json package-lock.json tsconfig.base.json ./
COPY sam2-service/package.json sam2-service/package.json
COPY extension/package.json extension/package.json
COPY mode/package.json mode/package.json
COPY viewer/package.json viewer/package.json
COPY packages/http-shutdown/package.json packages/http-shutdown/package.json
COPY packages/ct-anatomy/package.json packages/ct-anatomy/package.json
RUN npm ci --no-audit --no-fund
COPY extension extension
COPY mode mode
COPY viewer viewer
COPY packages/http-shutdown packages/http-shutdown
COPY packages/ct-anatomy packages/ct-anatomy
# (a checkout's build output and installs are not inputs)
RUN rm -rf extension/dist extension/node_modules mode/dist mode/node_modules viewer/dist viewer/node_modules \
    packages/http-shutdown/dist packages/http-shutdown/node_modules \
    packages/ct-anatomy/dist packages/ct-anatomy/node_modules \
 && npm run build -w packages/http-shutdown -w packages/ct-anatomy -w extension -w mode -w viewer \
 && test -f extension/dist/ohif-sam2-extension.js \
 && test -f mode/dist/ohif-sam2-mode.js
# `npm pack @ohif/app@3.13.2`, checked against the pinned sha512 integrity, extracted to
# $VIEWER_CACHE_DIR/ohif-app-3.13.2/dist (the viewer workspace's fetch CLI).
ENV VIEWER_CACHE_DIR=/app/.cache
RUN npm run fetch -w viewer \
 && test -f /app/.cache/ohif-app-3.13.2/dist/index.html

# prod-deps: runtime dependencies of the viewer workspace (for the app-config generator).
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
RUN npm ci --omit=dev --workspace=viewer --no-audit --no-fund \
 && mkdir -p viewer/node_modules \
 && npm cache clean --force

# ---------------------------------------------------------------------------------------------------
# runtime: the official nginx image (its /etc/nginx/templates + /docker-entrypoint.d mechanism) plus
# the Node 20 binary of the build image, for the app-config generator and the health check.
FROM ${NGINX_IMAGE}
RUN apt-get update \
 && apt-get install -y --no-install-recommends libstdc++6 \
 && rm -rf /var/lib/apt/lists/*
COPY --from=build /usr/local/bin/node /usr/local/bin/node
RUN node --version
COPY --from=build /app/.cache/ohif-app-3.13.2/dist /usr/share/ohif-sam2/ohif
COPY --from=build /app/extension/dist /usr/share/ohif-sam2/extension
COPY --from=build /app/mode/dist /usr/share/ohif-sam2/mode
COPY --from=prod-deps /app/node_modules /opt/ohif-sam2/node_modules
COPY --from=prod-deps /app/viewer/node_modules /opt/ohif-sam2/viewer/node_modules
COPY --from=build /app/viewer/dist /opt/ohif-sam2/viewer/dist
COPY package.json /opt/ohif-sam2/package.json
COPY viewer/package.json /opt/ohif-sam2/viewer/package.json
COPY --from=build /app/packages/http-shutdown/dist /opt/ohif-sam2/packages/http-shutdown/dist
COPY packages/http-shutdown/package.json /opt/ohif-sam2/packages/http-shutdown/package.json
COPY docker/scripts/healthcheck.js /opt/ohif-sam2/docker/scripts/healthcheck.js
COPY docker/nginx/default.conf.template /etc/nginx/templates/default.conf.template
COPY docker/nginx/10-ohif-sam2-env.envsh /docker-entrypoint.d/10-ohif-sam2-env.envsh
COPY docker/nginx/15-ohif-sam2-csp.envsh /docker-entrypoint.d/15-ohif-sam2-csp.envsh
COPY docker/nginx/30-ohif-sam2-app-config.sh /docker-entrypoint.d/30-ohif-sam2-app-config.sh
RUN chmod 755 /docker-entrypoint.d/10-ohif-sam2-env.envsh /docker-entrypoint.d/15-ohif-sam2-csp.envsh \
    /docker-entrypoint.d/30-ohif-sam2-app-config.sh \
 && mkdir -p /var/cache/ohif-sam2
# Defaults for the template; docker-compose.yml sets the deployment's values.
ENV NGINX_LISTEN=8080 \
    OHIF_DIST_DIR=/usr/share/ohif-sam2/ohif \
    SAM2_EXTENSION_DIST_DIR=/usr/share/ohif-sam2/extension \
    SAM2_MODE_DIST_DIR=/usr/share/ohif-sam2/mode \
    VIEWER_APP_CONFIG_FILE=/var/cache/ohif-sam2/app-config.js \
    NGINX_ACCESS_LOG=/dev/stdout \
    SAM2_UPSTREAM=sam2-service:5005 \
    ORTHANC_UPSTREAM=orthanc:8042 \
    DICOMWEB_URL=/dicom-web \
    SAM2_ENABLED=true \
    SAM2_MODALITIES=CT
EXPOSE 8080
HEALTHCHECK --interval=15s --timeout=5s --start-period=20s --retries=3 CMD ["node", "/opt/ohif-sam2/docker/scripts/healthcheck.js", "http://127.0.0.1:8080/app-config.js"]
