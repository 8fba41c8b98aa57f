#!/usr/bin/env bash
# A Docker engine for the image builds, the compose smoke test and the container tier of the
# integration tests: installs Debian's docker.io (dockerd, containerd, runc and a 20.10 CLI with
# built-in BuildKit), docker-compose and mmdebstrap (local base images) when missing, starts
# dockerd when nothing answers on its socket (no systemd on the project's machines: it runs
# detached, log in /var/log/chat-dockerd.log), and waits until it answers.
#
#   bash tools/setup/docker.sh          install if missing, start if stopped; exit 0 when usable
#   bash tools/setup/docker.sh --check  exit 0 if a daemon answers or one can be installed/started
#                                       here (root or sudo), without doing anything
#   bash tools/setup/docker.sh --optional   as without an option where --check passes; else say
#                                       that Docker is not available and exit 0 (npm test: the
#                                       Docker-backed steps then say they did not run)
#
# A machine whose Docker is managed otherwise (Docker Desktop, a systemd unit) only gets the
# check: a daemon that answers is used as it is.
set -euo pipefail

if [ "$(id -u)" -eq 0 ]; then SUDO=""; elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then SUDO="sudo"; else SUDO="-"; fi

daemon_answers() { docker info >/dev/null 2>&1; }

can_have_docker() {
  if command -v docker >/dev/null 2>&1 && daemon_answers; then return 0; fi
  [ "$SUDO" != "-" ] && command -v apt-get >/dev/null 2>&1
}
case "${1:-}" in
  --check) can_have_docker; exit $? ;;
  --optional)
    if ! can_have_docker; then
      echo "setup: no Docker here (no daemon answers, and this user cannot install one): Docker-backed tests will not run" >&2
      exit 0
    fi ;;
  '') ;;
  *) echo "usage: tools/setup/docker.sh [--check|--optional]" >&2; exit 2 ;;
esac

need=()
command -v dockerd >/dev/null 2>&1 || need+=(docker.io)
command -v docker-compose >/dev/null 2>&1 || docker compose version >/dev/null 2>&1 || need+=(docker-compose)
command -v mmdebstrap >/dev/null 2>&1 || need+=(mmdebstrap)
if [ "${#need[@]}" -gt 0 ] && ! daemon_answers; then
  if [ "$SUDO" = "-" ] || ! command -v apt-get >/dev/null 2>&1; then
    echo "setup: Docker is missing (${need[*]}) and this user cannot install packages; install Docker or run as root" >&2
    exit 1
  fi
  echo "setup: installing ${need[*]} (Debian packages)..."
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
elif [ "${#need[@]}" -gt 0 ] && [ "$SUDO" != "-" ] && command -v apt-get >/dev/null 2>&1; then
  # A daemon answers but the tools to make base images or run compose are missing.
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  tools=()
  for pkg in "${need[@]}"; do [ "$pkg" = docker.io ] || tools+=("$pkg"); done
  [ "${#tools[@]}" -eq 0 ] || $SUDO apt-get install -y -qq --no-install-recommends "${tools[@]}" >/dev/null
fi

if daemon_answers; then exit 0; fi

if [ "$SUDO" = "-" ]; then
  echo "setup: no Docker daemon answers and this user cannot start one" >&2
  exit 1
fi
echo "setup: starting dockerd (log: /var/log/chat-dockerd.log)..."
# setsid + nohup: the daemon outlives this script and the test run that called it. Containers
# inherit its file-descriptor limit: raise it as Docker's systemd unit does (LimitNOFILE).
ulimit -n 1048576 2>/dev/null || ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
$SUDO setsid nohup dockerd --storage-driver=overlay2 >>/var/log/chat-dockerd.log 2>&1 </dev/null &
for _ in $(seq 1 60); do
  if daemon_answers; then exit 0; fi
  sleep 1
done
echo "setup: dockerd did not answer within 60 s; last lines of /var/log/chat-dockerd.log:" >&2
tail -n 30 /var/log/chat-dockerd.log >&2
exit 1
