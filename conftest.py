"""Root pytest configuration: skip doctests of optional extras that are absent."""

import importlib.util
import re

import pytest

collect_ignore_glob = []
if importlib.util.find_spec("torch") is None:
    collect_ignore_glob.append("sklearn_prune/torch/*")

#: optional extras that docstring examples may import
_OPTIONAL = ("dask", "distributed", "matplotlib", "pyarrow", "torch", "tqdm")
_IMPORT = re.compile(r"^\s*(?:import|from)\s+([A-Za-z_][A-Za-z0-9_]*)", re.M)


def pytest_collection_modifyitems(config, items):
    """Skip a doctest whose examples import an optional extra that is missing."""
    for item in items:
        dtest = getattr(item, "dtest", None)
        if dtest is None:
            continue
        source = "\n".join(example.source for example in dtest.examples)
        missing = sorted(
            name
            for name in set(_IMPORT.findall(source)) & set(_OPTIONAL)
            if importlib.util.find_spec(name) is None
        )
        if missing:
            item.add_marker(pytest.mark.skip(reason=f"needs {', '.join(missing)}"))
