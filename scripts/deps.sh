#!/usr/bin/env bash
# Install (Debian packages) and start what the tests and the conductor need:
# RabbitMQ, PostgreSQL, the Python peers of the interop tests (Debian's
# oslo.messaging, tooz, Ironic and its conductor, sushy) and the BMC
# simulators (OpenIPMI's ipmi_sim with a chassis control program built by
# gcc, ipmitool, pyghmi).
# Idempotent and quick when everything is already there. Needs root for apt.
set -euo pipefail

pkgs=()
need() { pkgs+=("$@"); }

command -v rabbitmq-server >/dev/null 2>&1 || need rabbitmq-server
ls /etc/postgresql/*/main >/dev/null 2>&1 || need postgresql
/usr/bin/python3 -c 'import oslo_messaging' >/dev/null 2>&1 || need python3-oslo.messaging
/usr/bin/python3 -c 'import tooz.hashring' >/dev/null 2>&1 || need python3-tooz
/usr/bin/python3 -c 'import ironic.objects' >/dev/null 2>&1 || need python3-ironic
command -v ironic-dbsync >/dev/null 2>&1 || need ironic-common
command -v ipmi_sim >/dev/null 2>&1 || need openipmi
command -v ipmitool >/dev/null 2>&1 || need ipmitool
command -v cc >/dev/null 2>&1 || need gcc # builds ipmi_sim's chassis control program (drivers/ipmi/testdata)
/usr/bin/python3 -c 'import pyghmi.ipmi.bmc' >/dev/null 2>&1 || need python3-pyghmi
command -v ironic-conductor >/dev/null 2>&1 || need ironic-conductor
/usr/bin/python3 -c 'import sushy' >/dev/null 2>&1 || need python3-sushy
/usr/bin/python3 -c 'import psycopg2' >/dev/null 2>&1 || need python3-psycopg2

if [ ${#pkgs[@]} -gt 0 ]; then
  echo "deps: installing ${pkgs[*]}"
  if [ "$(id -u)" != 0 ]; then
    echo "deps: missing packages (${pkgs[*]}) and not root; install them with apt-get" >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "${pkgs[@]}" >/dev/null
fi

wait_port() { # host port name seconds
  for _ in $(seq 1 "$4"); do
    (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null && return 0
    sleep 1
  done
  echo "deps: $3 is not listening on $1:$2" >&2
  return 1
}

if ! (exec 3<>/dev/tcp/127.0.0.1/5672) 2>/dev/null; then
  echo "deps: starting RabbitMQ"
  rabbitmq-server -detached >/dev/null 2>&1 || true
  wait_port 127.0.0.1 5672 RabbitMQ 90
  rabbitmqctl await_startup >/dev/null 2>&1 || true
fi

if ! (exec 3<>/dev/tcp/127.0.0.1/5432) 2>/dev/null; then
  echo "deps: starting PostgreSQL"
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | sort -V | tail -1)" main start
  wait_port 127.0.0.1 5432 PostgreSQL 60
fi
