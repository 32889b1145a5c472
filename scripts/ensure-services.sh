#!/usr/bin/env bash
# Makes sure what the tests talk to is installed and running: Redis and PostgreSQL (from Debian
# packages when missing) and Debian's Chromium for the HTML report test. Idempotent; fast when
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

ensure_redis
ensure_postgres
ensure_chromium
