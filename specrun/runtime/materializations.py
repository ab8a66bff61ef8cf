"""What an asset materialization records beside its value: its code version, config hash and
the data versions of what it read, worked out into the tags staleness compares."""

from __future__ import annotations

from operator import itemgetter
from types import FunctionType
from typing import Any, Iterator, Optional

from .definitions.metadata import normalize_metadata
from .definitions.results import AssetMaterialization
from .events import ET, new_event
from .job_cache import per_job
from .plan import asset_input_partition_keys
from .plan_unpartitioned import NodeStep
from .code_version import function_version_and_parts_text
from . import versioning as v


class AssetVersionFacts:
    """The parts of an asset's version tags that are fixed for a run: code version, config
    hash and which upstream assets it reads (made by `asset_version_facts`), the tags those
    make (`fixed_tags`) and the key of `run.data_versions` its unpartitioned materializations
    are recorded under (`version_key`, `(asset_key, None)`: made once, not a tuple a step).
    No `__init__`: a class call without one makes an instance for ~0.3k instructions less
    than `object.__new__`. An asset output's `outputs.OutputFacts` is one too: the job's plan
    fills those of a run without config into it (`facts_without_config`), no object more.
    `inputs` is None when `one_input` says it (an asset that reads one upstream asset, facts
    made by `facts_without_config`): `read_inputs` makes it from there, the plan keeps one.
    Its slots that a plain asset step's run reads come first: see `outputs.OutputFacts`."""

    __slots__ = ("asset_key", "version_key", "message", "description", "one_input", "fixed_tags",
                 "version_prefix", "inputs", "code_version", "config_hash", "explain_tags")


def asset_version_facts(run: Any, node: Any, asset_key: Any) -> AssetVersionFacts:
    """The version facts of `node`'s asset `asset_key` in `run` (which may give it config)."""
    config, _ = run.node_config(node)
    if config is None:  # (most assets) the job keeps these facts (`RunContext.asset_versions`)
        return facts_without_config(node, asset_key)
    facts = AssetVersionFacts()
    facts.asset_key, facts.version_key = asset_key, asset_key.unpartitioned
    facts.description = node.asset.description
    fixed = _fixed_facts(run.job, node, asset_key)
    facts.code_version, code_parts, facts.inputs, facts.message, _ = fixed
    facts.config_hash = v.config_hash(config)
    facts.version_prefix = v.version_text_prefix(facts.code_version, facts.config_hash)
    facts.one_input = _one_input(facts.inputs, facts.version_prefix)
    # What `plan` reads to say what changed (code parts, masked config), when known.
    explain = {v.CODE_PARTS_TAG: code_parts, v.CONFIG_TAG: v.config_text(config)}
    facts.explain_tags = {k: text for k, text in explain.items() if text is not None}
    facts.fixed_tags = fixed_tags(facts.code_version, facts.config_hash, facts.explain_tags)
    return facts


def facts_without_config(node: Any, asset_key: Any, facts: Optional[AssetVersionFacts] = None,
                         checked: Any = None) -> AssetVersionFacts:
    """`asset_version_facts(run, node, asset_key)` of a run that gives `node` no config (the
    caller has read it), without a second read of the node's config: what `_facts_of`,
    `version_text_prefix` and `_one_input` give, with the common case (one input, no plain
    deps) made in one pass. Set in `facts` when given (the output's `OutputFacts`, whose
    `asset_key` is `asset_key`), else in a new `AssetVersionFacts`. `checked`: the pass asking,
    if any (see `function_version_and_parts_text`)."""
    if facts is None:
        facts = AssetVersionFacts()
        facts.asset_key = asset_key
    asset = node.asset
    facts.description = asset.description  # (its materializations': `materialization`)
    fn = node.op_def.compute_fn
    if fn.__class__ is FunctionType and not asset.code_version and not asset.tags:
        # (`v.asset_code_facts`, without the call: an automatic version, no template's hash)
        code_version, code_parts = function_version_and_parts_text(fn, checked)
    else:
        code_version, code_parts = v.asset_code_facts(node.op_def, asset)
    facts.code_version, facts.config_hash = code_version, "none"
    facts.message = f"Materialized value {asset_key.label}"  # (`to_user_string()`)
    last = _LAST_CODE[0]  # (the assets of a factory come in a row, with the same two texts)
    if code_version is last[0] and code_parts is last[1]:
        explain, prefix, tags = last[2], last[3], last[4]
    else:
        explain = {} if code_parts is None else {v.CODE_PARTS_TAG: code_parts}
        if code_version.__class__ is str:  # (`version_text_prefix(code_version, "none")`)
            prefix = f'[{v.QUOTED[code_version]}, "none", ['
        else:
            prefix = v.version_text_prefix(code_version, "none")
        tags = fixed_tags(code_version, "none", explain)
        _LAST_CODE[0] = (code_version, code_parts, explain, prefix, tags)
    facts.explain_tags, facts.version_prefix, facts.fixed_tags = explain, prefix, tags
    facts.version_key = asset_key.unpartitioned
    input_keys = asset.input_keys
    if len(input_keys) == 1 and not asset.deps:  # (most assets)
        for name in input_keys:  # (the one)
            key = input_keys[name]
            facts.inputs = None  # (`read_inputs(facts)`: ((name, key, key.label),))
            text = v.quote(key.label)  # (`one_input_text_parts(prefix, label)`, inlined)
            facts.one_input = (name, key.unpartitioned, f"{prefix}[{text}, ", f"{{{text}: ")
        return facts
    facts.inputs = inputs = _read_assets(asset)
    facts.one_input = _one_input(inputs, prefix) if inputs else None  # (a root: None, without the call)
    return facts


def _read_assets(asset: Any) -> tuple:
    """(input name or None for a plain dep, upstream key, its label) of each upstream asset
    `asset` reads, in the order of the labels (a stable sort: of two entries of one label the
    last stays last, as the texts take it): a run looks up their data versions in that order,
    which is the order of the plan, the steps that made them and the texts they are written
    in. In the order of the inputs, a fan-in of 10,000 read each from another place."""
    input_keys, deps = asset.input_keys, asset.deps
    if not input_keys and not deps:  # (a root: no list made, sorted and copied; a fan-in has 9,999)
        return ()
    inputs = [(name, key, key.to_user_string()) for name, key in input_keys.items()]
    for key in deps:
        inputs.append((None, key, key.to_user_string()))
    inputs.sort(key=_label)
    return tuple(inputs)


_label = itemgetter(2)


# (code version, parts text, explain tags, version text prefix, fixed tags) of the asset whose
# facts were made last: the tags and prefix are only read, one object for every asset of that
# code.
_LAST_CODE: list = [(None, None, None, None, None)]


def read_inputs(facts: AssetVersionFacts) -> tuple:
    """`facts.inputs`, made from `facts.one_input` when it is None (see `AssetVersionFacts`)."""
    inputs = facts.inputs
    if inputs is None:
        name, read, _head, _lead = facts.one_input
        key = read[0]  # (`read` is `key.unpartitioned`)
        inputs = ((name, key, key.label),)  # (`key.label` is `key.to_user_string()`)
    return inputs


def _one_input(inputs: tuple, prefix: str) -> Optional[tuple]:
    """(input name or None, (upstream key, None), head, lead) of an asset that reads one
    upstream asset, `head` and `lead` from `versioning.one_input_text_parts`; else None. The
    second is the key of `run.data_versions` its version is read under, made once."""
    if len(inputs) != 1 or inputs[0][2].__class__ is not str or prefix.__class__ is not str:
        return None
    name, key, label = inputs[0]
    return (name, key.unpartitioned, *v.one_input_text_parts(prefix, label))


def _fixed_facts(job: Any, node: Any, asset_key: Any) -> tuple:
    """`_facts_of(node, asset_key)`, worked out once per job: what the facts of an asset given
    config in some runs hold whatever that config."""
    known = per_job(job, _FIXED_FACTS, dict)
    found = known.get((node.name, asset_key))
    if found is None:
        found = known[(node.name, asset_key)] = _facts_of(node, asset_key)
    return found


def _facts_of(node: Any, asset_key: Any) -> tuple:
    """What an asset's facts hold whatever the run's config (the code version is cached per
    function, see `code_version.py`): (code version, code parts text, inputs, message, explain
    tags of a run without config)."""
    asset = node.asset
    code_version, code_parts = v.asset_code_facts(node.op_def, asset)
    return (code_version, code_parts, _read_assets(asset), f"Materialized value {asset_key.to_user_string()}",
            {} if code_parts is None else {v.CODE_PARTS_TAG: code_parts})


_FIXED_FACTS = "asset version facts"


def fixed_tags(code_version: str, cfg_hash: str, explain_tags: dict[str, str]) -> dict[str, str]:
    """The version tags of an asset's materializations without the two a run works out, in
    the tags' order (their values None): `version_tags` copies it and sets those two, which
    keeps their place. Only read, never given out: one for every asset of its code."""
    return {v.CODE_VERSION_TAG: code_version, v.CONFIG_HASH_TAG: cfg_hash, v.DATA_VERSION_TAG: None,
            v.INPUT_DATA_VERSIONS_TAG: None, **explain_tags}


_new_object = object.__new__


def version_tags(run: Any, step: Any, facts: AssetVersionFacts, user_version: Any = None) -> dict[str, str]:
    """The version tags of what the step materializes (staleness compares them): code
    version, config hash, its data version and the data versions of what it read.

    The data version is the user's (`MaterializeResult(data_version=...)`) when given: then
    re-materializing identical data does not make downstream assets stale."""
    version = None
    one = facts.one_input
    if one is not None and user_version is None and step.partition_key is None:
        name, read, head, lead = one  # (most assets: one unpartitioned upstream asset)
        # (A `NodeStep` reads unpartitioned outputs only: its inputs are not made to be read.)
        if name is None or step.__class__ is NodeStep or not _partition_keys_read(step, name):
            version = run.data_versions.get(read)  # (`run.data_version_of`, inlined)
            if version is None:
                version = run.data_version_of(read[0], None)
            try:
                version, inputs_text = v.one_input_version_and_text(head, lead, version, run.run_id)
            except TypeError:  # a part that is not a string: the general path writes it
                version = None
    if version is None and user_version is None and step.__class__ is NodeStep:
        try:  # (several unpartitioned upstream assets)
            version, inputs_text = v.sorted_inputs_version_and_text(
                facts.version_prefix, _versions_read(run, facts), run.run_id)
        except TypeError:  # a part that is not a string: the general path writes it
            pass
    if version is None:
        inputs = input_data_versions(run, step, facts)
        if user_version is None:
            version, inputs_text = v.data_version_and_inputs_text(
                facts.code_version, facts.config_hash, inputs, step.partition_key, run.run_id,
                facts.version_prefix)
        else:
            version, inputs_text = str(user_version), v.input_data_versions_text(inputs)
    tags = facts.fixed_tags.copy()  # (the tags in their order: these two keep their place)
    tags[_DATA_VERSION] = version
    tags[_INPUT_DATA_VERSIONS] = inputs_text
    return tags


_DATA_VERSION, _INPUT_DATA_VERSIONS = v.DATA_VERSION_TAG, v.INPUT_DATA_VERSIONS_TAG


def materialization(run: Any, step: Any, facts: AssetVersionFacts, metadata: dict,
                    tags: dict[str, str]) -> Event:
    """The ASSET_MATERIALIZATION event, tagged with the versions staleness compares
    (`version_tags`)."""
    partition = step.partition_key  # (the step's node, out of cache at 10,000 steps, not read)
    key = facts.version_key if partition is None else (facts.asset_key, partition)
    run.data_versions[key] = tags[_DATA_VERSION]
    # `AssetMaterialization(facts.asset_key, facts.description, metadata, partition, tags)`
    # without the dataclass's __init__ and __post_init__ (which would coerce a key this already
    # is): the same value, and normalize_metadata still makes its own copy of the metadata.
    # Set one by one, in the fields' order, as __init__ does: reading `mat.__dict__` would
    # make the instance a dict object of its own (and a keyword dict for `update`).
    mat = _new_object(AssetMaterialization)
    mat.asset_key = facts.asset_key
    mat.description = facts.description
    mat.metadata = normalize_metadata(metadata) if metadata else {}
    mat.partition = partition
    mat.tags = tags
    return new_event(ET.ASSET_MATERIALIZATION, run.run_id, run.job_name, step.key, facts.message, mat)


def _partition_keys_read(step: Any, name: str) -> Any:
    """`asset_input_partition_keys(step, name)`, its common case first."""
    ups = step.inputs.get(name) if name not in step.node.graph_inputs else None
    return ups[0].partition_keys if ups else asset_input_partition_keys(step, name)


def _versions_read(run: Any, facts: AssetVersionFacts) -> Iterator[tuple[str, str]]:
    """(label, data version) of each upstream asset `facts` reads (a `NodeStep`'s version
    facts: each an unpartitioned asset), in their order: that of the labels."""
    made, inputs = run.data_versions, facts.inputs
    if inputs is None:  # (`read_inputs(facts)`, without the call when kept)
        inputs = read_inputs(facts)
    for _name, key, label in inputs:
        version = made.get(key.unpartitioned)  # (`run.data_version_of`'s first look, inlined)
        yield label, (version if version is not None else run.data_version_of(key, None))


def input_data_versions(run: Any, step: Any, facts: AssetVersionFacts) -> dict[str, str]:
    """Data version of each upstream asset (partition) the step consumed."""
    if step.__class__ is NodeStep:  # (it reads unpartitioned outputs only: see `version_tags`)
        return dict(_versions_read(run, facts))
    found: dict[str, str] = {}
    made = run.data_versions
    for name, key, label in read_inputs(facts):
        keys = () if name is None else _partition_keys_read(step, name)
        if not keys:
            version = made.get(key.unpartitioned)  # (`run.data_version_of`'s first look, inlined)
            found[label] = version if version is not None else run.data_version_of(key, None)
        elif len(keys) == 1:
            found[label] = run.data_version_of(key, keys[0])
        else:
            found[label] = v.config_hash([run.data_version_of(key, pk) for pk in keys])
    return found
