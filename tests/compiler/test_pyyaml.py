"""specrun/compiler/pyyaml.py: PyYAML imported with its reader's pattern taken from re's cache."""

from __future__ import annotations

import ast
import re
import subprocess
import sys

import yaml.reader

from specrun.compiler import pyyaml


def test_pyyaml_writes_the_pattern_whose_text_is_given_to_re():
    tree = ast.parse(open(yaml.reader.__file__, encoding="utf-8").read())
    found = [node.value.args[0].value for node in ast.walk(tree) if isinstance(node, ast.Assign)
             and getattr(node.targets[0], "id", "") == "NON_PRINTABLE"]
    assert found == [pyyaml._NON_PRINTABLE]


def test_the_pattern_given_matches_exactly_the_characters_pyyaml_s_does():
    every_character = "".join(map(chr, range(sys.maxunicode + 1)))
    own = re.compile(pyyaml._NON_PRINTABLE, re.UNICODE)  # (other flags: compiled, not the cached one)
    given = re.compile(pyyaml._SAME_CHARACTERS)
    assert own.pattern == pyyaml._NON_PRINTABLE
    positions = [m.start() for m in given.finditer(every_character)]
    assert positions == [m.start() for m in own.finditer(every_character)]
    assert len(positions) == 29 + 32 + 2048 + 2  # C0 controls but \t \n \r, DEL and C1 but \x85, surrogates, U+FFFE/F


def test_importing_the_parser_gives_yaml_reader_the_pattern_without_compiling_pyyamls():
    code = ("import re._compiler as c; compiled = []; real = c.compile\n"
            "c.compile = lambda p, flags=0: compiled.append(p) or real(p, flags)\n"
            "import specrun.compiler.parse, yaml.reader\n"
            "print(yaml.reader.Reader.NON_PRINTABLE.pattern == specrun.compiler.pyyaml._SAME_CHARACTERS,"
            " specrun.compiler.pyyaml._NON_PRINTABLE in compiled)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", "False"]
