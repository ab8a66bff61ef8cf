"""The API under test: `specrun` by default, `dagster` with SPECRUN_CONFORMANCE_API=dagster.

Every conformance test module does ``from tests.conformance.api import dg`` and writes its
code the way Dagster's own docs do (``dg.asset``, ``dg.materialize``), so one file checks
both implementations.
"""

from __future__ import annotations

import importlib
import os

API_NAME = os.environ.get("SPECRUN_CONFORMANCE_API", "specrun")
dg = importlib.import_module(API_NAME)
ON_DAGSTER = API_NAME == "dagster"
