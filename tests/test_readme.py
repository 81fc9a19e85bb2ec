"""README's Python snippets run as written."""

import re
import warnings
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[1] / "README.md"


def _python_block(heading: str) -> str:
    """The first ```python block after the Markdown heading ``heading``."""
    text = README.read_text()
    start = text.index(f"\n{heading}\n")
    match = re.compile(r"```python\n(.*?)```", re.S).search(text, start)
    assert match is not None, f"no python block after {heading!r}"
    return match.group(1)


def test_what_it_does_runs_as_written_without_warnings(capsys):
    code = _python_block("## What it does")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no ConvergenceWarning, nor any other,
        # but for the deprecation notices of old releases of the dependencies
        warnings.simplefilter("ignore", DeprecationWarning)
        warnings.filterwarnings("error", category=DeprecationWarning, module="sklearn")
        exec(compile(code, str(README), "exec"), {})
    out = capsys.readouterr().out.splitlines()
    assert 0.9 < float(out[0]) <= 1.0  # test accuracy on 40% of the rows
    assert out[1].startswith("{'prune__keep': ")
    # the mean CV accuracy per strategy and keep, as the text after it quotes
    header = next(line for line in out if line.startswith("param_prune__keep"))
    assert header.split()[-4:] == ["0.2", "0.4", "0.7", "1.0"]
    rows = [line.split() for line in out]
    table = {row[0]: row[1:] for row in rows if row and row[0] in ("easy", "hard")}
    assert table["hard"][1] == "0.969" and table["hard"][3] == "0.981"
    assert out[-1] == "DataFrame (213, 30)"


def _run(heading: str) -> None:
    exec(compile(_python_block(heading), str(README), "exec"), {})


def test_perceptron_theory_runs_as_written(capsys):
    _run("## Perceptron theory")
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("[") and "'strategy': 'hard'" in out[1]
    simulated, predicted = map(float, out[-1].split())
    assert abs(simulated - predicted) < 0.05


def test_pruning_curve_snippet_runs_as_written(capsys):
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    _run("## Which policy pays")
    table = capsys.readouterr().out
    for curve in ("EL2N, stratified", "prototype, stratified", "random", "all rows"):
        assert curve in table


def test_deduplication_snippet_runs_as_written(capsys):
    _run("## Deduplication, text and your own scores")
    out = capsys.readouterr().out.splitlines()
    n_duplicates, at_tiny_eps = map(int, out[0].split())
    assert n_duplicates > 0 and at_tiny_eps < n_duplicates
    assert out[1].startswith("list ")


def test_large_data_snippet_runs_as_written(capsys):
    pytest.importorskip("dask.array")
    _run("## Large data")
    assert capsys.readouterr().out.strip() == "True"


def test_torch_snippet_runs_as_written():
    pytest.importorskip("torch")
    _run("## Images and the GPU (optional torch backend)")


def test_training_dynamics_snippet_runs_as_written(capsys):
    _run("## Scores from one training run, and label noise")
    rate, recall = map(float, capsys.readouterr().out.split())
    assert 0.08 < rate < 0.2 and recall > 0.9  # 10% flipped, nearly all flagged

def test_defaults_section_snippet_runs_as_written(capsys):
    _run("## Defaults that never lose badly")
    out = capsys.readouterr().out
    assert out.startswith("PolicyChoice: ")
    for candidate in ("defaults", "keep hard", "stratified, difficulty quotas"):
        assert candidate in out


def test_dynamic_pruning_snippet_runs_as_written(capsys):
    pytest.importorskip("torch")
    _run("## Dynamic pruning during training")
    torch_line, sklearn_line = capsys.readouterr().out.splitlines()
    expected = "[1.0, 0.6, 0.6, 0.6, 0.6, 0.6, 0.6, 1.0] 0.7"
    assert torch_line == sklearn_line == expected
