"""The README's Python examples run as written."""

from __future__ import annotations

import os
import re

README = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "README.md")


def test_readme_python_blocks_run():
    blocks = re.findall(r"```python\n(.*?)```", open(README, encoding="utf-8").read(), re.S)
    assert len(blocks) >= 2
    for i, block in enumerate(blocks):
        exec(compile(block, f"README block {i}", "exec"), {})


def test_readme_shows_the_two_commands_near_the_top():
    top = open(README, encoding="utf-8").read()[:1500]
    assert "pip install -e '.[ui]' && specrun apply examples/quickstart/pipeline.yaml" in top
    assert "pip install -e '.[test]' && python -m pytest" in top
