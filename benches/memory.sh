#!/usr/bin/env bash
# Peak resident memory of the real checklist on a generated plan of N cases (default 10,000):
# scimplan runs in a pseudo-terminal (120x40) under /usr/bin/time, the capabilities are
# confirmed, the main screen is drawn, a case is marked, and q quits. Also `status` on the plan.
# Usage: benches/memory.sh [CASES]     (needs python3 and /usr/bin/time)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
cases=${1:-10000}
cargo build --quiet --release --bin scimplan --example large_plan
bin="$root/target/release/scimplan"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$root/target/release/examples/large_plan" "$work/large.xlsx" "$cases" >/dev/null
bin="${SCIMPLAN_BIN:-$bin}"   # another build to compare with

python3 - "$bin" "$work/large.xlsx" "$work/rss" <<'PY'
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
echo "checklist on $cases cases: peak RSS $(( $(cat "$work/rss") / 1024 )) MB ($(cat "$work/rss") KB)"
/usr/bin/time -f "%M" -o "$work/rss-status" "$bin" status "$work/large.xlsx" >/dev/null || true
echo "status on $cases cases: peak RSS $(( $(cat "$work/rss-status") / 1024 )) MB"
