"""Look at what a pruner does: score distributions and the easiest and hardest rows.

:class:`ScoresDisplay` plots a pruner's difficulty scores per class with the
kept/pruned boundary, and for images the easiest and hardest rows
(matplotlib is imported only when plotting).
"""

# SPDX-License-Identifier: BSD-3-Clause

from ._scores import ScoresDisplay

__all__ = ["ScoresDisplay"]
