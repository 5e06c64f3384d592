#!/usr/bin/env bash
# Long-run ingest: EVENTS events into ONE gateway (SQLite, synchronous=full,
# event-log retention on), to see whether the single-event rate, its p99 and
# the database's size hold as the log grows and ages.
#
#   EVENTS=10000000 tests/bench/ingest_long.sh          (after `make build`)
#
# The run is cut into SLICES (default 10) of EVENTS/SLICES events each. A
# slice starts with a single-event probe (wrk -t1 -c64, one event per
# request, PROBE_SECONDS, default 3, as in ingress_wrk.sh) and is then filled
# up to its share with FILL_PER_REQUEST (default 100) events per request
# (FILL_PER_REQUEST=1: single events throughout, slower), and then waits
# until retention has caught up with the fill (ccm_retention_behind 0, at
# most SETTLE_MAX seconds, default 600), so that the next probe measures the
# aged database, not retention's catch-up. At each slice's end the
# database's size is printed (file and -wal). Last come the last probe's
# rate and p99 against the first's (after a 2 s warm-up, not counted) and
# the rate sustained over the whole run, catch-ups included.
#
# RETENTION_JSON is the store.retention object, default
# '{"max_events": 1000000}'; RETENTION_JSON= (empty) leaves retention out
# and the log is kept whole. Retention bounds the event log, not the ingress
# deduplication keys (one per event, kept ingress.dedup_ttl_seconds, 24 h by
# default): DEDUP_TTL_SECONDS=N sets that window for the run; the dedup
# column counts the keys held. GATEWAY, PLUGINS and BUILD_DIR as for
# ingress_wrk.sh. PROFILE=1 records one more single-event probe at the end
# with perf (see bench_lib.sh). KEEP=1 keeps the work directory (database,
# gateway log, config); TMPDIR chooses where it is made (default /tmp).
# See docs/performance.md.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${BUILD_DIR:-$root/build}
gateway_bin=${GATEWAY:-$build/core/ccm-gateway}
plugin_dir=${PLUGINS:-$build/plugins}
events=${EVENTS:-10000000}
slices=${SLICES:-10}
probe_seconds=${PROBE_SECONDS:-3}
per=${FILL_PER_REQUEST:-100}
retention=${RETENTION_JSON-'{"max_events": 1000000}'}
dedup_ttl=${DEDUP_TTL_SECONDS:-}
settle_max=${SETTLE_MAX:-600}
# shellcheck source=tests/bench/bench_lib.sh
. "$root/tests/bench/bench_lib.sh"
command -v wrk >/dev/null || { echo "wrk is missing: make deps (or apt-get install wrk)" >&2; exit 1; }
[ -x "$gateway_bin" ] || { echo "build first: make build" >&2; exit 1; }
if [ "$slices" -lt 1 ] || [ "$events" -lt "$slices" ]; then echo "EVENTS must be at least SLICES (>= 1)" >&2; exit 1; fi

work=$(mktemp -d "${TMPDIR:-/tmp}/ccm-ingest-long-XXXXXX")
gateway_pid=
cleanup() {
  [ -z "$gateway_pid" ] || kill "$gateway_pid" 2>/dev/null || true
  wait 2>/dev/null || true
  if [ "${KEEP:-0}" != 0 ]; then echo "kept $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM  # the EXIT trap cleans up

db=$work/gw.db
cat >"$work/gateway.json" <<JSON
{"server": {"host": "127.0.0.1", "port": 0},
 "plugins": {"directories": ["$plugin_dir"]},
 "store": {"sqlite": {"path": "$db", "synchronous": "full"}${retention:+, \"retention\": $retention}},
 "ingress": {"unclaimed": "forward", "forward_auth": {"bearer_token": "env:CCM_BENCH_TOKEN"}${dedup_ttl:+, \"dedup_ttl_seconds\": $dedup_ttl}},
 "sinks": []}
JSON
CCM_BENCH_TOKEN=bench-token "$gateway_bin" --config "$work/gateway.json" >"$work/log" 2>&1 &
gateway_pid=$!
port=
for _ in $(seq 300); do
  port=$(grep -o '"message":"listening".*' "$work/log" | grep -o '"port":"[0-9]*"' | grep -o '[0-9]\+' || true)
  if [ -n "$port" ] && curl -sf "http://127.0.0.1:$port/readyz" >/dev/null 2>&1; then break; fi
  port=
  sleep 0.1
done
[ -n "$port" ] || { echo "the gateway did not start:" >&2; cat "$work/log" >&2; exit 1; }
url=http://127.0.0.1:$port/api/v1/events

# load EVENTS_PER_REQUEST DURATION [MAX_REQUESTS] -> "events/s p50_ms p99_ms refused accepted_events"
load() {
  BENCH_TOKEN=bench-token EVENTS_PER_REQUEST=$1 BENCH_RUN="r$RANDOM$RANDOM" MAX_REQUESTS=${3:-} \
    wrk -t1 -c64 -d"$2"s --timeout 10s -s "$root/tests/bench/ingress_event.lua" "$url" |
    awk '/^RESULT/{print $2, $3, $4, $5, $6}'
}

total=0 wrk_total=0 refused=0 fill_rate='' fill_events=0 fill_seconds=0
# add RESULT: counts a load's refusals, and sets total to the events the
# gateway has taken in (ccm_ingress_events_total{result="forwarded"}, which
# also counts requests still in flight when wrk stopped; wrk's count of 202s
# where the metric is missing).
add() {
  local forwarded
  wrk_total=$((wrk_total + $(cut -d' ' -f5 <<<"$1"))) refused=$((refused + $(cut -d' ' -f4 <<<"$1")))
  forwarded=$(curl -sf "http://127.0.0.1:$port/metrics" |
    awk '/^ccm_ingress_events_total\{result="forwarded"\}/{n = $2} END{if (n != "") printf "%d", n}' || true)
  total=${forwarded:-$wrk_total}
}

# fill TARGET: loads of $per events per request until TARGET events are in.
# With the rate known, a load runs for half the time the rest needs (at most
# 30 s); the rest, when under 2 s of load, goes in one load that wrk stops
# after the requests still needed (MAX_REQUESTS) and that then idles until
# its time is up: its rate is not counted. Until the rate is known, 1 s loads
# while more than 500 000 events remain.
fill() {
  local remaining seconds limit result accepted rate
  while [ "$total" -lt "$1" ]; do
    remaining=$(($1 - total)) limit=
    if [ -n "$fill_rate" ] && [ "$remaining" -ge $((2 * fill_rate)) ]; then
      seconds=$((remaining / fill_rate / 2))
      [ "$seconds" -le 30 ] || seconds=30
    elif [ -z "$fill_rate" ] && [ "$remaining" -ge 500000 ]; then
      seconds=1
    else
      seconds=$((${fill_rate:-0} > 0 ? remaining / fill_rate + 2 : 3)) limit=$(((remaining + per - 1) / per))
    fi
    result=$(load "$per" "$seconds" "$limit")
    add "$result"
    accepted=$(cut -d' ' -f5 <<<"$result")
    rate=$(awk '{printf "%d", $1}' <<<"$result")
    if [ -z "$limit" ] || [ "$accepted" -lt $((limit * per)) ]; then  # ran its whole time
      fill_events=$((fill_events + accepted)) fill_seconds=$((fill_seconds + seconds)) fill_rate=$rate
      [ "$rate" -gt 0 ] || { echo "no event was accepted; gateway log:" >&2; tail -20 "$work/log" >&2; exit 1; }
    fi
  done
}

# settle: waits until retention is not behind (ccm_retention_behind 0 in two
# reads a second apart: a pass that ran before the fill ended may have left a
# stale 0), at most settle_max seconds; prints the seconds waited.
settle() {
  local waited=0 calm=0 behind
  while [ "$calm" -lt 2 ] && [ "$waited" -lt "$settle_max" ]; do
    sleep 1
    waited=$((waited + 1))
    behind=$(curl -sf "http://127.0.0.1:$port/metrics" | awk '/^ccm_retention_behind /{print $2}' || true)
    if [ "${behind:-0}" = 0 ]; then calm=$((calm + 1)); else calm=0; fi
  done
  echo "$waited"
}

size_mb() {
  if [ -f "$1" ]; then awk -v b="$(stat -c %s "$1")" 'BEGIN{printf "%.1f", b / 1048576}'; else echo 0.0; fi
}
# query SQL: a number from the database, read beside the gateway (WAL), if the sqlite3 shell is there.
query() {
  command -v sqlite3 >/dev/null || { echo -; return; }
  sqlite3 -cmd '.timeout 5000' "$db" "$1" 2>/dev/null || echo -
}
# Events the log holds (the gateway numbers them without gaps) and dedup keys held.
kept() { query 'SELECT COALESCE(MAX(sequence) - MIN(sequence) + 1, 0) FROM event_log'; }
dedup_keys() { query 'SELECT COUNT(*) FROM ingress_dedup'; }

echo "ingesting $events events into one gateway (SQLite, synchronous=full), retention: ${retention:-none}," \
  "dedup window: ${dedup_ttl:-86400 (default)} s;"
echo "each slice: a ${probe_seconds} s single-event probe (wrk -t1 -c64), then filled with $per events per request"
warm_up=$(load 1 2)
add "$warm_up"
echo "warm-up, 2 s of single events (not counted; events/s p50 p99 refused): $(cut -d' ' -f1-4 <<<"$warm_up")"
start=$(date +%s)
printf '%-7s %11s %9s %8s %8s %9s %8s %9s %8s %10s %10s %7s\n' slice events probe/s p50_ms p99_ms fill/s settle_s db_MB \
  wal_MB kept dedup elapsed
probe_rates=() probe_p99s=() max_mb=0
for slice in $(seq "$slices"); do
  probe=$(load 1 "$probe_seconds")
  add "$probe"
  fill $((events * slice / slices))
  settled=$(settle)
  read -r rate p50 p99 _ <<<"$probe"
  probe_rates+=("$rate") probe_p99s+=("$p99")
  db_mb=$(size_mb "$db") wal_mb=$(size_mb "$db-wal")
  max_mb=$(awk -v a="$max_mb" -v b="$db_mb" -v c="$wal_mb" 'BEGIN{print (b + c > a) ? b + c : a}')
  fill_now=$(awk -v e="$fill_events" -v s="$fill_seconds" 'BEGIN{if (s) printf "%.0f", e / s; else print "-"}')
  printf '%-7s %11d %9.0f %8.2f %8.2f %9s %8s %9s %8s %10s %10s %6ss\n' "$slice/$slices" "$total" "$rate" "$p50" \
    "$p99" "$fill_now" "$settled" "$db_mb" "$wal_mb" "$(kept)" "$(dedup_keys)" "$(($(date +%s) - start))"
  fill_events=0 fill_seconds=0
done

echo
ratio() { awk -v a="$1" -v b="$2" 'BEGIN{printf "%.0f %%", 100 * a / b}'; }
echo "single-event rate, last slice / first: $(ratio "${probe_rates[-1]}" "${probe_rates[0]}")" \
  "(${probe_rates[0]%.*} -> ${probe_rates[-1]%.*} events/s; p99 ${probe_p99s[0]} -> ${probe_p99s[-1]} ms)"
elapsed=$(($(date +%s) - start))
echo "largest database (file + -wal) at a slice's end: $max_mb MB; $total events ingested in $elapsed s," \
  "$(awk -v e="$total" -v s="$elapsed" 'BEGIN{printf "%.0f", e / s}') events/s sustained (probes, fills and catch-ups)"
metrics=$(curl -sf "http://127.0.0.1:$port/metrics" || true)
deleted=$(awk '/^ccm_retention_deleted_events_total/{print $2}' <<<"$metrics")
[ -z "$deleted" ] || echo "retention deleted $deleted events (ccm_retention_deleted_events_total)"
[ "$refused" -eq 0 ] || echo "warning: the gateway answered $refused requests with other than 2xx" >&2
if [ "$total" -gt $((events + events / 20)) ]; then
  echo "note: the probes alone went past the slices' shares ($total events for EVENTS=$events):" \
    "raise EVENTS or lower PROBE_SECONDS" >&2
fi
if [ "${PROFILE:-0}" != 0 ]; then
  echo
  echo "profile of the gateway after $total events, one single-event load of $probe_seconds s:"
  profile_load "$gateway_pid" "$work/profile" "$probe_seconds" load 1 "$probe_seconds"
fi
