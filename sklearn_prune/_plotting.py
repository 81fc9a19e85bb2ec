"""matplotlib, imported only when something is plotted."""

# SPDX-License-Identifier: BSD-3-Clause

from __future__ import annotations

__all__ = ["import_pyplot"]


def import_pyplot(caller: str):
    """``matplotlib.pyplot``, or an ImportError that says what to install.

    Parameters
    ----------
    caller : str
        The public method that needs matplotlib, named in the error.

    Returns
    -------
    pyplot : module
        ``matplotlib.pyplot``.
    """
    try:
        import matplotlib.pyplot as plt
    except ImportError as exc:
        raise ImportError(
            f"{caller} requires matplotlib, which is not installed. Install it "
            f'with `pip install matplotlib` (or `pip install -e ".[examples]"` '
            f"from a clone of sklearn_prune)."
        ) from exc
    return plt
