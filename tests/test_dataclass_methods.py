"""specrun/dataclass_methods.py: the methods of specrun's dataclasses, compiled ahead."""

from __future__ import annotations

import dataclasses
import subprocess
import sys
from types import CodeType

import pytest

import specrun.dataclass_methods as methods
from specrun.dataclass_methods_generated import FUNCTIONS, PYTHON
from specrun.regenerate_dataclass_methods import write_example

on_its_python = pytest.mark.skipif(sys.version_info[:2] != PYTHON,
                                   reason=f"the generated methods are for Python {PYTHON}")


def _same_code(found: CodeType, made: CodeType) -> bool:
    """Equal as code objects (instructions, constants, names, lines), and in file and qualname."""
    if (found != made or found.co_filename != made.co_filename or found.co_qualname != made.co_qualname
            or found.co_firstlineno != made.co_firstlineno):
        return False
    inner = [(a, b) for a, b in zip(found.co_consts, made.co_consts) if isinstance(a, CodeType)]
    return all(_same_code(a, b) for a, b in inner)


@on_its_python
def test_each_generated_method_is_the_code_exec_makes_of_its_text():
    assert len(FUNCTIONS) > 200
    for text, _ in FUNCTIONS:
        made: dict = {}  # (compiled as in dataclasses.py: without this file's `from __future__`)
        exec(compile(text, "<string>", "exec", dont_inherit=True), {"__builtins__": __builtins__}, made)
        assert _same_code(methods._code_of(text), made["__create_fn__"].__code__), text


@on_its_python
def test_a_class_gets_the_generated_methods_and_behaves_as_a_dataclass():
    from specrun.runtime.definitions.metadata import MetadataValue

    value = MetadataValue("x", "text")
    assert dataclasses.exec is methods._exec
    assert MetadataValue.__init__.__code__.co_filename == "<string>"
    assert repr(value) == "MetadataValue(value='x', kind='text')"
    assert value == MetadataValue("x", "text") and hash(value) == hash(MetadataValue("x", "text"))
    with pytest.raises(dataclasses.FrozenInstanceError):
        value.kind = "url"  # type: ignore[misc]
    assert dataclasses.replace(value, kind="url").kind == "url"


def test_a_class_of_other_code_is_compiled_as_before_and_not_counted():
    before = methods.missed()

    @dataclasses.dataclass(frozen=True)
    class Mine:
        a: int
        b: str = "b"

    assert repr(Mine(1)) == "test_a_class_of_other_code_is_compiled_as_before_and_not_counted.<locals>.Mine(a=1, b='b')"
    assert Mine.__init__.__code__.co_filename == "<string>"
    assert methods.missed() == before


# In the apply's process, before specrun is imported: the builtin `exec` notes each method text
# of a specrun class it compiles (what `dataclasses` and `dataclass_methods._exec` call)
_COUNTING_EXEC = """import builtins, sys
compiled, real_exec = [], builtins.exec
def counting_exec(source, globals=None, locals=None, /):
    if type(source) is str and str((globals or {}).get('__name__')).startswith('specrun'):
        compiled.append(source.splitlines()[1].strip())
    return real_exec(source, globals, locals)
builtins.exec = counting_exec
"""


@on_its_python
def test_an_apply_compiles_no_method_of_specruns_classes(tmp_path):
    # Fails when a dataclass on an apply's path changed: `python -m specrun.regenerate_dataclass_methods`
    write_example(str(tmp_path))
    code = (_COUNTING_EXEC + "sys.path.insert(0, '.'); from specrun.cli import main\n"
            "try:\n    main(['apply', 'pipeline.yaml'], standalone_mode=False)\n"
            "finally:\n    print(compiled)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert ": 3 ok, 0 failed, 0 skipped" in result.stdout
    assert result.stdout.strip().splitlines()[-1] == "[]"
