# Orthanc 1.10 with the DICOMweb plugin, from Debian 12's packages: the same binaries, plugin path and
# configuration (docker/orthanc/orthanc.json) that the native tests start (docker/test/helpers/orthanc.ts).
#   docker build -f docker/orthanc.Dockerfile -t ohif-sam2/orthanc .
# ORTHANC_USERNAME and ORTHANC_PASSWORD are read by Orthanc itself (${...} in orthanc.json).
FROM debian:bookworm-slim
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends orthanc orthanc-dicomweb curl ca-certificates \
 && rm -rf /var/lib/apt/lists/* \
 && test -f /usr/share/orthanc/plugins/libOrthancDicomWeb.so \
 && mkdir -p /var/lib/orthanc/db /etc/orthanc-sam2 \
 && chown -R orthanc:orthanc /var/lib/orthanc/db
COPY docker/orthanc/orthanc.json /etc/orthanc-sam2/orthanc.json
ENV ORTHANC_USERNAME=orthanc
USER orthanc
EXPOSE 8042 4242
VOLUME ["/var/lib/orthanc/db"]
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 CMD ["sh", "-c", "curl -fsS -o /dev/null -u \"$ORTHANC_USERNAME:$ORTHANC_PASSWORD\" http://127.0.0.1:8042/system"]
CMD ["/usr/sbin/Orthanc", "/etc/orthanc-sam2/orthanc.json"]
