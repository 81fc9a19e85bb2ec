"""Progress reporting: the one helper every ``verbose`` parameter goes through."""

# SPDX-License-Identifier: BSD-3-Clause

from __future__ import annotations

import sys
import time

import numpy as np

__all__ = ["Progress"]


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
