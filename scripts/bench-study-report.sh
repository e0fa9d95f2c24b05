#!/usr/bin/env bash
# The study report (en, HTML + PDF) against R Markdown/knitr rendering an equivalent report (the same tables, read
# from the same template, and the same charts, from the same CSV; HTML only and without the CT figures, so knitr
# does less work), alternating in the same run. Needs `make report` first (the CSV and the measurement cache). R and
# knitr from Debian. Run by scripts/bench.sh; alone: scripts/bench-study-report.sh [RUNS].
#
# Warm: one unmeasured render of each first (page cache, fontconfig cache), then the median of RUNS (default
# BENCH_RUNS or 5) elapsed times, and the median CPU time (user + system) beside it, since on a shared machine the
# elapsed time also holds the waits for a core.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=.build-release/release
cache=.cache/bench
runs=${1:-${BENCH_RUNS:-5}}

if [[ ! -f report/out/cohort-with-engine.csv ]]; then
  echo "Study report: skipped (run make report first)"
  exit 0
fi
if ! command -v Rscript >/dev/null || ! Rscript -e 'library(knitr); library(rmarkdown)' >/dev/null 2>&1; then
  apt-get install -y -qq --no-install-recommends r-base-core r-cran-knitr r-cran-rmarkdown pandoc >/dev/null 2>&1 || true
fi

# Runs a command (which must succeed: a failing render timed would be a fast lie); prints "elapsed_s cpu_s".
timed() {
  python3 - "$@" <<'PY'
import resource, subprocess, sys, time
start = time.monotonic()
run = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
elapsed = time.monotonic() - start
if run.returncode != 0:
    sys.exit(f"bench: {' '.join(sys.argv[1:])} failed ({run.returncode}):\n{run.stderr.decode()}")
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
print(f"{elapsed:.4f} {usage.ru_utime + usage.ru_stime:.4f}")
PY
}
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }

knit=$cache/knitr
rm -rf "$knit"; mkdir -p "$knit"; cp scripts/bench-report/study.Rmd "$knit/"
ours_command=("$bin/cement" render report/study.en.md --out "$knit/out" --allow-path data --allow-path .cache/ct
              --allow-path .cache/measurements)
have_r=0
if command -v Rscript >/dev/null && Rscript -e 'library(knitr); library(rmarkdown)' >/dev/null 2>&1; then have_r=1; fi
peer_command=(bash -c "cd '$knit' && Rscript -e \"rmarkdown::render('study.Rmd', output_file = 'study.html', quiet = TRUE,
  params = list(template = '$PWD/report/study.en.md', data = '$PWD/report/out/cohort-with-engine.csv'))\"")

timed "${ours_command[@]}" >/dev/null
((have_r)) && timed "${peer_command[@]}" >/dev/null
ours=(); ours_cpu=(); peer=(); peer_cpu=()
for _ in $(seq "$runs"); do
  read -r t c < <(timed "${ours_command[@]}"); ours+=("$t"); ours_cpu+=("$c")
  if ((have_r)); then
    read -r t c < <(timed "${peer_command[@]}"); peer+=("$t"); peer_cpu+=("$c")
  fi
done
t_ours=$(printf '%s\n' "${ours[@]}" | median); c_ours=$(printf '%s\n' "${ours_cpu[@]}" | median)
echo "Study report (en), median of $runs warm runs: CementReport HTML + PDF $(printf '%.2f' "$t_ours") s elapsed," \
  "$(printf '%.2f' "$c_ours") s CPU (target <= 1 s)"
echo "  CementReport runs (s): ${ours[*]}"
if ((have_r)); then
  t_peer=$(printf '%s\n' "${peer[@]}" | median); c_peer=$(printf '%s\n' "${peer_cpu[@]}" | median)
  echo "  R Markdown/knitr, equivalent report to HTML only: $(printf '%.2f' "$t_peer") s elapsed," \
    "$(printf '%.2f' "$c_peer") s CPU; speed ratio (knitr / ours): $(python3 -c "print(f'{$t_peer / $t_ours:.1f}')")x elapsed," \
    "$(python3 -c "print(f'{$c_peer / $c_ours:.1f}')")x CPU (target >= 6x)"
  echo "  knitr runs (s): ${peer[*]}"
else
  echo "  R Markdown/knitr not installed (r-cran-knitr, r-cran-rmarkdown): no ratio"
fi
echo "  load average: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores"
