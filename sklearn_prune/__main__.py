"""``python -m sklearn_prune``: the command line, see :mod:`sklearn_prune.cli`.

With no arguments it runs the digits demo: how much data can you drop from a
real data set?
"""

# SPDX-License-Identifier: BSD-3-Clause

import sys

from .cli import main

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:] or ["demo"]))
