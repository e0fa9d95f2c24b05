#!/usr/bin/env bash
# Release-mode benchmarks, each against a peer doing the same work in the same run.
# Prints medians of several warm-cache runs, the speed ratio and peak memory.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=.build-release/release
cache=.cache/bench
runs=${BENCH_RUNS:-5}

python3 -c "import pydicom, numpy, SimpleITK" 2>/dev/null || pip install -q pydicom numpy SimpleITK >&2
command -v pandoc >/dev/null || { apt-get install -y -qq pandoc >/dev/null 2>&1 || true; }

median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
field() { python3 -c "import json,sys; print(json.loads(sys.argv[1])['$1'])" "$2"; }

series=$cache/series-512x512x300
if [[ ! -f $series/IM00300.dcm ]]; then
  echo "generating $series ..." >&2
  rm -rf "$series"; mkdir -p "$series"
  $bin/cement-bench generate-series "$series" --matrix 512 --slices 300
fi
cat "$series"/* > /dev/null   # warm the page cache

ours=(); peer=(); our_rss=0; peer_rss=0
for _ in $(seq "$runs"); do
  out=$($bin/cement-bench load-series "$series"); ours+=("$(field seconds "$out")"); our_rss=$(field peak_rss_bytes "$out")
  volume=$(field volume_bytes "$out"); our_sum=$(field checksum "$out")
  out=$(python3 scripts/bench_peer_load.py "$series"); peer+=("$(field seconds "$out")"); peer_rss=$(field peak_rss_bytes "$out")
  peer_sum=$(field checksum "$out")
done
t_ours=$(printf '%s\n' "${ours[@]}" | median)
t_peer=$(printf '%s\n' "${peer[@]}" | median)
python3 - "$t_ours" "$t_peer" "$our_rss" "$peer_rss" "$volume" "$our_sum" "$peer_sum" <<'PY'
import sys
t_ours, t_peer, rss_ours, rss_peer, volume, sum_ours, sum_peer = map(float, sys.argv[1:])
print("Load 512x512x300 uncompressed CT series to HU (warm cache, median of runs)")
print(f"  CementReport (DCMTK)  {t_ours:7.3f} s   peak RSS {rss_ours/2**20:7.1f} MiB = {rss_ours/volume:4.2f} x int16 volume")
print(f"  pydicom + numpy       {t_peer:7.3f} s   peak RSS {rss_peer/2**20:7.1f} MiB = {rss_peer/volume:4.2f} x int16 volume")
print(f"  speed ratio (peer / ours): {t_peer/t_ours:.1f}x    same mean HU: {abs(sum_ours-sum_peer) < 1e-6}")
PY

# Phantom generation: truth, rendering and DICOM writing, timed stage by stage (median of runs).
for shape in "256 80 0.7 1" "512 300 0.35 0.625"; do
  set -- $shape
  totals=(); out=""
  for _ in $(seq "$runs"); do
    rm -rf "$cache/phantom"
    out=$($bin/cement-bench phantom-stages "$cache/phantom" --matrix "$1" --slices "$2" --spacing "$3" --thickness "$4")
    totals+=("$(field total_seconds "$out")")
  done
  total=$(printf '%s\n' "${totals[@]}" | median)
  python3 - "$1" "$2" "$total" "$out" <<'PY'
import json, sys
matrix, slices, total, last = sys.argv[1], sys.argv[2], float(sys.argv[3]), json.loads(sys.argv[4])
print(f"Phantom {matrix}x{matrix}x{slices}: {total:.2f} s median "
      f"(last run: truth {last['truth_seconds']:.2f} s, render {last['render_seconds']:.2f} s, "
      f"DICOM {last['write_seconds']:.2f} s; peak RSS {last['peak_rss_bytes']/2**20:.0f} MiB)")
PY
done

# Series → DR on a 512×512×300 phantom, against a SimpleITK pipeline doing comparable work.
phantom=$cache/phantom-512x512x300
if [[ ! -f $phantom/truth.json ]]; then
  echo "generating $phantom ..." >&2
  rm -rf "$phantom"
  $bin/cement phantom "$phantom" --matrix 512 --slices 300 --spacing 0.35 --thickness 0.625 --dr 20 --seed 11 >/dev/null
fi
cat "$phantom"/* > /dev/null
ours=(); peer=(); out=""; pout=""
for _ in $(seq "$runs"); do
  out=$($bin/cement-bench rate-series "$phantom"); ours+=("$(field seconds "$out")")
  pout=$(python3 scripts/bench_peer_rate.py "$phantom"); peer+=("$(field seconds "$pout")")
done
t_ours=$(printf '%s\n' "${ours[@]}" | median)
t_peer=$(printf '%s\n' "${peer[@]}" | median)
python3 - "$t_ours" "$t_peer" "$out" "$pout" <<'PY'
import json, sys
t_ours, t_peer = float(sys.argv[1]), float(sys.argv[2])
ours, peer = json.loads(sys.argv[3]), json.loads(sys.argv[4])
print("Series to DR, 512x512x300 phantom (warm cache, median of runs)")
print(f"  CementReport       {t_ours:6.2f} s   peak RSS {ours['peak_rss_bytes']/2**20:6.0f} MiB = "
      f"{ours['peak_rss_bytes']/ours['volume_bytes']:.2f} x int16 volume   DR {ours['dr_percent']:.2f} %")
print(f"  SimpleITK pipeline {t_peer:6.2f} s   peak RSS {peer['peak_rss_bytes']/2**20:6.0f} MiB   "
      f"(threshold, components, fill holes; body {peer['body_ml']:.1f} ml)")
print(f"  speed ratio (peer / ours): {t_peer/t_ours:.1f}x   targets: <= 0.5 s, <= 2.5 x volume, >= 5x")
PY

# Report: a 4-table, 6-figure template to HTML and PDF, against pandoc turning the equivalent Markdown (same
# tables, the same six figures as SVG files, drawn beforehand) into a self-contained HTML file. pandoc alone:
# R Markdown is not installed here, and pandoc's PDF route needs LaTeX.
report=$cache/report
rm -rf "$report"; mkdir -p "$report"
$bin/cement render scripts/bench-report/report.md --allow-path data --out "$report" --format html >/dev/null 2>&1
python3 - "$report" <<'PY'
import re, sys, html
folder = sys.argv[1]
page = open(f"{folder}/report.html", encoding="utf-8").read()
svgs = re.findall(r"<svg.*?</svg>", page, re.S)
for i, svg in enumerate(svgs, 1):
    open(f"{folder}/fig{i}.svg", "w", encoding="utf-8").write(svg)
lines = ["---", "title: Bench report", "---", "# Results"]
for i in range(1, len(svgs) + 1):
    lines.append(f"![Figure {i}](fig{i}.svg)")
for table in re.findall(r"<table.*?</table>", page, re.S)[:4]:
    rows = [[html.unescape(re.sub("<.*?>", "", c)) for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", r)]
            for r in re.findall(r"<tr>(.*?)</tr>", table, re.S)]
    lines.append("| " + " | ".join(rows[0]) + " |")
    lines.append("|" + "---|" * len(rows[0]))
    lines += ["| " + " | ".join(r) + " |" for r in rows[1:]]
    lines.append("")
open(f"{folder}/plain.md", "w", encoding="utf-8").write("\n".join(lines) + "\n")
PY
ours=(); peer=()
for _ in $(seq "$runs"); do
  start=$(date +%s.%N); $bin/cement render scripts/bench-report/report.md --allow-path data --out "$report/out" >/dev/null 2>&1; end=$(date +%s.%N)
  ours+=("$(python3 -c "print($end - $start)")")
  if command -v pandoc >/dev/null; then
    start=$(date +%s.%N); (cd "$report" && pandoc -s --self-contained plain.md -o plain.html 2>/dev/null); end=$(date +%s.%N)
    peer+=("$(python3 -c "print($end - $start)")")
  fi
done
t_ours=$(printf '%s\n' "${ours[@]}" | median)
echo "Report (4 tables, 6 figures): CementReport HTML + PDF $(printf '%.2f' "$t_ours") s (target <= 1 s)"
if ((${#peer[@]})); then
  t_peer=$(printf '%s\n' "${peer[@]}" | median)
  echo "  pandoc, equivalent Markdown to self-contained HTML only: $(printf '%.2f' "$t_peer") s"
fi

# The study report (en, HTML + PDF) against R Markdown/knitr, in its own script (runnable alone).
scripts/bench-study-report.sh "$runs"

# Department audit: `cement audit ingest` of N phantom series (128², classic; the demo department's) into a fresh
# registry — content hashes, pseudonymous IDs, one transaction per series — against plain `rate-batch` measuring
# the same series into a CSV, both with 2 jobs. AUDIT_BENCH_SERIES sets N (default 200, a multiple of 4).
audit_n=${AUDIT_BENCH_SERIES:-200}
audit=$cache/audit-$audit_n
if [[ ! -f $audit/manifest.csv ]]; then
  echo "generating $audit_n demo series in $audit ..." >&2
  $bin/cement audit demo "$audit" --per-quarter $((audit_n / 4)) >/dev/null
fi
cat "$audit"/series/*/* > /dev/null
peak() {  # runs a command; prints "seconds peak_rss_bytes"
  python3 - "$@" <<'PY'
import resource, subprocess, sys, time
start = time.monotonic()
subprocess.run(sys.argv[1:], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
print(time.monotonic() - start, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024)
PY
}
rm -rf "$audit/bench-registry" "$audit/bench-batch.csv"; mkdir -p "$audit/bench-registry"
read -r t_ingest rss_ingest < <(peak $bin/cement audit ingest "$audit/series" --registry "$audit/bench-registry/registry.sqlite" --jobs 2)
read -r t_batch rss_batch < <(peak $bin/cement rate-batch "$audit/series" --out "$audit/bench-batch.csv" --jobs 2)
read -r t_again _ < <(peak $bin/cement audit ingest "$audit/series" --registry "$audit/bench-registry/registry.sqlite" --jobs 2)
python3 - "$audit_n" "$t_ingest" "$rss_ingest" "$t_batch" "$rss_batch" "$t_again" <<'PY'
import sys
n = int(sys.argv[1]); t_i, rss_i, t_b, rss_b, t_a = map(float, sys.argv[2:])
print(f"Audit ingest of {n} phantom series (128x128, 2 jobs)")
print(f"  cement audit ingest  {t_i:7.2f} s  {n / t_i:6.2f} series/s   peak RSS {rss_i / 2**20:6.0f} MiB")
print(f"  cement rate-batch    {t_b:7.2f} s  {n / t_b:6.2f} series/s   peak RSS {rss_b / 2**20:6.0f} MiB")
print(f"  ratio (ingest / rate-batch time): {t_i / t_b:.2f}x;   re-ingest (all registered, hashes only): {t_a:.2f} s")
PY
