"""rankme.open and rankme.ingest: the rankme database, read through the engine's app layer."""

from __future__ import annotations

import builtins
import json
import logging
from typing import Any, Callable, Iterable, Optional, Union

from . import _rankme

_log = logging.getLogger("rankme")

Rows = list[dict[str, Any]]

# The fields of a row of Database.scores(), for a frame that has no rows.
_SCORE_COLUMNS = ["run", "config_id", "seed", "checkpoint", "step", "epoch", "tensor", "metric",
                  "value", "status", "method", "rows_used", "cols", "dtype", "settings", "files"]


def _pandas(frames: Optional[bool]) -> Any:
    if frames is False:
        return None
    try:
        import pandas
    except ImportError:
        if frames:
            raise
        return None
    return pandas


def _note(notes: Iterable[str]) -> None:
    for note in notes:
        _log.info("%s", note)


class Database:
    """A rankme database, opened read-only for every query (as the commands do).

    Every method returns exactly the numbers the command prints with ``--json`` /
    ``--format json`` (the same app functions produce the same JSON, parsed here): a pandas
    DataFrame of its rows when pandas is installed, else a list of dicts. The ranking methods
    take the command's options: ``metric`` (default "rankme"; any name of
    :func:`rankme.metric_catalog`, "lidar" ranking a tensor by the LiDAR of its
    ``<tensor>_views``), ``tensor`` (default: embeddings when present), ``checkpoint``
    ("last", "best", "step=S", "epoch=E", "mean-last=K"), ``within`` (rank separately per
    value of this hyperparameter), ``collapse_fraction``, ``alpha_target`` (alpha_req ranks by
    the distance of its mean to this target, default 1; also in second opinions and signal
    tables) -- the flags of the commands, with the same defaults.
    Tables come from the JSON document's list of rows (its other fields -- metric, tensor,
    checkpoint, settings, notes -- in ``DataFrame.attrs``); nested fields (hyperparameters,
    runs) stay dicts and lists in their cells. ``frames=False`` always returns lists of dicts,
    ``frames=True`` requires pandas, None (default) uses pandas when it imports.
    The notes the commands print to stderr go to the logger "rankme" (level INFO).
    """

    def __init__(self, path: Optional[str] = None, *, frames: Optional[bool] = None) -> None:
        self.path = _rankme._resolve_database(path or "")
        self.frames = frames
        _rankme._describe(self.path)

    def _frame(
        self,
        rows: Rows,
        document: Optional[dict[str, Any]] = None,
        columns: Optional[list[str]] = None,
    ) -> Any:
        """A DataFrame of `rows` (the rest of the JSON document in .attrs), or the rows;
        `columns`: those of a frame without rows."""
        pandas = _pandas(self.frames)
        if pandas is None:
            return rows
        frame = pandas.DataFrame(rows) if rows or columns is None else pandas.DataFrame(
            columns=columns
        )
        if document is not None:
            frame.attrs.update({k: v for k, v in document.items() if v is not rows})
        return frame

    def _table(self, text: str, key: str) -> Any:
        document = json.loads(text)
        return self._frame(document[key], document)

    def __repr__(self) -> str:
        return f"rankme.Database({self.path!r})"

    def _selection(
        self,
        metric: str,
        tensor: Optional[str],
        checkpoint: Union[str, int],
        within: Optional[str],
        collapse_fraction: float,
        alpha_target: float,
    ) -> Any:
        s = _rankme._Selection()
        s.metric = metric
        s.tensor = tensor or ""
        s.checkpoint = f"step={checkpoint}" if isinstance(checkpoint, int) else checkpoint
        s.within = within or ""
        s.collapse_fraction = float(collapse_fraction)
        s.alpha_target = float(alpha_target)
        return s

    def runs(self) -> Any:
        """One row per run, as ``rankme runs --json``: run, path, config_id, hyperparameters,
        seed, layout, status, checkpoints, failures, latest (its last RankMe score, a dict)."""
        return self._frame(json.loads(_rankme._runs(self.path)))

    def scores(self, *, metric: Optional[str] = None, tensor: Optional[str] = None) -> Any:
        """Every stored score, one row each: run, config_id, seed and the fields of
        ``rankme show RUN --json``'s "scores" (checkpoint, step, epoch, tensor, metric, value,
        status, method, rows_used, cols, dtype, settings, files).

        A scored matrix has one row per metric of its spectra (rankme, rankme_centered,
        stable_rank, nesum, participation_ratio, alpha_req), a views tensor ``<name>_views``
        one ``lidar`` row (under the views tensor's name), and a metric stored under several
        settings (another eps, max_samples) one row per settings. ``metric`` and ``tensor``
        keep the rows of that metric or tensor only (None: every one), e.g.
        ``scores(metric="rankme")`` for one RankMe per checkpoint and tensor and settings.
        """
        if metric == "" or tensor == "":
            return self._frame([], columns=_SCORE_COLUMNS)  # no score has an empty name
        rows = json.loads(_rankme._scores(self.path, metric or "", tensor or ""))
        return self._frame(rows, columns=_SCORE_COLUMNS)

    def leaderboard(
        self,
        *,
        within: Optional[str] = None,
        metric: str = "rankme",
        tensor: Optional[str] = None,
        checkpoint: Union[str, int] = "last",
        collapse_fraction: float = 0.01,
        alpha_target: float = 1.0,
        top: int = 0,
    ) -> Any:
        """Ranked configurations, seeds aggregated: the rows of
        ``rankme leaderboard --format json`` (``top``: at most this many per group, 0 = all)."""
        s = self._selection(metric, tensor, checkpoint, within, collapse_fraction, alpha_target)
        notes, text = _rankme._leaderboard(self.path, s, int(top))
        _note(notes)
        return self._table(text, "configurations")

    def best(
        self,
        *,
        within: Optional[str] = None,
        metric: str = "rankme",
        tensor: Optional[str] = None,
        checkpoint: Union[str, int] = "last",
        collapse_fraction: float = 0.01,
        alpha_target: float = 1.0,
    ) -> dict[str, Any]:
        """``rankme best --json`` as a dict: the pick per group with its evidence, and the
        alternatives (always a dict: it is one document, not a table)."""
        s = self._selection(metric, tensor, checkpoint, within, collapse_fraction, alpha_target)
        notes, text = _rankme._best(self.path, s)
        _note(notes)
        return json.loads(text)

    def marginals(
        self,
        *,
        within: Optional[str] = None,
        metric: str = "rankme",
        tensor: Optional[str] = None,
        checkpoint: Union[str, int] = "last",
        collapse_fraction: float = 0.01,
        alpha_target: float = 1.0,
        by: Optional[str] = None,
    ) -> Any:
        """Mean score per value of each varying hyperparameter: the rows of
        ``rankme marginals --format json``; with ``by``, of that hyperparameter alone
        (``rankme leaderboard --by KEY --format json``; UsageError when it does not vary)."""
        s = self._selection(metric, tensor, checkpoint, within, collapse_fraction, alpha_target)
        notes, text = _rankme._marginals(self.path, s, by or "")
        _note(notes)
        return self._table(text, "marginals")

    def validate(
        self,
        labels: Optional[str] = None,
        *,
        label_column: str = "",
        lower_is_better: bool = False,
        signals: bool = False,
        within: Optional[str] = None,
        metric: str = "rankme",
        tensor: Optional[str] = None,
        checkpoint: Union[str, int] = "last",
        collapse_fraction: float = 0.01,
        alpha_target: float = 1.0,
    ) -> Any:
        """``rankme validate --labels FILE --format json``: rank correlation and regret of the
        label-free pick, one row per group ("all" first; the document's "agreement"). With
        ``signals=True`` instead the table of every signal (metric x tensor) ranked the same way,
        as ``rankme validate --signals`` prints it (the document's "signals": group, metric,
        tensor, direction, n, spearman, kendall_tau_b, pick, regret, ranked, reversed, ..., per
        group by regret ascending). The rest of the document (configurations, label,
        signal_notes, ...) is in ``DataFrame.attrs``; ``validate_document`` returns all of it.
        Imports the label file into the database first (as the command does); without
        ``labels`` the stored labels are used (``label_column`` then names the stored label)."""
        document = self.validate_document(
            labels, label_column=label_column, lower_is_better=lower_is_better, within=within,
            metric=metric, tensor=tensor, checkpoint=checkpoint,
            collapse_fraction=collapse_fraction, alpha_target=alpha_target)
        key = "signals" if signals else "agreement"
        return self._frame(document[key], document)

    def validate_document(
        self,
        labels: Optional[str] = None,
        *,
        label_column: str = "",
        lower_is_better: bool = False,
        within: Optional[str] = None,
        metric: str = "rankme",
        tensor: Optional[str] = None,
        checkpoint: Union[str, int] = "last",
        collapse_fraction: float = 0.01,
        alpha_target: float = 1.0,
    ) -> dict[str, Any]:
        """The whole JSON document of ``rankme validate --format json`` as a dict (agreement,
        signals, configurations, label, imported, unmatched, notes); arguments as validate."""
        s = self._selection(metric, tensor, checkpoint, within, collapse_fraction, alpha_target)
        notes, text = _rankme._validate(
            self.path, s, labels or "", label_column, bool(lower_is_better)
        )
        _note(notes)
        return json.loads(text)


def open(path: Optional[str] = None, *, frames: Optional[bool] = None) -> Database:  # noqa: A001
    """Opens a rankme database (default: $RANKME_DB, else ./rankme.db); see :class:`Database`.
    Raises rankme.DatabaseError when the file is missing or not a rankme database."""
    return Database(path, frames=frames)


def ingest(
    dirs: Union[str, Iterable[str]],
    *,
    db: Optional[str] = None,
    jobs: int = 0,
    tensors: Iterable[str] = (),
    eps: float = 1e-7,
    max_samples: int = 25600,
    seed: int = 0,
    max_memory: int = 0,
    flatten: bool = False,
    layout: Optional[str] = None,
    seed_keys: Iterable[str] = (),
    ignore_keys: Iterable[str] = (),
    settle_seconds: float = 30.0,
    progress: Optional[Callable[[str, str, int, int], Any]] = None,
) -> dict[str, Any]:
    """Runs ``rankme ingest DIR...``: discover, score and store, incremental and idempotent.

    The arguments are the command's flags: ``db`` (--db; default $RANKME_DB, else
    ./rankme.db), ``jobs`` (-j; 0 = one worker per core), ``tensors`` (--tensor; empty = every
    tensor found), ``eps``, ``max_samples`` (0 = all rows), ``seed``, ``max_memory`` (bytes a
    score may take; 0 = half the physical memory), ``flatten``, ``layout`` (a layout file),
    ``seed_keys`` (replace the default seed keys), ``ignore_keys`` (more bookkeeping keys),
    ``settle_seconds``.

    ``progress(event, what, a, b)`` is called on this thread: ``("plan", root, total,
    unchanged)`` once per sweep, then ``(outcome, label, done, total)`` per file group, outcome
    being ok | touched | failed | not_ready. Ctrl-C (KeyboardInterrupt), or an exception the
    callback raises, stops the ingest: the files being scored are finished and committed, no
    other file is read, then the exception is raised. The database stays consistent and the
    next ingest scores what is left.
    Returns the summary of ``rankme ingest --json``.
    """
    if isinstance(dirs, str):
        dirs = [dirs]
    s = _rankme._IngestSettings()
    s.roots = builtins.list(dirs)
    s.db = _rankme._resolve_database(db or "")
    s.jobs = int(jobs)
    s.tensors = builtins.list(tensors)
    s.eps = float(eps)
    s.max_samples = int(max_samples)
    s.seed = int(seed)
    s.max_memory = int(max_memory)
    s.flatten = bool(flatten)
    s.layout = layout or ""
    s.seed_keys = builtins.list(seed_keys)
    s.ignore_keys = builtins.list(ignore_keys)
    s.settle_seconds = float(settle_seconds)
    return json.loads(_rankme._ingest(s, progress))
