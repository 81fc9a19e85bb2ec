"""Perceptron theory of data pruning (Sorscher et al., NeurIPS 2022).

Analytic predictions for a max-margin perceptron student learning a
teacher perceptron from Gaussian data, pruned by the margin to a probe
(the teacher itself, or a direction at an angle to it), and a simulation
helper that runs the same experiment at finite size.

- :func:`perceptron_error`: test error for a kept fraction and strategy;
- :func:`perceptron_order_parameters`: the overlaps and margin behind it;
- :func:`optimal_keep`: the best fraction and strategy for a data set size;
- :func:`pareto_frontier`: the lowest error at each pruned data set size;
- :func:`simulate_perceptron`: the experiment itself, over seeds, with
  :func:`max_margin_direction`, an exact hard-margin SVM without intercept.
"""

# SPDX-License-Identifier: BSD-3-Clause

from ._perceptron import (
    optimal_keep,
    pareto_frontier,
    perceptron_error,
    perceptron_order_parameters,
)
from ._simulation import max_margin_direction, simulate_perceptron

__all__ = [
    "max_margin_direction",
    "optimal_keep",
    "pareto_frontier",
    "perceptron_error",
    "perceptron_order_parameters",
    "simulate_perceptron",
]
