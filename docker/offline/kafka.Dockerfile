# Apache Kafka (KRaft, one node) where apache/kafka cannot be pulled: the broker's jars from Maven
# Central (resolved by tools/infra/kafka.sh, staged by docker/offline/build.sh as libs/) on Debian's
# OpenJDK 17. Configured like apache/kafka: KAFKA_* variables become server.properties entries
# (KAFKA_LOG_DIRS -> log.dirs; `__` -> `_`, `___` -> `-`), CLUSTER_ID formats the storage once, and
# /opt/kafka/bin carries the scripts compose.yaml's health check and setup use.
ARG BASE_IMAGE=watchkeeper/offline-base:bookworm
FROM ${BASE_IMAGE}
RUN apt-get update \
 && mkdir -p /usr/share/man/man1 \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends openjdk-17-jre-headless \
 && apt-get clean && rm -rf /var/lib/apt/lists/* /var/log/apt /var/log/dpkg.log \
 && groupadd --gid 1000 appuser \
 && useradd --uid 1000 --gid appuser --no-create-home --home-dir /opt/kafka --shell /usr/sbin/nologin appuser \
 && mkdir -p /var/lib/kafka/data /opt/kafka/config \
 && chown appuser:appuser /var/lib/kafka/data /opt/kafka/config
COPY bin/ /opt/kafka/bin/
COPY log4j2.properties log4j2-tools.properties /opt/kafka/
COPY libs/ /opt/kafka/libs/
USER 1000:1000
EXPOSE 9092 9093
STOPSIGNAL SIGTERM
ENTRYPOINT ["/opt/kafka/bin/run.sh"]
