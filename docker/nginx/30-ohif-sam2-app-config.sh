#!/bin/sh
# Run by the official nginx image's /docker-entrypoint.sh at container start, before nginx: renders the
# viewer's app-config.js from the environment (DICOMWEB_URL, SAM2_ENABLED, SAM2_MODALITIES,
# SAM2_CLIENT_TIMEOUT_MS, SAM2_SPECULATIVE_ENCODING) with the viewer workspace's generator, the code the Node viewer server uses for
# the same file. SAM2_ENABLED=false gives `sam2: { enabled: false }`: the SAM2 button disappears.
set -eu
mkdir -p "$(dirname "$VIEWER_APP_CONFIG_FILE")"
cd /opt/ohif-sam2
node viewer/dist/src/cli/renderAppConfig.js --out "$VIEWER_APP_CONFIG_FILE"
echo "$0: rendered $VIEWER_APP_CONFIG_FILE (SAM2_ENABLED=${SAM2_ENABLED:-true}, DICOMWEB_URL=${DICOMWEB_URL:-})"
