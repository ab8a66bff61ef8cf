"""The methods `dataclasses` makes for specrun's own classes, compiled ahead of time.

`@dataclass` writes each method it adds (``__init__``, ``__repr__``, ``__eq__``, ``__hash__``,
a frozen class's ``__setattr__`` and ``__delattr__``) as source text and compiles it with
`exec`: about 0.7 M instructions a method, 4 M for a frozen class of five fields. A
`specrun apply` makes 64 such classes, and compiling their methods was an eighth of its
instructions. `dataclass_methods_generated.py` holds those texts as functions, so they are
compiled once, into that module's pyc, like the rest of the package.

`install` gives the `dataclasses` module an `exec` of its own (a module global, which its
``exec(txt, globals, ns)`` finds before the builtin): a text found in the generated module
gets that function's code, relocated to where `exec` would have put it (file ``<string>``,
the text's own line numbers), so the method is the one `exec` would have made. Any other
text (another class; any text on a Python other than the one that generated the module) is
compiled by the builtin `exec`, as before.

After changing a dataclass on the path of an apply, regenerate the module:

    python -m specrun.regenerate_dataclass_methods
"""

from __future__ import annotations

import builtins
import sys
from types import CodeType, FunctionType
from typing import Any, Optional

_OWN = "specrun"  # the classes whose compiled texts are counted as missed (`missed`)
_found: Optional[dict[str, CodeType]] = None
_missed: list[str] = []


def install() -> None:
    """Let `dataclasses` find the generated methods (read when the first class is made)."""
    import dataclasses

    if "exec" not in vars(dataclasses):
        dataclasses.exec = _exec  # type: ignore[attr-defined]


def _exec(source: Any, globals: Any = None, locals: Any = None, /) -> None:
    """`exec(source, globals, locals)` for `dataclasses._create_fn`: the text defines one
    function (``__create_fn__``), put in `locals`."""
    code = _code_of(source) if type(source) is str and locals is not None else None
    if code is None or globals is None or "__builtins__" not in globals:
        if type(source) is str and globals is not None and str(globals.get("__name__")).startswith(_OWN):
            _missed.append(source)
        builtins.exec(source, globals, locals)
        return
    locals[code.co_name] = FunctionType(code, globals)


def _code_of(text: str) -> Optional[CodeType]:
    """The code of the generated function whose source is `text`, as `exec(text)` would
    make it: file ``<string>``, lines counted from the text's first."""
    global _found
    if _found is None:
        from .dataclass_methods_generated import FUNCTIONS, PYTHON

        # (made on another Python, the texts differ: none would be found)
        _found = {text: fn.__code__ for text, fn in FUNCTIONS} if sys.version_info[:2] == PYTHON else {}
    code = _found.get(text)
    if code is None or code.co_filename == "<string>":
        return code
    code = _found[text] = _relocated(code, code.co_firstlineno - 1)
    return code


def _relocated(code: CodeType, shift: int) -> CodeType:
    """`code` (and the functions defined in it) in file ``<string>``, `shift` lines earlier."""
    consts = tuple(_relocated(c, shift) if isinstance(c, CodeType) else c for c in code.co_consts)
    return code.replace(co_filename="<string>", co_firstlineno=code.co_firstlineno - shift, co_consts=consts)


def missed() -> list[str]:
    """The `def` line of each method of a specrun class compiled in this process because the
    generated module does not have its text (it is out of date: regenerate it)."""
    return [text.splitlines()[1].strip() for text in _missed]
