#!/bin/bash
# Start Debian's Python ironic-conductor (fake-hardware) as a peer for the
# conductor benchmarks. Copied from the team's peer (peers/ironic-conductor)
# and adapted: the caller creates (and drops) an empty database and passes
# its URL, the transport URL and the control exchange; nothing is installed.
#   run.sh start STATE_DIR HOST DB_URL TRANSPORT_URL EXCHANGE
#        write STATE_DIR/ironic.conf, create Ironic's tables with its own
#        ironic-dbsync, start the conductor in the background (PID in
#        STATE_DIR/pid), wait until it consumes ironic.conductor_manager.HOST
#   run.sh stop STATE_DIR
#        stop it (SIGTERM, then SIGKILL after 15 s)
# Needs RabbitMQ (rabbitmqctl, i.e. root) and PostgreSQL.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
cmd=${1:?start|stop}; state=${2:?state dir}
mkdir -p "$state"; state="$(cd "$state" && pwd)"
case "$cmd" in
start)
  host=${3:?host}; dburl=${4:?database URL}; transport=${5:?transport URL}; exchange=${6:?control exchange}
  if ! [ -x /usr/bin/ironic-conductor ]; then
    echo "/usr/bin/ironic-conductor is missing: apt-get install ironic-conductor (or make deps)" >&2; exit 1
  fi
  sed -e "s|@STATE@|$state|g" -e "s|@HOST@|$host|g" -e "s|@DB@|$dburl|g" \
      -e "s|@TRANSPORT@|$transport|g" -e "s|@EXCHANGE@|$exchange|g" "$here/ironic.conf.in" > "$state/ironic.conf"
  mkdir -p "$state"/{tmp,lock,httpboot,images,master_images,tftpboot/master_images}
  if ! ironic-dbsync --config-file "$state/ironic.conf" upgrade >"$state/dbsync.log" 2>&1; then
    echo "ironic-dbsync upgrade failed; see $state/dbsync.log" >&2; exit 1
  fi
  nohup /usr/bin/ironic-conductor --config-file "$state/ironic.conf" >"$state/stdout" 2>&1 &
  echo $! > "$state/pid"
  for _ in $(seq 1 90); do
    if rabbitmqctl -q list_queues name consumers 2>/dev/null | grep -q "^ironic.conductor_manager.$host[[:space:]]*[1-9]"; then
      echo "ironic-conductor $host running, PID $(cat "$state/pid")"; exit 0
    fi
    kill -0 "$(cat "$state/pid")" 2>/dev/null || { echo "ironic-conductor exited; see $state/ironic-conductor.log and $state/stdout" >&2; exit 1; }
    sleep 1
  done
  echo "ironic-conductor did not start; see $state/ironic-conductor.log" >&2; exit 1 ;;
stop)
  pid=$(cat "$state/pid" 2>/dev/null || true)
  [ -z "$pid" ] && exit 0
  children=$(ps -o pid= --ppid "$pid" 2>/dev/null || true)
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 30); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
  kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" || true
  for c in $children; do kill -0 "$c" 2>/dev/null && kill -KILL "$c" || true; done
  rm -f "$state/pid" ;;
*) echo "usage: run.sh start STATE_DIR HOST DB_URL TRANSPORT_URL EXCHANGE | run.sh stop STATE_DIR" >&2; exit 2 ;;
esac
