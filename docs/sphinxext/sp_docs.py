"""Sphinx helpers for the sklearn_prune documentation.

- Writes the API reference pages from the public names of the package: the
  ``__all__`` of ``sklearn_prune`` and of every public submodule (no name
  starts with ``_``), each object documented once, under the first public
  module that exports it (the top-level package first, then the submodule that
  defines it). New public modules and names appear without editing the docs.
- Writes the include file that shows the theory figure of the gallery in the
  user guide, or a pointer when that example is absent.
- Skips, in class pages, members defined outside sklearn_prune (scikit-learn's
  or torch's inherited methods are documented there, with cross-references
  that cannot resolve here).
- Orders the gallery: the guided tour first, then any other example.

Run ``python docs/sphinxext/sp_docs.py`` to print the public API it finds,
and ``python docs/sphinxext/sp_docs.py --check`` to check that every public
name has a summary, Parameters, Returns or Attributes, and a doctest example.
"""

# SPDX-License-Identifier: BSD-3-Clause

from __future__ import annotations

import importlib
import inspect
import json
import os
import pkgutil
import subprocess
import sys
from pathlib import Path

PACKAGE = "sklearn_prune"
#: gallery order; examples not listed come after, by file name
EXAMPLE_ORDER = [
    "plot_quickstart.py",
    "plot_grid_search_keep.py",
    "plot_learning_curves.py",
    "plot_perceptron_theory.py",
    "plot_torch_images.py",
]
THEORY_EXAMPLE = "plot_perceptron_theory"
GENERATED = "generated"


def public_modules(package: str = PACKAGE) -> list[str]:
    """Names of the package and of its public submodules, top-level first.

    A module is public when no component of its dotted name starts with an
    underscore. Modules are imported: an optional dependency that is missing
    fails loudly rather than leaving a silent hole in the reference.
    """
    root = importlib.import_module(package)
    names = [package]
    for info in pkgutil.walk_packages(root.__path__, prefix=package + "."):
        if any(part.startswith("_") for part in info.name.split(".")):
            continue
        names.append(info.name)
    return [names[0]] + sorted(names[1:])


def _kind(obj) -> str | None:
    if inspect.isclass(obj):
        if issubclass(obj, BaseException):
            return "Warnings and exceptions"
        return "Classes"
    if callable(obj):
        return "Functions"
    return None  # constants such as __version__ are not documented


def public_api(package: str = PACKAGE) -> dict[str, dict[str, list[str]]]:
    """``{module: {section: [names]}}``, each public object exactly once.

    An object exported by several modules goes to the top-level package if it
    exports it, otherwise to the exporting module whose name is the longest
    prefix of the object's ``__module__`` (where it is defined), otherwise to
    the first exporting module.
    """
    modules = {name: importlib.import_module(name) for name in public_modules(package)}
    exporters: dict[int, list[tuple[str, str, object]]] = {}
    for modname, module in modules.items():
        names = getattr(module, "__all__", None)
        if names is None:
            names = [
                n
                for n, o in vars(module).items()
                if not n.startswith("_") and getattr(o, "__module__", None) == modname
            ]
        for name in names:
            if name.startswith("_"):
                continue
            obj = getattr(module, name)
            if _kind(obj) is None:
                continue
            exporters.setdefault(id(obj), []).append((modname, name, obj))

    api: dict[str, dict[str, list[str]]] = {m: {} for m in modules}
    for candidates in exporters.values():
        obj = candidates[0][2]
        home = getattr(obj, "__module__", "") or ""
        top = [c for c in candidates if c[0] == package]
        defining = sorted(
            (c for c in candidates if home == c[0] or home.startswith(c[0] + ".")),
            key=lambda c: -len(c[0]),
        )
        modname, name, _ = (top or defining or candidates)[0]
        api[modname].setdefault(_kind(obj), []).append(name)
    order = ["Classes", "Functions", "Warnings and exceptions"]
    return {
        m: {k: sorted(sections[k], key=str.lower) for k in order if k in sections}
        for m, sections in api.items()
        if sections
    }


def _write_if_changed(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists() or path.read_text(encoding="utf-8") != text:
        path.write_text(text, encoding="utf-8")


def module_page(modname: str, sections: dict[str, list[str]]) -> str:
    """reST of one module's page: its docstring and a summary table per kind."""
    title = modname
    lines = [
        f".. _api_{modname.replace('.', '_')}:",
        "",
        title,
        "=" * len(title),
        "",
        f".. automodule:: {modname}",
        "",
        f".. currentmodule:: {modname}",
        "",
    ]
    for section, names in sections.items():
        lines += [section, "-" * len(section), "", ".. autosummary::"]
        lines += ["   :toctree: .", "   :nosignatures:", ""]
        lines += [f"   {name}" for name in names]
        lines.append("")
    return "\n".join(lines)


def public_api_isolated() -> dict[str, dict[str, list[str]]]:
    """:func:`public_api`, computed in a child process.

    Listing the API imports every public module, torch included. In the Sphinx
    process that would load torch's OpenMP runtime before the gallery runs,
    and the scikit-learn examples then run up to twice slower on a busy
    2-core machine (threads of two OpenMP runtimes competing). autodoc imports
    torch later, when it reads the API pages, after the gallery has run.
    """
    done = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), "--json"],
        capture_output=True,
        text=True,
    )
    if done.returncode:
        raise RuntimeError(f"listing the public API failed:\n{done.stderr}")
    return json.loads(done.stdout)


def write_api_pages(srcdir: Path) -> list[str]:
    """Write ``generated/api_<module>.rst`` for every module with public names."""
    out = Path(srcdir, GENERATED)
    api = public_api_isolated()
    written = []
    for modname, sections in api.items():
        path = out / f"api_{modname}.rst"
        _write_if_changed(path, module_page(modname, sections))
        written.append(path.name)
    for stale in out.glob("api_*.rst"):  # a module that went away
        if stale.name not in written:
            stale.unlink()
    _write_if_changed(out / "api_summary.inc", summary_page(api))
    return written


def summary_page(api: dict[str, dict[str, list[str]]]) -> str:
    """reST of the API landing page's body: every object and its one-line summary."""
    lines = []
    for modname, sections in api.items():
        title = f":ref:`{modname} <api_{modname.replace('.', '_')}>`"
        lines += [title, "-" * len(title), "", f".. currentmodule:: {modname}", ""]
        for section, names in sections.items():
            lines += [f".. rubric:: {section}", "", ".. autosummary::"]
            lines += ["   :nosignatures:", ""]
            lines += [f"   {name}" for name in names]
            lines.append("")
    return "\n".join(lines)


def changelog_rst(markdown: str) -> str:
    """reST of ``CHANGELOG.md`` (Keep a Changelog): headings, bullets, links.

    The first heading (the title) is left out: the page has its own. Inline
    code keeps its single backticks (the docs' default role is ``literal``).

    Examples
    --------
    >>> print(changelog_rst("# Changelog\\n\\n## [Unreleased]\\n\\n### Added\\n\\n"
    ...                     "- `keep=1` warns; see [docs](https://x.org).\\n"))
    Unreleased
    ----------
    <BLANKLINE>
    Added
    ~~~~~
    <BLANKLINE>
    - `keep=1` warns; see `docs <https://x.org>`__.
    <BLANKLINE>
    """
    import re

    out = []
    for line in markdown.splitlines():
        heading = re.match(r"^(#{1,3}) +(.*)$", line)
        if heading:
            level, text = len(heading.group(1)), heading.group(2)
            if level == 1:
                continue
            text = re.sub(r"^\[(.*)\]$", r"\1", text)
            out += [text, ("-" if level == 2 else "~") * len(text)]
            continue
        out.append(re.sub(r"\[([^\]]+)\]\(([^)]+)\)", r"`\1 <\2>`__", line))
    while out and not out[0].strip():
        out.pop(0)
    return "\n".join(out) + "\n"


def write_changelog(srcdir: Path) -> None:
    """``generated/changelog.inc`` from the repository's ``CHANGELOG.md``."""
    source = Path(srcdir).parent / "CHANGELOG.md"
    text = changelog_rst(source.read_text(encoding="utf-8"))
    _write_if_changed(Path(srcdir, GENERATED, "changelog.inc"), text)


def write_theory_figure(srcdir: Path) -> None:
    """The user guide's theory figure, taken from the gallery's theory example."""
    examples = Path(srcdir, "..", "examples")
    runs = not os.environ.get("SKLEARN_PRUNE_DOCS_NO_GALLERY")
    if runs and (examples / f"{THEORY_EXAMPLE}.py").exists():
        text = (
            f".. figure:: /auto_examples/images/sphx_glr_{THEORY_EXAMPLE}_001.png\n"
            f"   :target: auto_examples/{THEORY_EXAMPLE}.html\n"
            "   :align: center\n"
            "   :width: 85%\n"
            "   :alt: Test error against the fraction of data kept, "
            "from the perceptron theory\n\n"
            "   Test error of a perceptron against the number of examples it "
            "is trained on, per input dimension (lines: theory, points: "
            "simulation). Without pruning the error falls as a power law. "
            "Keeping only the hardest examples of a larger pool hurts when "
            "few are kept, and then makes the error fall much faster; the "
            "smaller the kept fraction, the faster. From the gallery example "
            f":ref:`sphx_glr_auto_examples_{THEORY_EXAMPLE}.py`.\n"
        )
    else:
        why = "was not executed" if not runs else "is not in this checkout"
        text = (
            ".. note::\n\n"
            "   The theory figure is drawn by the gallery example "
            f"``examples/{THEORY_EXAMPLE}.py``, which {why}.\n"
        )
    _write_if_changed(Path(srcdir, GENERATED, "theory_figure.rst.inc"), text)


class ExampleOrder:
    """sphinx-gallery ``within_subsection_order``: :data:`EXAMPLE_ORDER` first."""

    def __init__(self, src_dir: str = "") -> None:
        self.src_dir = src_dir

    def __call__(self, filename: str) -> tuple[int, str]:
        name = Path(filename).name
        rank = (
            EXAMPLE_ORDER.index(name) if name in EXAMPLE_ORDER else len(EXAMPLE_ORDER)
        )
        return rank, name

    def __repr__(self) -> str:  # sphinx-gallery hashes the config by repr
        return f"<{type(self).__name__}>"


def skip_foreign_member(app, what, name, obj, skip, options):
    """In class pages, document only methods and properties of sklearn_prune.

    Attributes are documented by the class docstring's ``Attributes`` section;
    inherited scikit-learn and torch methods are documented by those projects.
    """
    if what != "class" or skip:
        return None
    target = obj.fget if isinstance(obj, property) else obj
    target = getattr(target, "__func__", target)
    if not (inspect.isroutine(target) or isinstance(obj, property)):
        return True
    module = getattr(target, "__module__", None) or ""
    if module != PACKAGE and not module.startswith(PACKAGE + "."):
        return True
    return None


def _generate_api_stubs(app, config):
    """Let autosummary write the stubs of exactly the generated API pages.

    An explicit list rather than ``True`` (every known document): in an
    incremental build a module page written by this build is not yet a known
    document, and its stubs would be missing.
    """
    config.autosummary_generate = [f"{GENERATED}/{page}" for page in app._sp_pages]


def setup(app):
    srcdir = Path(app.srcdir)
    app._sp_pages = write_api_pages(srcdir)
    write_theory_figure(srcdir)
    write_changelog(srcdir)
    app.connect("config-inited", _generate_api_stubs)
    app.connect("autodoc-skip-member", skip_foreign_member)
    return {"parallel_read_safe": True, "parallel_write_safe": True}


def check_docstrings(package: str = PACKAGE) -> list[str]:
    """Problems with the docstrings of the public API, one line each.

    Every public class and function needs a summary, an ``Examples`` section
    with a doctest (``>>>``), ``Parameters`` when it takes any, and
    ``Returns`` (functions) or ``Attributes`` (estimators, i.e. classes with
    ``fit``).
    """
    from numpydoc.docscrape import ClassDoc, FunctionDoc

    problems = []
    for modname, sections in public_api(package).items():
        module = importlib.import_module(modname)
        for names in sections.values():
            for name in names:
                obj = getattr(module, name)
                where = f"{modname}.{name}"
                if not (obj.__doc__ or "").strip():
                    problems.append(f"{where}: no docstring")
                    continue
                if inspect.isclass(obj):
                    doc = ClassDoc(obj, config={"show_class_members": False})
                    sig_of = obj.__init__
                else:
                    doc = FunctionDoc(obj)
                    sig_of = obj
                try:
                    params = [
                        p
                        for p in inspect.signature(sig_of).parameters.values()
                        if p.name != "self"
                        and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)
                    ]
                except (TypeError, ValueError):
                    params = []
                if inspect.isclass(obj) and issubclass(obj, BaseException):
                    params = []
                missing = []
                if not doc["Summary"]:
                    missing.append("summary")
                if params and not doc["Parameters"]:
                    missing.append("Parameters")
                if inspect.isclass(obj):
                    if hasattr(obj, "fit") and not doc["Attributes"]:
                        missing.append("Attributes")
                elif not (doc["Returns"] or doc["Yields"]):
                    missing.append("Returns")
                if ">>>" not in "\n".join(doc["Examples"]):
                    missing.append("Examples (doctest)")
                if missing:
                    problems.append(f"{where}: missing {', '.join(missing)}")
    return problems


if __name__ == "__main__":
    if sys.argv[1:] == ["--json"]:
        print(json.dumps(public_api()))
        sys.exit(0)
    if sys.argv[1:] == ["--check"]:
        found = check_docstrings()
        print("\n".join(found) or "every public name has a complete docstring")
        sys.exit(1 if found else 0)
    for modname, sections in public_api().items():
        print(modname)
        for section, names in sections.items():
            print(f"  {section}: {', '.join(names)}")
