#!/usr/bin/env bash
# Installs Dagster into bench/.dagster-venv, a side virtualenv used only by the benchmarks
# to compare against. Dagster is never a dependency of specrun itself.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
venv="$here/.dagster-venv"
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/pip" install -q --upgrade pip
"$venv/bin/pip" install -q dagster pytest "${@}"   # pytest: tests/conformance on Dagster
"$venv/bin/python" -c "import dagster; print('dagster', dagster.__version__)"
