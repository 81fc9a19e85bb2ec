"""Every public docstring, rendered: each parameter entry stands alone."""

import importlib
import inspect
import re

import pytest

MODULES = [
    "sklearn_prune",
    "sklearn_prune.cluster",
    "sklearn_prune.datasets",
    "sklearn_prune.inspection",
    "sklearn_prune.model_selection",
    "sklearn_prune.text",
    "sklearn_prune.theory",
]
SECTIONS = ("Parameters", "Attributes", "Returns", "Yields", "Other Parameters")
#: an entry's header line: ``name : type``, or names alone (``*args``, ``a, b``)
HEADER = re.compile(r"^(\*{0,2}[A-Za-z_][\w, *]*?)\s:\s|^\*{0,2}\w+(, \w+)*$")
WIDTH = 80


def _public_objects():
    seen = {}
    for name in MODULES:
        module = importlib.import_module(name)
        for attr in getattr(module, "__all__", []):
            obj = getattr(module, attr)
            if not (inspect.isclass(obj) or inspect.isfunction(obj)):
                continue
            seen.setdefault(f"{obj.__module__}.{obj.__qualname__}", obj)
            if inspect.isclass(obj):
                for method, fn in vars(obj).items():
                    if inspect.isfunction(fn) and not method.startswith("_"):
                        seen.setdefault(f"{obj.__module__}.{fn.__qualname__}", fn)
    return sorted(seen.items())


def _entries(doc: str):
    """(section, header, description lines) of every entry of ``doc``."""
    lines = inspect.cleandoc(doc).splitlines()
    section = None
    entry = None
    for i, line in enumerate(lines):
        underline = i + 1 < len(lines) and re.fullmatch(r"-{3,}", lines[i + 1])
        if underline or re.fullmatch(r"-{3,}", line):
            if underline:
                section = line.strip()
                if entry:
                    yield entry
                entry = None
            continue
        if section not in SECTIONS:
            continue
        if line and not line.startswith(" "):
            if entry:
                yield entry
            entry = (section, line, [])
        elif entry:
            entry[2].append(line)
    if entry:
        yield entry


OBJECTS = _public_objects()


def test_the_public_objects_are_found():
    names = {name.rsplit(".", 1)[-1] for name, _ in OBJECTS}
    assert {"SemDedupPruner", "EL2NPruner", "rethreshold", "pruning_curve"} <= names


@pytest.mark.parametrize("name, obj", OBJECTS, ids=[n for n, _ in OBJECTS])
def test_each_parameter_entry_stands_alone(name, obj):
    doc = obj.__doc__ or ""
    assert "{{" not in doc and "}}" not in doc, "an unfilled shared entry"
    for section, header, body in _entries(doc):
        where = f"{name}, {section}, {header!r}"
        if section in ("Parameters", "Attributes", "Other Parameters"):
            assert HEADER.match(header), f"{where}: not 'name : type'"
        text = [line for line in body if line.strip()]
        assert text, f"{where}: no description"
        for line in body:
            assert not line.strip() or line.startswith("    "), (
                f"{where}: a line of the description is not indented: {line!r}"
            )
            # two texts glued together make lines that run past the margin
            assert len(line) <= WIDTH, f"{where}: line of {len(line)} characters"
        assert not re.search(r"`\.\s+\S.*:term:`Glossary", " ".join(text)), where


def test_glued_entries_are_caught():
    glued = """Summary.

    Parameters
    ----------
    n_strata : int, default=50
        Number of equal-width score strata of ``strategy="stratified"``. With ``keep=None``, only the default.
    """  # noqa: E501
    ((_, header, body),) = _entries(glued)
    assert header.startswith("n_strata") and max(map(len, body)) > WIDTH
