"""Importing the package needs none of the optional backends."""

import subprocess
import sys

import pytest


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


def test_missing_torch_says_what_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "torch", None)  # as if not installed
    for name in [m for m in sys.modules if m.startswith("sklearn_prune.torch")]:
        monkeypatch.delitem(sys.modules, name)
    with pytest.raises(ImportError, match=r'pip install -e "\.\[torch\]"'):
        import sklearn_prune.torch  # noqa: F401
