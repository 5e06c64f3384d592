# Helpers sourced by ingress_wrk.sh and ingest_long.sh (not run on its own).
# shellcheck shell=bash

# A throwaway PostgreSQL server, as tests/support/postgres_server.cpp starts
# one, but durable: fsync and synchronous_commit keep their defaults (on).
# It listens on 127.0.0.1 only, on a free port, with its unix socket in its
# temporary directory.  pg_start sets pg_bin, pg_dir, pg_port; pg_stop stops
# the server and removes the directory.
pg_start() {
  pg_bin=
  local candidate version best=-1
  for candidate in /usr/lib/postgresql/*/bin; do
    if [ ! -x "$candidate/initdb" ] || [ ! -x "$candidate/pg_ctl" ] || [ ! -x "$candidate/postgres" ]; then continue; fi
    version=$(basename "$(dirname "$candidate")")
    version=${version%%.*}
    if [[ $version =~ ^[0-9]+$ ]] && [ "$version" -gt "$best" ]; then best=$version pg_bin=$candidate; fi
  done
  [ -n "$pg_bin" ] || {
    echo "PostgreSQL server binaries not found under /usr/lib/postgresql/*/bin: packaging/install-deps.sh" \
      "(Debian's postgresql package)" >&2
    return 1
  }
  # PostgreSQL refuses to run as root: then it runs as the postgres user.
  pg_as=()
  if [ "$(id -u)" = 0 ]; then
    if ! id postgres >/dev/null 2>&1 || ! command -v runuser >/dev/null; then
      echo "running as root needs the 'postgres' system user and runuser" >&2
      return 1
    fi
    pg_as=(runuser -u postgres --)
  fi
  pg_dir=$(mktemp -d /tmp/ccm-bench-pg-XXXXXX)
  [ ${#pg_as[@]} = 0 ] || chown postgres: "$pg_dir"
  "${pg_as[@]}" "$pg_bin/initdb" -D "$pg_dir/data" -A trust -U postgres -E UTF8 --locale=C --no-sync \
    >"$pg_dir/initdb.log" 2>&1 || { echo "initdb failed:" >&2; cat "$pg_dir/initdb.log" >&2; return 1; }
  # A port that is taken makes the start fail; another one is tried.
  local attempt
  for attempt in 1 2 3 4 5; do
    pg_port=$((20000 + (RANDOM * 32768 + RANDOM) % 40000))
    if "${pg_as[@]}" "$pg_bin/pg_ctl" -D "$pg_dir/data" -l "$pg_dir/server.log" -w -t 60 \
      -o "-c listen_addresses=127.0.0.1 -p $pg_port -k $pg_dir" start >/dev/null 2>&1; then
      pg_started=1
      return 0
    fi
  done
  echo "PostgreSQL did not start (tried $attempt ports); server log:" >&2
  cat "$pg_dir/server.log" >&2
  return 1
}

pg_stop() {
  [ -n "${pg_dir:-}" ] || return 0
  if [ -n "${pg_started:-}" ]; then
    "${pg_as[@]}" "$pg_bin/pg_ctl" -D "$pg_dir/data" -m fast -w stop >/dev/null 2>&1 || true
  fi
  rm -rf "$pg_dir"
  pg_dir=
}

# pg_sql DATABASE SQL...: runs statements through psql, as the postgres user over TCP.
pg_sql() {
  local database=$1; shift
  "$pg_bin/psql" -qX -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$pg_port" -U postgres -d "$database" "$@" >/dev/null
}

# profile_load PID DIR SECONDS COMMAND...: perf record -g of PID while COMMAND
# (a load of about SECONDS) runs, then the top of perf report: flat (by
# symbol) and with call chains (perf report --stdio --no-children
# --percent-limit 2 | head -60).  Skips, with a note, where perf is missing or
# cannot sample.  PROFILE_DIR=dir keeps perf.data and the reports there.
profile_load() {
  local pid=$1 dir=$2 seconds=$3; shift 3
  if ! command -v perf >/dev/null; then
    echo "PROFILE: perf is missing (apt-get install linux-perf); no profile"
    return 0
  fi
  local event=() probe
  # Without hardware counters (most VMs) perf stat still exits 0 but reports
  # "<not supported>": then sample the cpu-clock software event instead.
  if probe=$(perf stat -e instructions true 2>&1) && ! grep -q 'not supported' <<<"$probe"; then
    :
  elif perf stat -e cpu-clock true >/dev/null 2>&1; then
    event=(-e cpu-clock)
    echo "(no hardware counters: perf stat -e instructions true fails; sampling cpu-clock)"
  else
    echo "PROFILE: perf cannot sample here (perf stat -e instructions true and -e cpu-clock fail); no profile"
    return 0
  fi
  mkdir -p "$dir"
  # shellcheck disable=SC2086  # PERF_OPTS is a list of options
  perf record "${event[@]}" ${PERF_OPTS:--g} -p "$pid" -o "$dir/perf.data" -- sleep "$((seconds + 1))" \
    >"$dir/record.log" 2>&1 &
  local perf_pid=$!
  sleep 0.5  # attached before the load starts
  echo "load while recorded (not counted): $("$@")"
  if ! wait "$perf_pid"; then
    echo "PROFILE: perf record failed:"; cat "$dir/record.log"
    return 0
  fi
  local report=(perf report -i "$dir/perf.data" --stdio --no-children --percent-limit 2)
  if ! "${report[@]}" -g none --sort dso,symbol >"$dir/flat.txt" 2>"$dir/report.log" ||
    ! "${report[@]}" >"$dir/report.txt" 2>>"$dir/report.log"; then
    echo "PROFILE: perf report failed:"; cat "$dir/report.log"
    return 0
  fi
  # perf pads its header to the longest symbol name: the dotted rule is left out.
  echo "flat, by symbol (perf report --no-children -g none --sort dso,symbol --percent-limit 2):"
  grep -v -e '^#' -e '^$' "$dir/flat.txt" | cut -c1-160 | sed 's/ *$//'
  echo
  echo "with call chains (perf report --stdio --no-children --percent-limit 2 | head -60):"
  grep -v '^# \.\.\.' "$dir/report.txt" | head -60 | cut -c1-160 | sed 's/ *$//'
  if [ -n "${PROFILE_DIR:-}" ]; then
    mkdir -p "$PROFILE_DIR" && cp "$dir"/perf.data "$dir"/flat.txt "$dir"/report.txt "$PROFILE_DIR"/ &&
      echo "(perf.data and the reports are in $PROFILE_DIR)"
  fi
}
