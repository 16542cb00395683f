#!/usr/bin/env bash
# One entry point for people and CI. Each command installs what it needs first.
#   ./pmo.sh run                  install and start the app and the worker beside it (demo
#                                 portfolio on an empty database; PMO_WORKER=off: the app alone)
#   ./pmo.sh worker [--once]      the worker alone: scheduled reports, reminders, notifications
#   ./pmo.sh test [pytest args]   install everything (Python packages, Debian chromium, fonts,
#                                 PostgreSQL client) and run the tests, browser tests included;
#                                 without args the page and browser tests run on 3 other days
#   ./pmo.sh demo --tier L --url URL   load a demo tier into an empty database
#   ./pmo.sh bench [run args]     benchmark every page at tiers S, M, L (python -m benchmarks --help)
#   ./pmo.sh backup [--url URL] [--encrypt] [FILE]  back up the database (safe while the app
#                                 runs); --encrypt asks for a passphrase
#   ./pmo.sh restore [--url URL] FILE   replace the database with a backup
set -euo pipefail
cd "$(dirname "$0")"
VENV=.venv
PY="$VENV/bin/python"

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

python_packages() {  # $1: requirements file
  [ -x "$PY" ] || python3 -m venv "$VENV"
  "$PY" -m pip install --quiet --disable-pip-version-check -r "$1"
}

java_runtime() {  # Java for reading Microsoft Project / Primavera files (MPXJ) when the app runs
  command -v java >/dev/null || install_debian default-jre-headless
}

install_debian() {
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "$@" >/dev/null
}

debian_packages() {  # Chromium for the browser tests, fonts so pages render as users see them,
  local missing=()    # the PostgreSQL client tools for the backup tests, LibreOffice and poppler
                      # to render exported decks as a reader opens them, Java for schedule files
  command -v java >/dev/null || missing+=(default-jre-headless)
  command -v chromium >/dev/null || missing+=(chromium)
  dpkg -s fonts-noto-color-emoji >/dev/null 2>&1 || missing+=(fonts-noto-color-emoji)
  dpkg -s fonts-liberation >/dev/null 2>&1 || missing+=(fonts-liberation)
  command -v pg_dump >/dev/null || missing+=(postgresql-client)
  command -v soffice >/dev/null || missing+=(libreoffice-impress)
  command -v pdftoppm >/dev/null || missing+=(poppler-utils)
  if [ ${#missing[@]} -gt 0 ]; then
    install_debian "${missing[@]}"
  fi
}

postgres_up() {  # the PostgreSQL tests use the local server; start it if it is installed but stopped
  if command -v pg_isready >/dev/null && ! pg_isready -q -h 127.0.0.1 -p 5432; then
    as_root pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql)" main start || true
  fi
}

cmd="${1:-run}"
shift || true
case "$cmd" in
  run)
    python_packages requirements.txt
    java_runtime
    # Only this machine can reach the app unless an address is given (e.g. --server.address
    # 0.0.0.0 behind the README's proxy); the one-click demo accounts are offered only then.
    address=(--server.address 127.0.0.1)
    if [[ " $* " == *" --server.address"* || -n "${STREAMLIT_SERVER_ADDRESS:-}" ]]; then address=(); fi
    if [ "${PMO_WORKER:-on}" != off ]; then
      # The worker beside the app, so one command gives a single machine everything; it stops
      # with the app.
      "$PY" -m worker &
      worker_pid=$!
      trap 'kill "$worker_pid" 2>/dev/null || true' EXIT INT TERM
      "$VENV/bin/streamlit" run app.py "${address[@]}" "$@"
    else
      exec "$VENV/bin/streamlit" run app.py "${address[@]}" "$@"
    fi
    ;;
  worker)
    python_packages requirements.txt
    exec "$PY" -m worker "$@"
    ;;
  test)
    python_packages requirements-dev.txt
    debian_packages
    postgres_up
    # Tests sharing one app server (xdist_group) run in the same worker. Test order is random
    # (pytest-randomly; the seed is printed: replay with -p randomly --randomly-seed=N).
    pytest=("$VENV/bin/pytest" -n 2 --dist loadgroup)
    if [ $# -eq 0 ]; then
      # Tests pass on any day: the page and browser tests (marker any_day) run as on three
      # other days (a Friday of 2027 in ISO week 2026-W53, the Monday of 2027-W01, 29 Feb
      # 2028), a third of their files on each, then every other test today. Each test runs
      # once, so the whole command fits a CI limit on a slow machine.
      days=(2027-01-01 2027-01-04 2028-02-29)
      for i in 0 1 2; do
        echo "== page and browser tests, share $((i + 1)) of 3, as on ${days[i]} (PMO_TODAY)"
        PMO_TODAY=${days[i]} PMO_DAY_SHARE=$i/3 "${pytest[@]}" -m any_day
      done
      echo "== every other test, today"
      set -- -m "not any_day"
    fi
    exec "${pytest[@]}" "$@"
    ;;
  demo)
    python_packages requirements.txt
    exec "$PY" -m data_access.demo "$@"
    ;;
  bench)
    python_packages requirements-dev.txt
    debian_packages
    [ $# -gt 0 ] || set -- run
    exec "$PY" -m benchmarks "$@"
    ;;
  backup|restore)
    python_packages requirements.txt
    exec "$PY" -m data_access.core.backup "$cmd" "$@"
    ;;
  *)
    sed -n '2,12p' "$0"
    exit 2
    ;;
esac
