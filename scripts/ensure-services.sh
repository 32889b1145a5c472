#!/usr/bin/env bash
# Makes sure what the tests talk to is installed and running: Redis and PostgreSQL (from Debian
# packages when missing), Debian's Chromium for the HTML report test, and moto_server (the AWS
# emulator the aws-profile suites run against, on 127.0.0.1:$DIF_MOTO_PORT). Idempotent; fast when
# everything is already up. Needs root (or sudo) only when something must be installed.
set -euo pipefail

SUDO=""
if [ "$(id -u)" != "0" ] && command -v sudo >/dev/null 2>&1; then SUDO="sudo"; fi
APT_UPDATED=""

apt_install() {
  if [ -z "$APT_UPDATED" ]; then
    echo "ensure-services: apt-get update"
    $SUDO apt-get update -qq
    APT_UPDATED=1
  fi
  echo "ensure-services: installing $*"
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "$@" >/dev/null
}

ensure_redis() {
  if redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then echo "ensure-services: redis up"; return; fi
  command -v redis-server >/dev/null 2>&1 || apt_install redis-server redis-tools
  mkdir -p /tmp/dif-redis
  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no --dir /tmp/dif-redis --logfile /tmp/dif-redis/redis.log
  for _ in $(seq 1 50); do redis-cli -h 127.0.0.1 ping >/dev/null 2>&1 && break; sleep 0.1; done
  redis-cli -h 127.0.0.1 ping >/dev/null
  echo "ensure-services: redis started"
}

ensure_postgres() {
  if pg_isready -h 127.0.0.1 -p 5432 -q 2>/dev/null && psql -h 127.0.0.1 -U postgres -d test -c 'select 1' >/dev/null 2>&1; then
    echo "ensure-services: postgresql up"; return
  fi
  command -v pg_ctlcluster >/dev/null 2>&1 || apt_install postgresql postgresql-client
  local version
  version="$(ls /etc/postgresql | sort -V | tail -1)"
  local hba="/etc/postgresql/${version}/main/pg_hba.conf"
  # The tests connect as postgres over TCP without a password (trust), like the CI machine.
  if ! grep -q "dif-tests" "$hba"; then
    $SUDO sed -i '1i host all all 127.0.0.1/32 trust # dif-tests\nhost all all ::1/128 trust # dif-tests\nlocal all all trust # dif-tests' "$hba"
  fi
  $SUDO pg_ctlcluster --skip-systemctl-redirect "$version" main start 2>/dev/null || $SUDO pg_ctlcluster --skip-systemctl-redirect "$version" main reload
  for _ in $(seq 1 100); do pg_isready -h 127.0.0.1 -p 5432 -q && break; sleep 0.1; done
  psql -h 127.0.0.1 -U postgres -tc "select 1 from pg_database where datname = 'test'" | grep -q 1 || psql -h 127.0.0.1 -U postgres -c 'create database test' >/dev/null
  echo "ensure-services: postgresql started"
}

ensure_chromium() {
  if [ -x /usr/bin/chromium ]; then echo "ensure-services: chromium present"; return; fi
  apt_install chromium
}

# moto is a Python package (pip install 'moto[server]'), not installed from here: without it the
# aws-profile suites skip on a workstation, and fail the run in CI (CI=true), where it is required.
ensure_moto() {
  local port="${DIF_MOTO_PORT:-5055}"
  local url="http://127.0.0.1:${port}/moto-api/"
  if curl -fs -o /dev/null "$url" 2>/dev/null; then echo "ensure-services: moto_server up on ${port}"; return; fi
  if ! command -v moto_server >/dev/null 2>&1; then
    if [ "${CI:-}" = "true" ]; then
      echo "ensure-services: moto_server is not installed but CI=true requires it: pip install 'moto[server]==5.*'" >&2
      exit 1
    fi
    echo "ensure-services: moto_server not installed: the aws-profile suites on moto will skip (pip install 'moto[server]==5.*' to run them)"
    return
  fi
  mkdir -p /tmp/dif-moto
  # Detached, in its own session and without inherited descriptors (a pipe held open by the server
  # would keep a caller such as `… | tail` waiting). MOTO_PORT: moto's Step Functions interpreter
  # calls the other services (SQS, Lambda) at this port.
  MOTO_PORT="$port" python3 -c 'import subprocess, sys
log = open("/tmp/dif-moto/moto.log", "ab")
subprocess.Popen(["moto_server", "-H", "127.0.0.1", "-p", sys.argv[1]], cwd="/tmp/dif-moto", stdin=subprocess.DEVNULL,
                 stdout=log, stderr=log, close_fds=True, start_new_session=True)' "$port"
  for _ in $(seq 1 100); do curl -fs -o /dev/null "$url" 2>/dev/null && break; sleep 0.1; done
  curl -fs -o /dev/null "$url" || { echo "ensure-services: moto_server did not start; see /tmp/dif-moto/moto.log" >&2; exit 1; }
  echo "ensure-services: moto_server started on ${port}"
}

ensure_redis
ensure_postgres
ensure_chromium
ensure_moto
