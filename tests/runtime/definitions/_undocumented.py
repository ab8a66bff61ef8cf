"""A module-level function without a docstring (see test_signature.py)."""


def no_doc(up):
    return up
