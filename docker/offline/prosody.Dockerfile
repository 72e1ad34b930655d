# Prosody 0.12 from Debian's package on the debootstrap'd base (where prosodyim/prosody cannot be
# pulled). The configuration and entry point are docker/prosody's, mounted by compose as with the
# public image. Runs as Debian's prosody user; accounts and pubsub nodes live in /var/lib/prosody.
ARG BASE_IMAGE=watchkeeper/offline-base:bookworm
FROM ${BASE_IMAGE}
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends prosody lua-unbound \
 && apt-get clean && rm -rf /var/lib/apt/lists/* /var/log/apt /var/log/dpkg.log \
 && rm -f /etc/prosody/certs/localhost.* \
 && mkdir -p /var/run/prosody /var/lib/prosody \
 && chown prosody:prosody /var/run/prosody /var/lib/prosody \
 && dpkg-query -W prosody
USER prosody
EXPOSE 5222
STOPSIGNAL SIGTERM
CMD ["prosody", "-F"]
