"""Code versions, config hashes and data versions recorded with each materialization."""

from __future__ import annotations

import functools
import hashlib
import json
import json.encoder
from types import CodeType
from typing import Any, Callable, Iterable, Mapping, Optional

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


def _json_writer(sort_keys: bool) -> Callable[[Any], str]:
    """A function returning exactly `json.dumps(value, sort_keys=sort_keys)`, whose encoder is
    made once.

    `json.dumps` makes a new C encoder on every call, about half its cost for the few short
    strings of a version record; materializing an asset writes two such records. There are
    no cycles in them to look for, so the encoder keeps no state and is safe to share.
    """
    encoder = json.JSONEncoder(sort_keys=sort_keys, check_circular=False)
    make_c_encoder = json.encoder.c_make_encoder
    if make_c_encoder is None:  # a Python without json's C speedups
        return encoder.encode
    encode = make_c_encoder(None, encoder.default, json.encoder.encode_basestring_ascii, None,
                            encoder.key_separator, encoder.item_separator, sort_keys, False, True)
    return lambda value: "".join(encode(value, 0))


_to_json = _json_writer(sort_keys=False)
_to_sorted_json = _json_writer(sort_keys=True)


def data_version(code_version: str, cfg_hash: str, inputs: Mapping[str, str],
                 partition: Optional[str], run_id: str) -> str:
    """A new data version for a materialization: unique to this run and partition."""
    text = _to_json([code_version, cfg_hash, sorted(inputs.items()), partition, run_id])
    return hashlib.sha1(text.encode()).hexdigest()[:16]


def input_data_versions_text(inputs: Mapping[str, str]) -> str:
    """The INPUT_DATA_VERSIONS_TAG of a materialization: its inputs' data versions as JSON."""
    return _to_sorted_json(inputs)
