#!/usr/bin/env bash
# Builds the libFuzzer targets in Fuzz/ (-sanitize=fuzzer,address) and runs each for FUZZ_SECONDS (default 60),
# starting from Fuzz/Seeds/<kind>. The growing corpus, logs and crash inputs go to .cache/fuzz/<target>/.
# Exits 1 when a target found a crash, leak-free timeout or sanitizer report (its input is in crashes/).
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${FUZZ_SECONDS:-60}
targets=${FUZZ_TARGETS:-FuzzDICOM FuzzNIfTI FuzzTemplate FuzzCSV}

# lld links: gold fails on the sanitizer runtime ("internal error in format_file_lineno").
(cd Fuzz && swift build -c release --scratch-path ../.build-fuzz -Xswiftc -sanitize=fuzzer,address \
  -Xcxx -fsanitize=fuzzer-no-link,address -Xswiftc -Xclang-linker -Xswiftc -fuse-ld=lld)
bin=.build-fuzz/x86_64-unknown-linux-gnu/release

status=0
for target in $targets; do
  kind=$(echo "${target#Fuzz}" | tr '[:upper:]' '[:lower:]')
  work=.cache/fuzz/$target
  mkdir -p "$work/corpus" "$work/crashes"
  echo "== $target: $seconds s (seeds Fuzz/Seeds/$kind, corpus $work/corpus)"
  # Leak checking is off: the Swift runtime's process-lifetime caches read as leaks. Inputs stay small (64 KB),
  # 10 s per input is a hang, 3 GB of RSS (above the readers' 2 GiB budgets) an out-of-memory finding.
  if ! ASAN_OPTIONS=detect_leaks=0 "$bin/$target" -max_total_time="$seconds" -timeout=10 \
      -rss_limit_mb=3072 -max_len=65536 -detect_leaks=0 -print_final_stats=1 -artifact_prefix="$work/crashes/" \
      "$work/corpus" "Fuzz/Seeds/$kind" >"$work/log" 2>&1; then
    status=1
    echo "   FINDING: see $work/log and $work/crashes/"
  fi
  grep -E "^stat::number_of_executed_units|^stat::peak_rss_mb|^#[0-9]+ +DONE" "$work/log" | sed 's/^/   /' || true
done
exit $status
