#!/usr/bin/env bash
# Runs every fuzz target of a CCM_FUZZ build for SECONDS each, JOBS at a time
# (default: the number of CPUs), starting from its checked-in corpus
# (tests/fuzz/corpus/<target>), and prints a summary. A crash or broken
# property leaves its input in BUILD/crashes/: turn it into a unit test (and
# add it to the corpus) when you fix it.
#
#   [JOBS=n] tests/fuzz/run_fuzzers.sh BUILD_DIR [SECONDS, 60] [TARGET ...]
set -euo pipefail
build=${1:?build directory of a -DCCM_FUZZ=ON build}
seconds=${2:-60}
shift $(( $# < 2 ? $# : 2 ))
jobs=${JOBS:-$(nproc)}
here=$(cd "$(dirname "$0")" && pwd)
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  for dir in "$here"/corpus/*/; do targets+=("$(basename "$dir")"); done
fi
crashes="$build/crashes"
mkdir -p "$crashes"

run_one() {
  local target=$1 binary="$build/tests/fuzz/fuzz_$1" work
  work=$(mktemp -d "/tmp/ccm-fuzz-$target-XXXXXX")
  if "$binary" -max_total_time="$seconds" -max_len=65536 -timeout=10 -rss_limit_mb=2048 \
       -artifact_prefix="$crashes/$target-" "$work" "$here/corpus/$target" >"$crashes/$target.log" 2>&1; then
    printf '%-24s ok    %s\n' "$target" "$(grep -o 'Done [0-9]* runs' "$crashes/$target.log" | tail -1)"
  else
    printf '%-24s FAIL  see %s\n' "$target" "$crashes/$target.log"
    touch "$crashes/$target.failed"
  fi
  rm -rf "$work"
}

for target in "${targets[@]}"; do
  [ -x "$build/tests/fuzz/fuzz_$target" ] || { echo "no $build/tests/fuzz/fuzz_$target: build with make fuzz" >&2; exit 1; }
  rm -f "$crashes/$target.failed"
done
echo "fuzzing ${#targets[@]} targets for ${seconds} s each, $jobs at a time"
for target in "${targets[@]}"; do
  while [ "$(jobs -rp | wc -l)" -ge "$jobs" ]; do wait -n || true; done
  run_one "$target" &
done
wait
failed=()
for target in "${targets[@]}"; do [ -e "$crashes/$target.failed" ] && failed+=("$target"); done
[ ${#failed[@]} -eq 0 ] || { echo "fuzzing found inputs that fail: ${failed[*]}" >&2; exit 1; }
echo "fuzzing found nothing"
