# The MongoDB-wire server where mongo:7.0 cannot be pulled: FerretDB v1 (SQLite backend), the static
# binary tools/infra/mongo.sh builds from the Go module proxy, staged by docker/offline/build.sh.
# Runs as an unprivileged user; its data (SQLite files) and state live in the volume at /data/db.
ARG BASE_IMAGE=watchkeeper/offline-base:bookworm
FROM ${BASE_IMAGE}
COPY ferretdb /usr/local/bin/ferretdb
COPY healthcheck.sh /usr/local/bin/ferretdb-healthcheck
RUN groupadd --gid 1000 ferretdb \
 && useradd --uid 1000 --gid ferretdb --no-create-home --home-dir /data/db --shell /usr/sbin/nologin ferretdb \
 && mkdir -p /data/db && chown ferretdb:ferretdb /data/db \
 && ferretdb --version
USER 1000:1000
ENV FERRETDB_HANDLER=sqlite \
    FERRETDB_SQLITE_URL=file:/data/db/ \
    FERRETDB_STATE_DIR=/data/db \
    FERRETDB_LISTEN_ADDR=:27017 \
    FERRETDB_DEBUG_ADDR=127.0.0.1:8088 \
    FERRETDB_TELEMETRY=disable
EXPOSE 27017
STOPSIGNAL SIGTERM
ENTRYPOINT ["/usr/local/bin/ferretdb"]
