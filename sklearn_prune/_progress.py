"""Progress reporting: the helpers every ``verbose`` parameter goes through."""

# SPDX-License-Identifier: BSD-3-Clause

from __future__ import annotations

import sys
import time

import numpy as np

__all__ = ["Progress", "ProgressBar"]


class Progress:
    """Progress lines on stdout for ``verbose > 0``: what runs, rows scored, time."""

    def __init__(self, verbose: int, name: str = "PrototypePruner"):
        self.verbose = int(verbose or 0)
        self.name = name
        self.start = time.perf_counter()
        self._next = 0.0

    def __call__(self, message: str) -> None:
        if self.verbose > 0:
            elapsed = time.perf_counter() - self.start
            print(f"[{self.name}] {message} ({elapsed:.1f} s)", file=sys.stdout)
            sys.stdout.flush()

    def rows(self, done: int, total: int) -> None:
        """Report ``done`` of ``total`` rows scored, every tenth or at the end."""
        fraction = done / max(total, 1)
        if fraction >= self._next or done == total:
            self(f"scored {done}/{total} rows ({100 * fraction:.0f}%)")
            self._next = np.floor(fraction * 10 + 1) / 10


class ProgressBar:
    """A tqdm bar when tqdm is installed, else a line on stderr every ~10%.

    Nothing is shown unless ``verbose``. Iterating over the bar iterates over
    ``iterable`` and counts one step per item; :meth:`update` counts steps by
    hand. tqdm stays optional: without it, ``verbose=True`` prints plain
    lines instead of failing.

    Parameters
    ----------
    iterable : iterable, default=None
        What the bar iterates over.
    total : int, default=None
        Number of steps; ``len(iterable)`` when it has one.
    verbose : bool, default=True
        Whether to show anything.
    desc : str, default=""
        The bar's label.
    unit : str, default="it"
        What a step is.
    line : str, default=None
        The plain line's template, with ``{done}`` and ``{total}``; by
        default ``"{desc}: {done}/{total} {unit}"``.
    """

    def __init__(
        self,
        iterable=None,
        *,
        total: int | None = None,
        verbose: bool = True,
        desc: str = "",
        unit: str = "it",
        line: str | None = None,
    ):
        if total is None and hasattr(iterable, "__len__"):
            total = len(iterable)
        self.iterable, self.total, self.verbose = iterable, total, bool(verbose)
        self.line = line or f"{desc}: {{done}}/{{total}} {unit}"
        self.done, self._next_report, self._postfix, self.bar = 0, 0, "", None
        if not self.verbose:
            return
        try:
            from tqdm.auto import tqdm
        except ImportError:
            return
        self.bar = tqdm(total=total, desc=desc, unit=unit)

    def __iter__(self):
        try:
            for item in self.iterable:
                yield item
                self.update(1)
        finally:
            self.close()

    def update(self, n: int = 1) -> None:
        """Count ``n`` more steps done."""
        self.done += n
        if self.bar is not None:
            self.bar.update(n)
        elif self.verbose and (
            self.done >= self._next_report or self.done == self.total
        ):
            total = "?" if self.total is None else self.total
            text = self.line.format(done=self.done, total=total)
            print(text + self._postfix, file=sys.stderr)
            step = 1 if self.total is None else max(1, self.total // 10)
            self._next_report = self.done + step

    def set_postfix(self, **values) -> None:
        """Show ``values`` after the count (tqdm's ``set_postfix``)."""
        if self.bar is not None:
            self.bar.set_postfix(**values)
        self._postfix = "".join(f", {k}={v}" for k, v in values.items())

    def close(self) -> None:
        """Close the tqdm bar, if any."""
        if self.bar is not None:
            self.bar.close()
            self.bar = None
