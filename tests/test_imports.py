"""Importing the package needs none of the optional backends."""

import subprocess
import sys


def test_import_does_not_import_torch_or_faiss():
    code = (
        "import sys, sklearn_prune; "
        "print('torch' in sys.modules, 'faiss' in sys.modules)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.split()
    assert out == ["False", "False"]


def test_public_names():
    import sklearn_prune

    for name in sklearn_prune.__all__:
        assert getattr(sklearn_prune, name) is not None
