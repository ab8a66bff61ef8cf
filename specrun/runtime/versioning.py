"""Code versions, config hashes and data versions recorded with each materialization."""

from __future__ import annotations

import functools
import hashlib
import json
from types import CodeType
from typing import Any, Iterable, Mapping, Optional

CODE_VERSION_TAG = "specrun/code_version"
CONFIG_HASH_TAG = "specrun/config_hash"
DATA_VERSION_TAG = "specrun/data_version"
INPUT_DATA_VERSIONS_TAG = "specrun/input_data_versions"


def _code_fingerprint(code: CodeType) -> Iterable[bytes]:
    yield code.co_code
    yield repr(code.co_names).encode()
    for const in code.co_consts:
        if isinstance(const, CodeType):
            yield from _code_fingerprint(const)
        else:
            yield repr(const).encode()


@functools.lru_cache(maxsize=65536)
def _hash_code(code: CodeType) -> str:
    digest = hashlib.sha1()
    for part in _code_fingerprint(code):
        digest.update(part)
    return digest.hexdigest()[:16]


def code_version_of(op_def: Any, explicit: Optional[str] = None) -> str:
    """The explicit code version, else a hash of the function's bytecode and constants.

    Bytecode (not source text) so that moving a function or editing a comment does not
    make its asset stale, while any change to what it does does.
    """
    if explicit:
        return explicit
    fn = op_def.compute_fn
    code = getattr(fn, "__code__", None)
    return _hash_code(code) if code is not None else "unknown"


def config_hash(config: Any) -> str:
    """A short, stable hash of an op's processed config."""
    if config is None:
        return "none"
    if hasattr(config, "model_dump"):
        config = config.model_dump()
    text = json.dumps(config, sort_keys=True, default=str)
    return hashlib.sha1(text.encode()).hexdigest()[:16]


def data_version(code_version: str, cfg_hash: str, inputs: Mapping[str, str],
                 partition: Optional[str], run_id: str) -> str:
    """A new data version for a materialization: unique to this run and partition."""
    text = json.dumps([code_version, cfg_hash, sorted(inputs.items()), partition, run_id])
    return hashlib.sha1(text.encode()).hexdigest()[:16]
