"""Ops of the `word_counts` job of pipeline.yaml: a fan-out whose width is the number of files."""

import os
import re

from specrun import DynamicOutput


def list_files(context):
    """One DynamicOutput per text file; its mapping key (letters, digits, `_`) names the step."""
    folder = os.path.join(os.path.dirname(os.path.abspath(__file__)), context.op_config["folder"])
    for name in sorted(os.listdir(folder)):
        if name.endswith(".txt"):
            yield DynamicOutput(os.path.join(folder, name), mapping_key=re.sub(r"\W", "_", name[:-4]))


def count_words(context, path: str) -> dict:
    with open(path, encoding="utf-8") as f:
        words = len(f.read().split())
    context.log.info(f"{context.get_mapping_key()}: {words} words")
    return {"file": context.get_mapping_key(), "words": words}


def summarise(context, counts: list) -> int:
    total = sum(c["words"] for c in counts)
    context.log.info(f"{len(counts)} files, {total} words: "
                     + ", ".join(f"{c['file']}={c['words']}" for c in counts))
    return total
