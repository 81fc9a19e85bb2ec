"""The compatibility layer: private scikit-learn names in one place, version gates."""

import ast
from pathlib import Path

import numpy as np
import pytest
from sklearn.base import BaseEstimator

import sklearn_prune
from sklearn_prune._compat import fit_callback_context

PACKAGE = Path(sklearn_prune.__file__).parent


def _private_sklearn_imports(path: Path) -> list[str]:
    """``from sklearn... import _name`` and imports of private sklearn modules."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith(
            "sklearn"
        ):
            private_module = any(p.startswith("_") for p in node.module.split("."))
            names = [a.name for a in node.names if a.name.startswith("_")]
            if private_module or names:
                found.append(f"{path.name}:{node.lineno} from {node.module}")
        elif isinstance(node, ast.Import):
            for alias in node.names:
                parts = alias.name.split(".")
                if parts[0] == "sklearn" and any(p.startswith("_") for p in parts):
                    found.append(f"{path.name}:{node.lineno} import {alias.name}")
    return found


def test_private_scikit_learn_names_are_imported_in_compat_only():
    offenders = [
        hit
        for path in sorted(PACKAGE.rglob("*.py"))
        if path.name != "_compat.py"
        for hit in _private_sklearn_imports(path)
    ]
    assert offenders == []
    # and the check does see a private import where there is one
    assert _private_sklearn_imports(PACKAGE / "_compat.py")


class _NoCallbackSupport(BaseEstimator):
    """An estimator as on scikit-learn < 1.9: no ``_init_callback_context``."""


def test_callback_context_is_a_no_op_without_callback_support():
    ctx = fit_callback_context(_NoCallbackSupport(), max_subtasks=2)
    sub = ctx.subcontext(task_name="step")
    est = _NoCallbackSupport()
    with sub.propagate_callback_context(est):
        assert sub.call_on_fit_task_begin(estimator=est, X=np.zeros(1)) is False
        assert sub.call_on_fit_task_end(estimator=est, X=np.zeros(1)) is False
    assert vars(est) == {}  # nothing attached to the sub-estimator


def test_callback_context_is_scikit_learns_where_it_exists():
    callback = pytest.importorskip("sklearn.callback")
    from sklearn_prune import Pipeline

    pipe = Pipeline([("clf", _NoCallbackSupport())])
    ctx = fit_callback_context(pipe, task_name="fit", max_subtasks=1)
    assert isinstance(ctx, callback.CallbackContext)
    assert ctx.task_name == "fit" and ctx.max_subtasks == 1


def _public_functions():
    from sklearn_prune import cluster, datasets, theory

    for module in (cluster, datasets, theory):
        for name in module.__all__:
            yield getattr(module, name)


@pytest.mark.parametrize("func", list(_public_functions()), ids=lambda f: f.__name__)
def test_public_functions_declare_every_parameter(func):
    # validation by declaration: scikit-learn's validate_params, one
    # constraint per parameter (as scikit-learn's own test of its functions)
    import inspect

    declared = getattr(func, "_skl_parameter_constraints", None)
    assert declared is not None, f"{func.__name__} lacks @validate_params"
    names = {
        p.name
        for p in inspect.signature(func).parameters.values()
        if p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)
    }
    assert set(declared) == names
