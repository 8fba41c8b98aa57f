# The local Debian base (tools/images/build.sh): the mmdebstrap root file system imported as
# chat-base/debian-rootfs:bookworm, plus the CA certificates this machine trusts beyond Debian's
# (/usr/local/share/ca-certificates, copied into the build context; often none), so that apt,
# Maven and npm inside builds work behind a TLS-inspecting proxy as they do on the host.
ARG ROOTFS_IMAGE=chat-base/debian-rootfs:bookworm
FROM ${ROOTFS_IMAGE}
COPY ca-certificates/ /usr/local/share/ca-certificates/
RUN update-ca-certificates >/dev/null
CMD ["bash"]
