#!/usr/bin/env bash
# Runs every fuzz target of a CCM_FUZZ build for SECONDS each, starting from
# its checked-in corpus (tests/fuzz/corpus/<target>), and prints a summary.
# A crash or broken property leaves its input in BUILD/crashes/: turn it into
# a unit test (and add it to the corpus) when you fix it.
#
#   tests/fuzz/run_fuzzers.sh BUILD_DIR [SECONDS, 60] [TARGET ...]
set -euo pipefail
build=${1:?build directory of a -DCCM_FUZZ=ON build}
seconds=${2:-60}
shift $(( $# < 2 ? $# : 2 ))
here=$(cd "$(dirname "$0")" && pwd)
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  for dir in "$here"/corpus/*/; do targets+=("$(basename "$dir")"); done
fi
mkdir -p "$build/crashes"
failed=()
for target in "${targets[@]}"; do
  binary="$build/tests/fuzz/fuzz_$target"
  [ -x "$binary" ] || { echo "no $binary: build with make fuzz" >&2; exit 1; }
  work=$(mktemp -d "/tmp/ccm-fuzz-$target-XXXXXX")
  if "$binary" -max_total_time="$seconds" -max_len=65536 -timeout=10 -rss_limit_mb=2048 \
       -artifact_prefix="$build/crashes/$target-" "$work" "$here/corpus/$target" >"$build/crashes/$target.log" 2>&1; then
    printf '%-24s ok    %s\n' "$target" "$(grep -o 'Done [0-9]* runs' "$build/crashes/$target.log" | tail -1)"
  else
    printf '%-24s FAIL  see %s\n' "$target" "$build/crashes/$target.log"
    failed+=("$target")
  fi
  rm -rf "$work"
done
[ ${#failed[@]} -eq 0 ] || { echo "fuzzing found inputs that fail: ${failed[*]}" >&2; exit 1; }
