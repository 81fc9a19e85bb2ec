"""Root pytest configuration: skip doctests of optional backends that are absent."""

import importlib.util

collect_ignore_glob = []
if importlib.util.find_spec("torch") is None:
    collect_ignore_glob.append("sklearn_prune/torch/*")
