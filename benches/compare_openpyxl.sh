#!/usr/bin/env bash
# The completed workbook's speed against openpyxl, the Python library a tester might script the
# same job with, measured with hyperfine on this machine:
#   1. `scimplan export` of a generated plan of N cases (default 10,000), every case marked,
#      against openpyxl loading and saving the same plan;
#   2. `scimplan status` on Okta's v2 plan against openpyxl's load and save of it (when the real
#      workbook is found: SCIMPLAN_REAL_PLANS or ../shared/plans).
# Usage: benches/compare_openpyxl.sh [CASES]    (needs hyperfine and python3; installs openpyxl
# into target/bench-venv). Results also go to target/compare-openpyxl.md.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
cases=${1:-10000}
OPENPYXL_VERSION=3.1.5

command -v hyperfine >/dev/null || { echo "hyperfine is needed (apt-get install hyperfine)" >&2; exit 2; }
venv="$root/target/bench-venv"
if ! "$venv/bin/python" -c "import openpyxl; assert openpyxl.__version__ == '$OPENPYXL_VERSION'" 2>/dev/null; then
  echo "==> installing openpyxl $OPENPYXL_VERSION into $venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check "openpyxl==$OPENPYXL_VERSION"
fi

echo "==> building scimplan (release)"
cargo build --quiet --release --bin scimplan --example large_plan
bin="$root/target/release/scimplan"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$root/target/release/examples/large_plan" "$work/large.xlsx" "$cases" --marked >/dev/null
cat >"$work/roundtrip.py" <<'PY'
import sys
import openpyxl
book = openpyxl.load_workbook(sys.argv[1])
book.save(sys.argv[2])
PY

# Medians (a run slowed by other work on the machine moves the mean, not the median), the
# ratio of the medians, the CPU time each used, and the load average while measuring.
medians() {
python3 - "$1" <<'PY'
import json, os, statistics, sys
results = json.load(open(sys.argv[1]))["results"]
def median(values):
    return statistics.median(values) * 1000 if isinstance(values, list) else values * 1000
rows = [(r["command"], median(r["times"]), median(r["user"]) + median(r["system"])) for r in results]
print()
for name, wall, cpu in rows:
    print(f"- {name}: median {wall:.1f} ms (user+system {cpu:.1f} ms)")
(_, ours, ours_cpu), (_, theirs, theirs_cpu) = rows[0], rows[1]
print(f"- ratio of the medians: {theirs / ours:.2f}x (of CPU time: {theirs_cpu / ours_cpu:.2f}x); load average {os.getloadavg()[0]:.2f}")
PY
}

report="$root/target/compare-openpyxl.md"
: >"$report"
echo "==> export of a $cases-case plan, every case marked"
hyperfine --warmup 2 --min-runs 10 --export-markdown "$work/export.md" --export-json "$work/export.json" \
  -n "scimplan export ($cases cases)" "$bin export $work/large.xlsx -o $work/out.xlsx --force" \
  -n "openpyxl load+save ($cases cases)" "$venv/bin/python $work/roundtrip.py $work/large.xlsx $work/py-out.xlsx"
cat "$work/export.md" >>"$report"
medians "$work/export.json" >>"$report"

plans="${SCIMPLAN_REAL_PLANS:-$root/../shared/plans}"
if [ -f "$plans/okta-scim-test-plan-v2.xlsx" ]; then
  cp "$plans/okta-scim-test-plan-v2.xlsx" "$work/v2.xlsx"
  chmod u+w "$work/v2.xlsx"
  "$bin" status "$work/v2.xlsx" >/dev/null
  echo "==> status on Okta's v2 plan"
  hyperfine --warmup 3 --min-runs 20 -N -i --export-markdown "$work/status.md" --export-json "$work/status.json" \
    -n "scimplan status (v2)" "$bin status $work/v2.xlsx" \
    -n "openpyxl load+save (v2)" "$venv/bin/python $work/roundtrip.py $work/v2.xlsx $work/v2-py.xlsx"
  echo >>"$report"
  cat "$work/status.md" >>"$report"
  medians "$work/status.json" >>"$report"
else
  echo "skipping the v2 comparison: okta-scim-test-plan-v2.xlsx not found in $plans"
fi
echo "==> written to $report"
cat "$report"
