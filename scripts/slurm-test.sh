#!/usr/bin/env bash
# A real single-node Slurm cluster on loopback, started and stopped here: munged, slurmctld and slurmd with a
# generated slurm.conf and cgroup.conf in a temporary folder. 40 phantoms measured as an 8-task array job
# (cement slurm-script) must give exactly the results of one cement rate-batch run; one task is killed with
# SIGKILL mid-way, the merge job must then not run, and after that task is submitted again (it resumes) the
# merge must still be byte-identical. Needs root (Debian's slurm-wlm and munge are installed when missing).
# Usage: scripts/slurm-test.sh [path/to/cement]     (default .build-release/release/cement)
set -euo pipefail
cd "$(dirname "$0")/.."
cement=$(realpath "${1:-.build-release/release/cement}")
[[ -x "$cement" ]] || { echo "error: $cement not found; run make release" >&2; exit 2; }

missing=()
for package in slurm-wlm munge; do
  [[ "$(dpkg-query -W -f='${Status}' "$package" 2>/dev/null || true)" == "install ok installed" ]] || missing+=("$package")
done
if ((${#missing[@]})); then
  echo "Installing: ${missing[*]}" >&2
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

tmp=$(mktemp -d /tmp/cement-slurm.XXXXXX)
chmod 755 "$tmp"
pids=()
passed=0
cleanup() {
  # Jobs still on this private cluster (after a failure) are cancelled before its daemons stop.
  if [[ -n "${SLURM_CONF:-}" ]]; then
    jobs=$(squeue -h -o %i 2>/dev/null || true)
    if [[ -n "$jobs" ]]; then scancel $jobs 2>/dev/null || true; sleep 2; fi
  fi
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  if ((passed)); then rm -rf "$tmp"; else echo "slurm-test: logs kept in $tmp" >&2; fi
}
trap cleanup EXIT
fail() { echo "slurm-test: FAILED: $*" >&2; exit 1; }
step() { echo "slurm-test: $*" >&2; }

# munge: a fresh key and a private socket.
mkdir -p "$tmp/munge" "$tmp/etc" "$tmp/state" "$tmp/spool" "$tmp/log"
chmod 700 "$tmp/munge"
mungekey --create --keyfile="$tmp/munge/munge.key"
munged --foreground --force --key-file="$tmp/munge/munge.key" --socket="$tmp/munge/munge.socket" \
  --pid-file="$tmp/munge/munged.pid" --log-file="$tmp/log/munged.log" --seed-file="$tmp/munge/munged.seed" \
  >"$tmp/log/munged.out" 2>&1 &
pids+=($!)
for _ in $(seq 50); do [[ -S "$tmp/munge/munge.socket" ]] && break; sleep 0.1; done
[[ -S "$tmp/munge/munge.socket" ]] || fail "munged did not start (see $tmp/log/munged.log)"

# Ports from this process id, so that two runs on one machine do not collide.
port=$((20000 + ($$ % 20000)))
host=$(hostname -s)
cat > "$tmp/etc/slurm.conf" <<CONF
ClusterName=cementtest
SlurmctldHost=$host(127.0.0.1)
SlurmctldPort=$port
SlurmdPort=$((port + 1))
CommunicationParameters=NoInAddrAny
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket=$tmp/munge/munge.socket
CredType=cred/munge
StateSaveLocation=$tmp/state
SlurmdSpoolDir=$tmp/spool
SlurmctldPidFile=$tmp/slurmctld.pid
SlurmdPidFile=$tmp/slurmd.pid
SlurmctldLogFile=$tmp/log/slurmctld.log
SlurmdLogFile=$tmp/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
MpiDefault=none
ReturnToService=2
MinJobAge=3600
NodeName=cementnode NodeAddr=127.0.0.1 CPUs=2 RealMemory=4000 State=UNKNOWN
PartitionName=test Nodes=cementnode Default=YES MaxTime=INFINITE State=UP
CONF
# Processes are tracked without cgroups (proctrack/linuxproc, task/none), which containers often lack.
cat > "$tmp/etc/cgroup.conf" <<CONF
CgroupPlugin=autodetect
IgnoreSystemd=yes
CONF
export SLURM_CONF="$tmp/etc/slurm.conf"
slurmctld -D -i -f "$SLURM_CONF" >"$tmp/log/slurmctld.out" 2>&1 &
pids+=($!)
slurmd -D -N cementnode -f "$SLURM_CONF" >"$tmp/log/slurmd.out" 2>&1 &
pids+=($!)
for _ in $(seq 100); do
  [[ "$(sinfo -h -n cementnode -o %T 2>/dev/null)" == idle ]] && break
  sleep 0.3
done
[[ "$(sinfo -h -n cementnode -o %T 2>/dev/null)" == idle ]] || fail "the node did not come up (see $tmp/log)"
step "slurmctld and slurmd up on 127.0.0.1:$port"

# 40 small phantoms (256×256, 0.7 mm pixels, 1.25 mm slices), case IDs with commas, quotes and spaces.
step "generating 40 phantoms"
for i in $(seq 0 39); do
  "$cement" phantom "$tmp/ct/c$i" --seed $((7000 + i)) --dr $((4 + i % 30)) --matrix 256 --spacing 0.7 \
    --thickness 1.25 >/dev/null 2>&1 || fail "phantom $i"
done
python3 - "$tmp" <<'PY'
import csv, sys
root = sys.argv[1]
with open(f"{root}/manifest.csv", "w", newline="") as f:
    w = csv.writer(f)
    w.writerow(["case_id", "path"])
    for i in range(40):
        case = {3: 'case 3, "left"', 17: "case\n17"}.get(i, f"case-{i:02d}")
        w.writerow([case, f"ct/c{i}"])
PY

step "single run"
"$cement" rate-batch "$tmp/manifest.csv" --jobs 2 --out "$tmp/single.csv" 2>"$tmp/log/single.err" \
  || fail "single run: $(cat "$tmp/log/single.err")"

# The largest shard is the one killed; shards by an independent FNV-1a (64 bit) + MurmurHash3 fmix64 in Python.
victim=$(python3 - "$tmp" <<'PY'
import csv, sys, collections
def fnv1a(data):
    h = 0xcbf29ce484222325
    for b in data:
        h = ((h ^ b) * 0x100000001b3) % 2**64
    return h
def fmix64(k):
    k ^= k >> 33
    k = (k * 0xff51afd7ed558ccd) % 2**64
    k ^= k >> 33
    k = (k * 0xc4ceb9fe1a85ec53) % 2**64
    return k ^ (k >> 33)
rows = list(csv.DictReader(open(f"{sys.argv[1]}/manifest.csv", newline="")))
shards = [fmix64(fnv1a(r["case_id"].encode())) % 8 for r in rows]
sizes = collections.Counter(shards)
with open(f"{sys.argv[1]}/expected-shards.txt", "w") as f:
    f.writelines(f"{s}\n" for s in shards)
print(max(range(8), key=lambda s: (sizes[s], -s)))
PY
)
"$cement" slurm-script "$tmp/manifest.csv" --shards 8 --work "$tmp/work" --out "$tmp/submit.sh" 2>/dev/null
submitted=$("$tmp/submit.sh")
array=$(sed -E 's/^array job ([0-9]+).*/\1/' <<<"$submitted")
merge=$(sed -E 's/.*merge job ([0-9]+)$/\1/' <<<"$submitted")
step "$submitted; killing task $victim mid-way"

state() { scontrol show job "$1" 2>/dev/null | sed -nE 's/.*JobState=([A-Z_]+).*/\1/p' | head -1; }
shard="$tmp/work/shards/shard-$victim.json"
progress() {
  python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(len(d["cases"]), len(d["assigned"]))' "$shard" 2>/dev/null \
    || echo "0 1"
}
killed=""
for _ in $(seq 3000); do
  if [[ -f "$shard" ]]; then
    read -r done total < <(progress)
    if ((done >= 1 && done < total)); then
      scancel --signal=KILL "${array}_${victim}"
      killed="$done of $total"
      break
    fi
    ((done < total)) || break
  fi
  sleep 0.02
done
[[ -n "$killed" ]] || fail "task $victim finished before it could be killed mid-way"
step "killed task $victim after $killed case(s)"

for _ in $(seq 600); do
  [[ -z "$(squeue -h -j "$array" -o %i 2>/dev/null)" ]] && break
  sleep 0.5
done
[[ -z "$(squeue -h -j "$array" -o %i)" ]] || fail "the array job did not finish"
victim_state=$(state "${array}_${victim}")
[[ "$victim_state" == FAILED || "$victim_state" == CANCELLED ]] || fail "task $victim ended $victim_state, not killed"
# The scheduler marks the merge's dependency as never satisfied on its next pass.
for _ in $(seq 120); do
  reason=$(squeue -h -j "$merge" -o %r)
  [[ "$reason" == DependencyNeverSatisfied ]] && break
  sleep 0.5
done
[[ "$reason" == DependencyNeverSatisfied ]] || fail "the merge job is '$reason', should wait on a dependency never satisfied"
scancel "$merge"
if "$cement" rate-merge "$tmp/work/shards" --out "$tmp/partial.csv" 2>"$tmp/log/partial-merge.err"; then
  fail "rate-merge accepted an interrupted shard"
fi
grep -q "incomplete" "$tmp/log/partial-merge.err" || fail "partial merge: $(cat "$tmp/log/partial-merge.err")"
[[ ! -e "$tmp/partial.csv" ]] || fail "a refused merge wrote output"

step "task $victim ended $victim_state, merge job held ($reason); submitting task $victim again"
resubmitted=$("$tmp/submit.sh" "$victim")
merge=$(sed -E 's/.*merge job ([0-9]+)$/\1/' <<<"$resubmitted")
for _ in $(seq 600); do
  [[ -z "$(squeue -h -j "$merge" -o %i 2>/dev/null)" ]] && break
  sleep 0.5
done
[[ "$(state "$merge")" == COMPLETED ]] || fail "merge job $merge: $(state "$merge") ($(cat "$tmp"/work/logs/merge-"$merge".log))"
grep -q "already measured" "$tmp"/work/logs/rate-*_"$victim".log || fail "the rerun of task $victim did not resume"

cmp "$tmp/single.csv" "$tmp/work/results.csv" || fail "merged results differ from the single run"
python3 - "$tmp" <<'PY' || fail "shard assignment differs from the one computed in Python"
import json, sys, csv
root = sys.argv[1]
rows = list(csv.DictReader(open(f"{root}/manifest.csv", newline="")))
expected = [int(x) for x in open(f"{root}/expected-shards.txt")]
for shard in range(8):
    assigned = set(json.load(open(f"{root}/work/shards/shard-{shard}.json"))["assigned"])
    want = {r["case_id"] for r, s in zip(rows, expected) if s == shard}
    assert assigned == want, (shard, assigned ^ want)
measured = list(csv.DictReader(open(f"{root}/work/results.csv", newline="")))
assert sorted({r["case_id"] for r in measured}) == sorted(r["case_id"] for r in rows)
assert all(r["status"] == "measured" for r in measured)
PY
passed=1
echo "slurm-test: passed: 40 cases in 8 array tasks, task $victim killed after $killed and resumed; merge identical to the single run ($(wc -c <"$tmp/single.csv") bytes)"
