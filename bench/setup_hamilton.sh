#!/usr/bin/env bash
# Installs Hamilton (sf-hamilton) into bench/.hamilton-venv, a side virtualenv used only by
# the benchmarks to compare against. Hamilton is never a dependency of specrun itself.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
venv="$here/.hamilton-venv"
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/pip" install -q --upgrade pip
"$venv/bin/pip" install -q sf-hamilton "${@}"
"$venv/bin/python" -c "import hamilton.version as v; print('hamilton', '.'.join(map(str, v.VERSION)))"
