# The local Debian base (tools/images/build.sh): the mmdebstrap root file system imported as
# chat-base/debian-rootfs:bookworm, plus the CA certificates this machine trusts beyond Debian's
# (/usr/local/share/ca-certificates, copied into the build context; often none), so that apt,
# Maven and npm inside builds work behind a TLS-inspecting proxy as they do on the host.
ARG ROOTFS_IMAGE=chat-base/debian-rootfs:bookworm
FROM ${ROOTFS_IMAGE}
COPY ca-certificates/ /usr/local/share/ca-certificates/
# As Debian's own container images do: apt keeps no downloaded .deb files, and packages installed
# later bring no man pages, docs or translations (images stay small without an `apt-get clean`).
RUN update-ca-certificates >/dev/null \
 && printf '%s\n' \
      'DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };' \
      'APT::Update::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };' \
      'Dir::Cache::pkgcache ""; Dir::Cache::srcpkgcache "";' > /etc/apt/apt.conf.d/docker-clean \
 && printf '%s\n' 'path-exclude /usr/share/doc/*' 'path-include /usr/share/doc/*/copyright' \
      'path-exclude /usr/share/man/*' 'path-exclude /usr/share/info/*' 'path-exclude /usr/share/locale/*' \
      > /etc/dpkg/dpkg.cfg.d/docker-excludes
CMD ["bash"]
