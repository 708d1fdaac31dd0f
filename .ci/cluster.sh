#!/usr/bin/env bash
# A local scale-out cluster for the cluster suite (npm run test:cluster): a streaming standby of
# the machine's PostgreSQL 15 on another port, a Redis of its own, then test/cluster/ with two
# gateway processes. Everything it starts, it stops; the primary's pg_hba.conf is restored.
#
#   bash .ci/cluster.sh               # set up, run the suite, tear down
#   PRIMARY_PORT=5432 STANDBY_PORT=5439 REDIS_PORT=6389 bash .ci/cluster.sh
set -euo pipefail
cd "$(dirname "$0")/.."

PRIMARY_HOST=127.0.0.1
PRIMARY_PORT=${PRIMARY_PORT:-5432}
STANDBY_PORT=${STANDBY_PORT:-5439}
REDIS_PORT=${REDIS_PORT:-6389}
PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}
say() { printf 'cluster: %s\n' "$*" >&2; }

command -v pg_basebackup >/dev/null || { say "pg_basebackup not found (apt-get install postgresql-15)"; exit 1; }
command -v redis-server >/dev/null || { say "redis-server not found (apt-get install redis-server)"; exit 1; }
[ "$(id -u)" = 0 ] || { say "run as root: the standby's files must belong to the postgres user"; exit 1; }
pg_isready -h "$PRIMARY_HOST" -p "$PRIMARY_PORT" -q || { say "the primary PostgreSQL on $PRIMARY_PORT is not running"; exit 1; }

primary() { psql -h "$PRIMARY_HOST" -p "$PRIMARY_PORT" -U postgres -d postgres -v ON_ERROR_STOP=1 -Atqc "$1"; }
hba_file=$(primary "SHOW hba_file")
hba_backup=""
work=$(mktemp -d /tmp/hgw-cluster.XXXXXX)
chmod 755 "$work"
standby="$work/standby"
run_dir="$work/run" # the standby's socket and log: written by the postgres user
db="hgw_cluster_$(date +%s)_$$"
redis_pid=""

cleanup() {
  local status=$?
  set +e
  if [ -f "$standby/postmaster.pid" ]; then
    runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$standby" -m immediate -w stop >/dev/null 2>&1
  fi
  if [ -n "$redis_pid" ]; then kill "$redis_pid" 2>/dev/null; wait "$redis_pid" 2>/dev/null; fi
  primary "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1
  if [ -n "$hba_backup" ]; then
    cp "$hba_backup" "$hba_file"
    primary "SELECT pg_reload_conf()" >/dev/null 2>&1
  fi
  rm -rf "$work"
  say "stopped the standby and Redis, restored $hba_file"
  exit $status
}
trap cleanup EXIT INT TERM

# The Debian cluster keeps its configuration in /etc: the primary needs a replication line there.
if ! grep -Eq '^\s*host\s+replication\s+(all|postgres)\s+127\.0\.0\.1/32' "$hba_file"; then
  hba_backup="$work/pg_hba.conf.orig"
  cp -p "$hba_file" "$hba_backup"
  printf '\n# hotline-gateway cluster suite (removed when it ends)\nhost replication postgres 127.0.0.1/32 trust\n' >>"$hba_file"
  primary "SELECT pg_reload_conf()" >/dev/null
fi

# A base backup copies the whole cluster: every database on the primary, so keep it small.
say "base backup of $PRIMARY_HOST:$PRIMARY_PORT ($(primary "SELECT pg_size_pretty(sum(pg_database_size(datname))) FROM pg_database")) into $standby"
install -d -o postgres -g postgres -m 700 "$standby"
install -d -o postgres -g postgres -m 755 "$run_dir"
runuser -u postgres -- pg_basebackup -h "$PRIMARY_HOST" -p "$PRIMARY_PORT" -U postgres -D "$standby" -R -c fast -X stream

# The standby's own configuration: the base backup has none of the files from /etc. Hot standby
# needs max_connections at least the primary's.
max_connections=$(primary "SHOW max_connections")
cat >"$standby/postgresql.conf" <<EOF
port = $STANDBY_PORT
listen_addresses = '127.0.0.1'
unix_socket_directories = '$run_dir'
max_connections = $max_connections
hot_standby = on
hot_standby_feedback = on
wal_receiver_status_interval = 1s
shared_buffers = 64MB
fsync = off
EOF
cat >"$standby/pg_hba.conf" <<EOF
local all all trust
host all all 127.0.0.1/32 trust
EOF
: >"$standby/pg_ident.conf"
chown postgres:postgres "$standby/postgresql.conf" "$standby/pg_hba.conf" "$standby/pg_ident.conf"

start_standby() { runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$standby" -l "$run_dir/standby.log" -w -t 300 start >/dev/null; }
stop_standby() { runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$standby" -m fast -w stop >/dev/null; }
start_standby
in_recovery=$(psql -h 127.0.0.1 -p "$STANDBY_PORT" -U postgres -d postgres -Atqc "SELECT pg_is_in_recovery()")
[ "$in_recovery" = t ] || { say "the standby on $STANDBY_PORT is not in recovery"; exit 1; }
say "standby streaming on port $STANDBY_PORT"

redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --save "" --appendonly no --daemonize no >"$work/redis.log" 2>&1 &
redis_pid=$!
for _ in $(seq 1 50); do redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1 && break; sleep 0.1; done

primary "CREATE DATABASE $db"

# The suite stops and starts the standby through this script.
control="$work/standby-control.sh"
cat >"$control" <<EOF
#!/usr/bin/env bash
set -euo pipefail
case "\$1" in
  stop) runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$standby" -m fast -w stop >/dev/null ;;
  start) runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$standby" -l "$run_dir/standby.log" -w -t 300 start >/dev/null ;;
  *) echo "usage: \$0 stop|start" >&2; exit 2 ;;
esac
EOF
chmod 755 "$control"

say "running the cluster suite"
HGW_CLUSTER_PRIMARY_URL="postgres://postgres@$PRIMARY_HOST:$PRIMARY_PORT/$db" \
  HGW_CLUSTER_REPLICA_URL="postgres://postgres@127.0.0.1:$STANDBY_PORT/$db" \
  HGW_CLUSTER_REDIS_URL="redis://127.0.0.1:$REDIS_PORT" \
  HGW_CLUSTER_STANDBY_CONTROL="$control" \
  node --experimental-vm-modules --no-warnings=ExperimentalWarning node_modules/jest/bin/jest.js \
  --config jest.cluster.config.js "$@"
