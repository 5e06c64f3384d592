#!/usr/bin/env bash
# Durable ingest measured from outside: wrk (1 thread, 64 keep-alive
# connections) loads the real ccm-gateway and a reference (reference_server:
# a bare Poco server in its own process that parses the JSON and answers 202),
# over plain HTTP and over TLS, in the same run. Every event has a new id and
# carries a bearer token; the gateway forwards them to its event log (SQLite,
# synchronous=full), so every 202 follows an fsynced commit.
#
#   tests/bench/ingress_wrk.sh [seconds per load, 5] [rounds, 3]      (after `make build`)
#
# GATEWAY=path/to/ccm-gateway PLUGINS=path/to/plugins compares another build
# of the gateway with the same reference (e.g. before and after a change);
# TLS=0 leaves out the TLS loads (for a build without server.tls).
# BASELINE=path/to/other/ccm-gateway (BASELINE_PLUGINS=its plugins) adds
# that build's plain loads to every round and prints this build's ratio to it.
# SERVER_JSON and BASELINE_SERVER_JSON add keys to the "server" object of
# this gateway's and the baseline's configuration, e.g. to compare a setting
# with one build: BASELINE=build/core/ccm-gateway SERVER_JSON='"io_threads": 1'.
#
# Rounds alternate the loads (a VM whose speed drifts is compared with
# itself); medians and the gateway/reference ratios are printed last.
#
# STORE=postgresql puts the gateway's store on a throwaway PostgreSQL server
# (the newest /usr/lib/postgresql/*/bin: initdb into a temporary directory,
# 127.0.0.1 and a free port only, fsync and synchronous_commit on; stopped and
# removed on exit) and adds pgbench against the same server to every round,
# as the reference for the store: 64 clients (-c 64 -j 2 -M prepared) writing
# the rows the gateway writes, one event per transaction
# (tests/bench/pgbench_event.sql) and 100 per statement
# (tests/bench/pgbench_batch.sql), on tables made by pgbench_schema.sql.
# The TLS loads are left out unless TLS=1.
#
# PROFILE=1 adds, after the medians, one single-event load of the plain
# gateway recorded with perf record -g (PERF_OPTS replaces -g) and the top
# of perf report.  See docs/performance.md.
set -euo pipefail
seconds=${1:-5}
rounds=${2:-3}
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${BUILD_DIR:-$root/build}
gateway_bin=${GATEWAY:-$build/core/ccm-gateway}
plugin_dir=${PLUGINS:-$build/plugins}
reference_bin=$build/tests/bench/reference_server
store=${STORE:-sqlite}
case $store in
  sqlite) with_tls=${TLS:-1} ;;
  postgresql) with_tls=${TLS:-0} ;;
  *) echo "STORE is sqlite or postgresql, not $store" >&2; exit 1 ;;
esac
# shellcheck source=tests/bench/bench_lib.sh
. "$root/tests/bench/bench_lib.sh"
command -v wrk >/dev/null || { echo "wrk is missing: make deps (or apt-get install wrk)" >&2; exit 1; }
[ -x "$gateway_bin" ] && [ -x "$reference_bin" ] || { echo "build first: make build" >&2; exit 1; }

work=$(mktemp -d /tmp/ccm-ingress-wrk-XXXXXX)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  pg_stop
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM  # the EXIT trap cleans up

if [ "$store" = postgresql ]; then
  pg_start
  pgbench_bin=$pg_bin/pgbench
  [ -x "$pgbench_bin" ] || pgbench_bin=$(command -v pgbench) ||
    { echo "pgbench is missing (Debian's postgresql package)" >&2; exit 1; }
  pg_sql postgres -c "CREATE DATABASE pgbench"
  pg_sql pgbench -f "$root/tests/bench/pgbench_schema.sql"
fi

# store_json NAME: the gateway's "store" object (on PostgreSQL, a new database)
store_json() {
  if [ "$store" = postgresql ]; then
    pg_sql postgres -c "CREATE DATABASE ccm_$1"
    echo "{\"driver\": \"postgresql\", \"postgresql\": {\"connection\": \"host=127.0.0.1 port=$pg_port user=postgres dbname=ccm_$1\"}}"
  else
    echo "{\"sqlite\": {\"path\": \"$work/$1/gw.db\", \"synchronous\": \"full\"}}"
  fi
}

openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout "$work/tls.key" \
  -out "$work/tls.crt" -days 1 -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 2>/dev/null

# start_gateway NAME TLS_JSON -> sets port_NAME
start_gateway() {
  local name=$1 tls=$2 port store_object
  mkdir -p "$work/$name"
  store_object=$(store_json "$name")
  cat >"$work/$name/gateway.json" <<JSON
{"server": {"host": "127.0.0.1", "port": 0 $tls ${server_json:+, $server_json}},
 "plugins": {"directories": ["$plugin_dir"]},
 "store": $store_object,
 "ingress": {"unclaimed": "forward", "forward_auth": {"bearer_token": "env:CCM_BENCH_TOKEN"}},
 "sinks": []}
JSON
  CCM_BENCH_TOKEN=bench-token "$gateway_bin" --config "$work/$name/gateway.json" >"$work/$name/log" 2>&1 &
  pids+=($!)
  eval "pid_$name=$!"
  for _ in $(seq 300); do
    port=$(grep -o '"message":"listening".*' "$work/$name/log" | grep -o '"port":"[0-9]*"' | grep -o '[0-9]\+' || true)
    if [ -n "$port" ] && curl -sfk "$3://127.0.0.1:$port/readyz" >/dev/null 2>&1; then
      eval "port_$name=$port"
      return
    fi
    sleep 0.1
  done
  echo "gateway $name did not start:" >&2; cat "$work/$name/log" >&2; exit 1
}

# start_reference NAME ARGS... -> sets port_NAME
start_reference() {
  local name=$1; shift
  "$reference_bin" "$@" >"$work/$name.out" 2>&1 &
  pids+=($!)
  for _ in $(seq 100); do
    if grep -q '^port ' "$work/$name.out"; then eval "port_$name=$(awk '/^port /{print $2}' "$work/$name.out")"; return; fi
    sleep 0.1
  done
  echo "reference $name did not start" >&2; exit 1
}

server_json=${SERVER_JSON:-}
loads=(ref_plain:http:1 plain:http:1 plain:http:100)
[ "$store" = sqlite ] || loads=(ref_plain:http:1 pgbench:sql:1 plain:http:1 pgbench:sql:100 plain:http:100)
start_gateway plain "" http
start_reference ref_plain
if [ -n "${BASELINE:-}" ]; then
  this_gateway=$gateway_bin this_plugins=$plugin_dir
  gateway_bin=$BASELINE plugin_dir=${BASELINE_PLUGINS:-$plugin_dir} server_json=${BASELINE_SERVER_JSON:-}
  start_gateway base "" http
  gateway_bin=$this_gateway plugin_dir=$this_plugins server_json=${SERVER_JSON:-}
  loads+=(base:http:1 base:http:100)
fi
if [ "$with_tls" != 0 ]; then
  start_gateway tls ", \"tls\": {\"cert_file\": \"$work/tls.crt\", \"key_file\": \"$work/tls.key\"}" https
  start_reference ref_tls tls "$work/tls.crt" "$work/tls.key"
  loads+=(ref_tls:https:1 tls:https:1 tls:https:100)
fi

# load URL EVENTS_PER_REQUEST DURATION -> "events/s p50_ms p99_ms refused"
load() {
  BENCH_TOKEN=bench-token EVENTS_PER_REQUEST=$2 BENCH_RUN="r$RANDOM$RANDOM" \
    wrk -t1 -c64 -d"$3"s --timeout 10s -s "$root/tests/bench/ingress_event.lua" "$1" | awk '/^RESULT/{print $2, $3, $4, $5}'
}

# The body the gateway stores for an event of ingress_event.lua (~350 bytes).
pgbench_body='{"specversion":"1.0","id":"bench-r1234567890-1","source":"urn:bench:sender","type":"bench.event",'\
'"datacontenttype":"application/json","subject":"s-r1234567890-1","time":"2026-11-23T10:00:00Z","data":'\
'{"lablet_session_id":"s-r1234567890-1","user_session_id":"u-1","note":"padding padding padding padding padding'\
' padding padding padding padding"}}'

# pgbench_load EVENTS_PER_TRANSACTION DURATION -> "events/s p50_ms p99_ms failed",
# latencies from the per-transaction log (--log), like wrk's per request.
pgbench_load() {
  local script=$root/tests/bench/pgbench_event.sql dir=$work/pgbench-log
  [ "$1" = 1 ] || script=$root/tests/bench/pgbench_batch.sql
  rm -rf "$dir" && mkdir -p "$dir"
  # Ids are new in every run: base is the clock's seconds (runs are seconds apart).
  if ! "$pgbench_bin" -h 127.0.0.1 -p "$pg_port" -U postgres -n -c 64 -j 2 -T "$2" -M prepared -D n=0 \
    -D base="$(($(date +%s) % 90000))00000000000000" -D "body=$pgbench_body" -f "$script" \
    --log --log-prefix="$dir/tx" pgbench >"$dir/out" 2>&1; then
    echo "pgbench failed:" >&2; tail -20 "$dir/out" >&2; return 1
  fi
  cat "$dir"/tx.* | awk '$3 ~ /^[0-9]+$/ {print $3}' | sort -n >"$dir/latencies"
  awk -v per="$1" -v tps="$(awk '/^tps = /{print $3}' "$dir/out")" \
    -v failed="$(awk '/^number of failed transactions/{print $5}' "$dir/out")" '
    {a[NR] = $1}
    END {
      p50 = NR ? a[int((NR * 50 + 99) / 100)] : 0; p99 = NR ? a[int((NR * 99 + 99) / 100)] : 0
      printf "%.1f %.2f %.2f %d\n", tps * per, p50 / 1000, p99 / 1000, failed
    }' "$dir/latencies"
}

# run_load NAME SCHEME EVENTS_PER_REQUEST DURATION -> as load
run_load() {
  if [ "$2" = sql ]; then
    pgbench_load "$3" "$4"
  else
    local port_var=port_$1
    load "$2://127.0.0.1:${!port_var}/api/v1/events" "$3" "$4"
  fi
}

declare -A results
echo "warm-up, 2 s each (not counted):"
for spec in "${loads[@]}"; do
  IFS=: read -r name scheme per <<<"$spec"
  printf '  %-18s %s\n' "$name x$per" "$(run_load "$name" "$scheme" "$per" 2)"
done
for round in $(seq "$rounds"); do
  line="round $round:"
  for spec in "${loads[@]}"; do
    IFS=: read -r name scheme per <<<"$spec"
    result=$(run_load "$name" "$scheme" "$per" "$seconds")
    results[$name:$per]+="$result;"
    line+=" $name x$per $(cut -d' ' -f1 <<<"$result")"
  done
  echo "$line"
done

median() {  # field (1 rate, 2 p50, 3 p99) of a key's results
  tr ';' '\n' <<<"${results[$1]}" | awk NF | awk -v f="$2" '{print $f}' | sort -g | awk '{a[NR]=$1} END{print a[int((NR+1)/2)]}'
}
echo
echo "medians of $rounds rounds of $seconds s, wrk -t1 -c64 (events/s, p50 ms, p99 ms):"
for spec in "${loads[@]}"; do
  IFS=: read -r name scheme per <<<"$spec"
  printf '  %-22s %10.0f   p50 %7.2f   p99 %7.2f\n' "$name x$per" "$(median "$name:$per" 1)" "$(median "$name:$per" 2)" \
    "$(median "$name:$per" 3)"
done
ratio() { awk -v a="$1" -v b="$2" 'BEGIN{printf "%.0f %%", 100*a/b}'; }
echo "single-event durable / reference, plain: $(ratio "$(median plain:1 1)" "$(median ref_plain:1 1)")"
[ "$with_tls" = 0 ] || echo "single-event durable / reference, TLS: $(ratio "$(median tls:1 1)" "$(median ref_tls:1 1)")"
if [ "$store" = postgresql ]; then
  for per in 1 100; do
    echo "PostgreSQL, gateway / pgbench, $per event(s) per request: $(ratio "$(median "plain:$per" 1)" \
      "$(median "pgbench:$per" 1)") (p99 $(median "plain:$per" 3) ms vs $(median "pgbench:$per" 3) ms)"
  done
fi
if [ -n "${BASELINE:-}" ]; then
  echo "this build / baseline: single $(ratio "$(median plain:1 1)" "$(median base:1 1)")," \
    "batch $(ratio "$(median plain:100 1)" "$(median base:100 1)")"
fi
for name in plain ${port_tls:+tls} ${port_base:+base}; do
  refused=$(tr ';' '\n' <<<"${results[$name:1]}${results[$name:100]}" | awk NF | awk '{s+=$4} END{print s+0}')
  [ "$refused" -eq 0 ] || echo "warning: the $name gateway answered $refused requests with other than 2xx" >&2
done
if [ "$store" = postgresql ]; then
  failed=$(tr ';' '\n' <<<"${results[pgbench:1]}${results[pgbench:100]}" | awk NF | awk '{s+=$4} END{print s+0}')
  [ "$failed" -eq 0 ] || echo "warning: $failed pgbench transactions failed" >&2
fi
if [ "${PROFILE:-0}" != 0 ]; then
  echo
  echo "profile of the plain gateway ($store) under one single-event load of $seconds s:"
  # shellcheck disable=SC2154  # pid_plain and port_plain are set by start_gateway
  profile_load "$pid_plain" "$work/profile" "$seconds" load "http://127.0.0.1:$port_plain/api/v1/events" 1 "$seconds"
fi
