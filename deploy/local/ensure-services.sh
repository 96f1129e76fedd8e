#!/usr/bin/env bash
# Make sure the services the integration tests talk to answer on loopback:
# PostgreSQL (the local Redshift stand-in) on 5432 and Redis on 6379.
# Starts whichever is installed but stopped; installs it with apt when missing.
# The Kafka-compatible broker is not here: the tests start their own.
set -euo pipefail

log() { echo "[services] $*"; }

apt_install() {
  if ! command -v apt-get >/dev/null; then
    log "cannot install $*: no apt-get on this machine"; exit 1
  fi
  log "installing $*"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

postgres_up() { pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; }

ensure_postgres() {
  if postgres_up; then log "PostgreSQL answers on 127.0.0.1:5432"; return; fi
  command -v pg_ctlcluster >/dev/null || apt_install postgresql
  local version
  version=$(ls /etc/postgresql | sort -V | tail -1)
  local hba="/etc/postgresql/$version/main/pg_hba.conf"
  if ! grep -q "^host all all 127.0.0.1/32 trust" "$hba"; then
    sed -i '1i host all all 127.0.0.1/32 trust' "$hba"
  fi
  pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
  for _ in $(seq 1 50); do postgres_up && break; sleep 0.2; done
  postgres_up || { log "PostgreSQL did not start"; exit 1; }
  log "PostgreSQL started on 127.0.0.1:5432"
}

redis_up() { redis-cli -h 127.0.0.1 -p 6379 ping 2>/dev/null | grep -q PONG; }

ensure_redis() {
  if redis_up; then log "Redis answers on 127.0.0.1:6379"; return; fi
  command -v redis-server >/dev/null || apt_install redis-server
  mkdir -p /var/lib/redis /var/log/redis
  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no \
    --dir /var/lib/redis --logfile /var/log/redis/ci.log
  for _ in $(seq 1 50); do redis_up && break; sleep 0.1; done
  redis_up || { log "Redis did not start"; exit 1; }
  log "Redis started on 127.0.0.1:6379"
}

ensure_postgres
ensure_redis
