#!/usr/bin/env bash
# The README's "Run it on your own study", run as a new user would: `make install` into a temporary prefix, then,
# from a folder unrelated to the source tree, the guide's shell block exactly as the README prints it (cement init,
# six small synthetic phantoms in place of a clinic's series, rate-batch, the case figure's measurement, render,
# join, stats, the CT overlay); then checks of what it wrote: the report next to the template with the version in
# its provenance, a Chinese report, the report's ANOVA P and Pearson r against `cement stats` on the joined table,
# the figures, and a broken join refused with its counts and nothing written.
# Usage: scripts/own-study-test.sh [BIN]   (BIN: the folder holding a built `cement`; default .build-release/release)
# Run by CLITests (OwnStudyGuideTests) with the test build; about 5–20 s. KEEP_WORK=1 keeps the work folder.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
bin=$(cd "${1:-$repo/.build-release/release}" && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/cement-own-study.XXXXXX")
[[ -n ${KEEP_WORK:-} ]] && echo "keeping $work" >&2 || trap 'rm -rf "$work"' EXIT
step() { printf '== %s\n' "$*" >&2; }
fail() { printf 'own-study-test: FAILED: %s\n' "$*" >&2; exit 1; }

step "make install PREFIX=$work/prefix"
make -C "$repo" --no-print-directory install-built BIN="$bin" PREFIX="$work/prefix" >/dev/null
export PATH="$work/prefix/bin:$PATH"
unset CEMENT_SHARE
[[ $(command -v cement) == "$work/prefix/bin/cement" ]] || fail "the installed cement is not the one on PATH"
mkdir -p "$work/elsewhere" && cd "$work/elsewhere"
version=$(cement --version)
[[ $version =~ ^0\.[0-9]+\.[0-9]+\ \(commit\ [0-9a-f]{40}(-dirty)?|unknown\)$ ]] || fail "cement --version printed '$version'"

step "bundled data from an unrelated folder"
cement check-paper --json | jq -e '.findings | length > 0' >/dev/null || fail "check-paper found no bundled data"
cement verify >/dev/null || fail "verify on the bundled synthetic cohort"

step "the README's guide, exactly as written (\$EDITOR stands in for the user's editing)"
guide=$(awk '/^## Run it on your own study/ {in_section = 1} in_section && /^```sh/ {in_block = 1; next}
             in_block && /^```/ {exit} in_block' "$repo/README.md")
[[ $guide == *"cement init my-study"* ]] || fail "no guide found in README.md"
EDITOR=true bash -euo pipefail -c "$guide" > guide.log 2>&1 || { cat guide.log >&2; fail "the guide stopped"; }
cd my-study
for file in report.en.md codebook.csv clinical.csv README.md; do [[ -f $file ]] || fail "init did not write $file"; done
if cement init . 2>/dev/null; then fail "a second init overwrote the project"; fi
[[ $(jq -Rn '[inputs] | length' < results.csv) == 7 ]] || fail "results.csv should hold a header and six cases"
cement rate ct/P01 > rate.txt
grep -q "cement at or above 1000 HU" rate.txt && grep -q "level 1 of 1" rate.txt || fail "rate's output: $(cat rate.txt)"

step "rendered next to the template"
[[ -s report.en.html && -s report.en.pdf ]] || fail "render did not write report.en.html and .pdf next to the template"
grep -q "$version" report.en.html || fail "the provenance does not name the version and commit"
cement init ../zh-study --language zh >/dev/null
cp clinical.csv results.csv ../zh-study/ && cp -R ct measurements ../zh-study/
cement render ../zh-study/report.zh.md --out ../zh-out --format html
[[ -s ../zh-out/report.zh.html ]] || fail "the Chinese report"

step "self-check: the report's numbers recomputed by cement stats on the joined table"
groups=$(jq -Rrn '[inputs | split(",")] | (.[0] | index("group")) as $g | [.[1:][] | .[$g]] | sort | unique | join(",")' < study.csv)
[[ $groups == "high,low,medium" ]] || fail "the engine's groups are '$groups', not two cases in each of low, medium, high"
p=$(cement stats anova study.csv --value vas_1y --group group --levels high,medium,low --json | jq -r '.p')
printed=$(jq -rn --argjson p "$p" 'if $p < 0.001 then "<0.001" else empty end')
[[ -n $printed ]] || printed=$(printf '%.3f' "$p")
grep -q ">$printed<" report.en.html || fail "the report does not print the ANOVA P of vas_1y ($printed)"
r=$(cement stats pearson study.csv --x distribution_rate_percent --y vas_1y --json | jq -r '.statistic')
# Tables print a true minus sign (U+2212).
printed_r=$(printf '%.3f' "$r" | sed 's/^-/\xe2\x88\x92/')
grep -q ">$printed_r<" report.en.html || fail "the report does not print Pearson's r of DR and vas_1y ($printed_r)"

step "figures"
cat > dr.json <<'SPEC'
{"kind": "boxplot", "value": "distribution_rate_percent", "group": "group", "levels": ["low", "medium", "high"], "y_label": "DR (%)"}
SPEC
cement figure dr.json --data study.csv --out dr.svg
[[ $(head -c 8 P01-axial.png | od -An -tx1 | tr -d ' \n') == 89504e470d0a1a0a ]] || fail "P01-axial.png is not a PNG"
grep -q "<svg" dr.svg || fail "dr.svg"

step "a broken join is an error that counts the cases, and writes nothing"
head -n 5 clinical.csv > short.csv && sed -i 's/clinical: clinical.csv/clinical: short.csv/' report.en.md
rm report.en.html report.en.pdf
set +e
message=$(cement render report.en.md 2>&1)
status=$?
set -e
[[ $status == 2 ]] || fail "a broken join exited $status, not 2"
[[ $message == *"2 of 6 rows of ct have no row in clinical: P05, P06"* ]] || fail "the join error reads: $message"
[[ ! -e report.en.html ]] || fail "a failed render wrote report.en.html"
step "passed"
