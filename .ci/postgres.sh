#!/usr/bin/env bash
# Makes a PostgreSQL server available for the storage tests and prints the line to export:
#   eval "$(.ci/postgres.sh)"
# It installs Debian's postgresql package when no server is present (CI=true or
# SPECRUN_START_POSTGRES=1), starts the cluster, and creates role and database `specrun`.
# Idempotent and quick when a server already answers. All chatter goes to stderr.
set -uo pipefail
URL="postgresql://specrun:specrun@127.0.0.1:5432/specrun"
say() { echo "postgres.sh: $*" >&2; }

if pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then
  :
elif [ "${CI:-}" = "true" ] || [ "${SPECRUN_START_POSTGRES:-}" = "1" ]; then
  if ! ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1; then
    say "installing postgresql (Debian package)"
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql) >&2 || { say "install failed"; exit 0; }
  fi
  version=$(ls /usr/lib/postgresql | sort -V | tail -1)
  if ! pg_lsclusters -h 2>/dev/null | grep -q .; then
    pg_createcluster "$version" main >&2 || true
  fi
  cluster=$(pg_lsclusters -h | awk 'NR==1 {print $1" "$2}')
  pg_ctlcluster $cluster start >&2 2>&1 || service postgresql start >&2 2>&1 || true
  for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 0.5; done
else
  say "no server on 127.0.0.1:5432 (set SPECRUN_START_POSTGRES=1 to install and start one)"
  exit 0
fi

if pg_isready -q -h 127.0.0.1 -p 5432; then
  su postgres -c "psql -qtAc \"SELECT 1 FROM pg_roles WHERE rolname='specrun'\"" 2>/dev/null | grep -q 1 ||
    su postgres -c "psql -qc \"CREATE ROLE specrun LOGIN SUPERUSER PASSWORD 'specrun'\"" >&2
  su postgres -c "psql -qtAc \"SELECT 1 FROM pg_database WHERE datname='specrun'\"" 2>/dev/null | grep -q 1 ||
    su postgres -c "createdb -O specrun specrun" >&2
  echo "export SPECRUN_TEST_POSTGRES_URL=$URL"
fi
