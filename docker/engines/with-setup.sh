# Sourced by the Kafka and Cassandra entrypoints when accounts are to be set up (authentication
# on): run_with_setup <pending file> <setup command> <engine command...> starts the engine in the
# background, runs the setup against it, removes the pending file (the healthcheck's sign that the
# setup is done) and then waits for the engine, passing SIGTERM on: the shell stays PID 1 and exits
# with the engine's status. A failed setup stops the engine, so the container exits instead of
# staying up unhealthy.
run_with_setup() {
  local pending="$1" setup="$2"
  shift 2
  "$@" &
  engine_pid=$!
  trap 'kill -TERM "$engine_pid" 2>/dev/null || true' TERM INT
  if ! "$setup"; then
    echo "$setup failed: stopping the engine" >&2
    kill -TERM "$engine_pid" 2>/dev/null || true
    wait "$engine_pid" || true
    exit 1
  fi
  rm -f "$pending"
  local status=0
  while kill -0 "$engine_pid" 2>/dev/null; do wait "$engine_pid" && status=0 || status=$?; done
  exit "$status"
}
