#!/usr/bin/env bash
# Peak resident memory of the real checklist on a generated plan of N cases (default 10,000):
# scimplan runs in a pseudo-terminal (120x40) under /usr/bin/time, the capabilities are
# confirmed, the main screen is drawn, a case is marked, and q quits; once with a new session and
# once with a session where every case is marked (examples/large_plan --marked: 20,000 history
# entries). Also `status` on the marked plan.
# Usage: benches/memory.sh [CASES]     (needs python3 and /usr/bin/time; SCIMPLAN_BIN=another build,
# RUNS=how many times each is measured)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
cases=${1:-10000}
cargo build --quiet --release --bin scimplan --example large_plan
bin="$root/target/release/scimplan"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$root/target/release/examples/large_plan" "$work/large.xlsx" "$cases" >/dev/null
"$root/target/release/examples/large_plan" "$work/marked.xlsx" "$cases" --marked >/dev/null
bin="${SCIMPLAN_BIN:-$bin}"   # another build to compare with

checklist() {
python3 - "$bin" "$1" "$2" <<'PY'
import fcntl, os, pty, select, struct, sys, termios, time
binary, plan, out = sys.argv[1:4]
pid, fd = pty.fork()
if pid == 0:
    fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
    os.environ["SCIMPLAN_CONFIG"] = os.path.join(os.path.dirname(plan), "no-config.toml")
    os.execv("/usr/bin/time", ["time", "-f", "%M", "-o", out, binary, plan, "--tester", "Bench"])
def settle(seconds=1.5):
    """Reads what scimplan draws for a while (it redraws on a timer, so it is never quiet)."""
    deadline = time.time() + seconds
    got = b""
    while time.time() < deadline:
        ready, _, _ = select.select([fd], [], [], 0.1)
        if ready:
            try:
                got += os.read(fd, 65536)
            except OSError:
                break
    return got
if b"Capabilities" in settle(3.0):
    os.write(fd, b"\r")
    settle()
os.write(fd, b"p")
settle()
os.write(fd, b"q")
_, status = os.waitpid(pid, 0)
if status != 0:
    sys.exit(f"scimplan exited with status {status}")
PY
}
# Each measure is taken RUNS times (default 3): the median and the range are reported (the peak
# moves by a few MB with when the threads that read the plan and the session run).
runs=${RUNS:-3}
report() {
  sort -n "$2" | awk -v what="$1" '{ v[NR] = $1 } END {
    printf "%s: peak RSS median %.1f MB (%d runs, %.1f to %.1f MB)\n", what, v[int((NR + 1) / 2)] / 1024, NR, v[1] / 1024, v[NR] / 1024 }'
}
: >"$work/all-new"; : >"$work/all-marked"; : >"$work/all-status"
for _ in $(seq "$runs"); do
  checklist "$work/large.xlsx" "$work/rss-new"
  cat "$work/rss-new" >>"$work/all-new"
  checklist "$work/marked.xlsx" "$work/rss-marked"
  cat "$work/rss-marked" >>"$work/all-marked"
  /usr/bin/time -f "%M" -o "$work/rss-status" "$bin" status "$work/marked.xlsx" >/dev/null || true
  cat "$work/rss-status" >>"$work/all-status"
done
report "checklist on $cases cases, new session" "$work/all-new"
report "checklist on $cases cases, every case marked" "$work/all-marked"
report "status on $cases cases, every case marked" "$work/all-status"
echo "(load average $(cut -d' ' -f1 /proc/loadavg))"
