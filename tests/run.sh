#!/usr/bin/env bash
# The one command that sets up and runs every check: formatting, lints, all tests.
# Usage: ./tests/run.sh   (from anywhere; needs cargo and python3)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

# The real SCIM server the verify tests run against, pinned, in a virtual environment.
SCIM2_SERVER_VERSION=0.8.3
venv="$root/.venv"
# (The version is read whole before comparing: `pip show | grep -q` under pipefail fails at
# random when grep exits before pip has written everything.)
installed=$("$venv/bin/pip" show scim2-server 2>/dev/null | sed -n 's/^Version: //p' || true)
if [ ! -x "$venv/bin/scim2-server" ] || [ "$installed" != "$SCIM2_SERVER_VERSION" ]; then
  echo "==> installing scim2-server $SCIM2_SERVER_VERSION into $venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check "scim2-server==$SCIM2_SERVER_VERSION"
fi
export SCIMPLAN_SCIM_SERVER="$venv/bin/scim2-server"

# Okta's real workbooks, when the shared folder is beside the checkout (it is in CI; a fresh
# clone has none and runs on generated workbooks).
if [ -z "${SCIMPLAN_REAL_PLANS:-}" ] && [ -d "$root/../shared/plans" ]; then
  export SCIMPLAN_REAL_PLANS="$root/../shared/plans"
fi
if [ -n "${SCIMPLAN_REAL_PLANS:-}" ]; then
  export SCIMPLAN_REQUIRE_REAL_PLANS=1
fi
# Okta's published files (Runscope exports, initial scripts, the management OpenAPI the Okta
# double is validated against), read where they lie, never copied in. Without them the tests use
# files of their own in Okta's formats and say once what they skip.
if [ -z "${SCIMPLAN_OKTA_FILES:-}" ] && [ -d "$root/../shared/okta" ]; then
  export SCIMPLAN_OKTA_FILES="$root/../shared/okta"
fi
if [ -n "${SCIMPLAN_OKTA_FILES:-}" ]; then
  export SCIMPLAN_REQUIRE_OKTA_FILES=1
fi

# LibreOffice, headless: the export tests check that the completed workbook opens without repair.
if ! command -v soffice >/dev/null 2>&1; then
  echo "==> installing libreoffice-calc-nogui (provides soffice)"
  as_root=""
  if [ "$(id -u)" -ne 0 ]; then as_root="sudo"; fi
  $as_root apt-get update -qq
  $as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends libreoffice-calc-nogui
fi
export SCIMPLAN_REQUIRE_SOFFICE=1

echo "==> cargo fmt --check"
cargo fmt --all -- --check
echo "==> cargo clippy"
cargo clippy --all-targets --locked -- -D warnings
echo "==> cargo test"
cargo test --all-targets --locked
