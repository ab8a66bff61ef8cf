"""What every step (and retry) of a node needs from its run, worked out once per node and run.

A `StepRecipe` also decides how a step of the node is driven: whether its compute function is
given a context at all (`wants_context`: it takes one, has hooks, or reads an input that
needs one), and which single plain output a returned value is (`plain_output`), so that the
common step (plain inputs, a plain returned value) builds no context and walks no generator.
"""

from __future__ import annotations

from typing import Any, Optional

from .context.compute import AssetCheckExecutionContext, AssetExecutionContext, OpExecutionContext
from .definitions.nodes import FromAsset
from .definitions.types import DataType
from .timeouts import STEP_TIMEOUT_TAG, step_timeout


class StepRecipe:
    """The per-node facts of one run (see the module docstring)."""

    __slots__ = ("node", "op_config", "config_instance", "context_class", "partitions_def",
                 "_op_tags", "retry_policy", "inputs", "hooks", "timeout", "wants_context",
                 "plain_output", "signature")

    def __init__(self, run: Any, node: Any) -> None:
        op_def = node.op_def
        self.node = node
        self.op_config, self.config_instance = run.node_config(node)
        self.context_class = (AssetCheckExecutionContext if node.check is not None else
                              AssetExecutionContext if node.asset is not None else OpExecutionContext)
        self.partitions_def = _partitions_def(run, node)
        self._op_tags: Optional[dict] = None
        self.retry_policy = node.retry_policy or op_def.retry_policy or run.job.op_retry_policy
        self.timeout = (step_timeout(node) if STEP_TIMEOUT_TAG in op_def.tags or STEP_TIMEOUT_TAG in node.tags
                        else None)
        self.hooks = tuple(dict.fromkeys((*node.hooks, *run.job_hooks))) if (
            node.hooks or run.job_hooks) else ()
        sig = self.signature = op_def.signature
        # (name, In, source, passed to the function, type-checked): Nothing inputs the
        # function does not take are only ordering, so they are not loaded at all.
        inputs = []
        params = sig.input_param_set  # a set: a join may have 10,000 inputs
        wants = sig.context_param is not None or bool(self.hooks)
        node_inputs = node.inputs
        for name, spec in op_def.ins.items():
            passed = name in params
            if passed or not spec.is_nothing:
                src = node_inputs.get(name)
                inputs.append((name, spec, src, passed or sig.has_var_kwargs, type_checked(spec)))
                if spec.input_manager_key or src.__class__ is FromAsset:
                    wants = True  # an input manager, or a stored asset: its context reads the step's
        self.inputs = tuple(inputs)
        self.wants_context = wants
        self.plain_output = _plain_output(node)

    @property
    def op_tags(self) -> dict:
        if self._op_tags is None:
            self._op_tags = {**self.node.op_def.tags, **self.node.tags}
        return self._op_tags


def type_checked(spec: Any) -> bool:
    """Whether values of an input or output (`spec`: an In or Out) have a type check to pass."""
    t = spec.dagster_type
    return isinstance(t, DataType) and t.type_check_fn is not None


def _plain_output(node: Any) -> Optional[str]:
    """The name of the node's one output when a returned plain value is all there is to store
    (not a check, a multi-asset, an asset with checks, a dynamic or Nothing output)."""
    outs = node.op_def.outs
    if len(outs) != 1 or node.check is not None:
        return None
    asset = node.asset
    if asset is not None and (asset.multi or asset.check_specs):
        return None
    for name, out in outs.items():
        return None if out.is_dynamic or out.is_nothing else name
    return None


def _partitions_def(run: Any, node: Any) -> Any:
    if node.asset is not None or node.graph_asset is not None:
        return node.asset_partitions_def
    if node.check is not None:
        return getattr(run.job.asset_defs.get(node.check.asset_key), "partitions_def", None)
    return run.job.partitions_def
