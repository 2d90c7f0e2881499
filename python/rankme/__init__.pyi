# Type stubs of the rankme package (python/rankme); the documentation is in the docstrings.
from typing import Any, Callable, Iterable, Optional, Sequence, Union

import numpy as np

__version__: str

class Error(Exception):
    path: str
    message: str
    exit_code: int

class UsageError(Error, ValueError): ...
class IoError(Error, OSError): ...
class FormatError(Error, ValueError): ...
class DataError(Error, ValueError): ...
class ConfigError(Error, ValueError): ...
class DatabaseError(Error): ...

def blas_kernel() -> str: ...
def algorithm_version() -> int: ...
def metric_catalog() -> list[dict[str, Any]]: ...
def score(
    x: Any,
    *,
    metrics: Optional[Sequence[str]] = ...,
    eps: float = ...,
    max_samples: int = ...,
    seed: int = ...,
    method: str = ...,
    flatten: bool = ...,
    threads: int = ...,
    spectrum: bool = ...,
) -> dict[str, Any]: ...
def spectrum(
    x: Any,
    *,
    max_samples: int = ...,
    seed: int = ...,
    method: str = ...,
    flatten: bool = ...,
    threads: int = ...,
) -> np.ndarray: ...
def lidar(
    views: Any,
    *,
    max_samples: int = ...,
    seed: int = ...,
    threads: int = ...,
    eigenvalues: bool = ...,
) -> dict[str, Any]: ...

class Database:
    path: str
    frames: Optional[bool]
    def __init__(self, path: Optional[str] = ..., *, frames: Optional[bool] = ...) -> None: ...
    def runs(self) -> Any: ...
    def scores(self, *, metric: Optional[str] = ..., tensor: Optional[str] = ...) -> Any: ...
    def leaderboard(
        self,
        *,
        within: Optional[str] = ...,
        metric: str = ...,
        tensor: Optional[str] = ...,
        checkpoint: Union[str, int] = ...,
        collapse_fraction: float = ...,
        alpha_target: float = ...,
        top: int = ...,
    ) -> Any: ...
    def best(
        self,
        *,
        within: Optional[str] = ...,
        metric: str = ...,
        tensor: Optional[str] = ...,
        checkpoint: Union[str, int] = ...,
        collapse_fraction: float = ...,
        alpha_target: float = ...,
    ) -> dict[str, Any]: ...
    def marginals(
        self,
        *,
        within: Optional[str] = ...,
        metric: str = ...,
        tensor: Optional[str] = ...,
        checkpoint: Union[str, int] = ...,
        collapse_fraction: float = ...,
        alpha_target: float = ...,
        by: Optional[str] = ...,
    ) -> Any: ...
    def validate(
        self,
        labels: Optional[str] = ...,
        *,
        label_column: str = ...,
        lower_is_better: bool = ...,
        signals: bool = ...,
        within: Optional[str] = ...,
        metric: str = ...,
        tensor: Optional[str] = ...,
        checkpoint: Union[str, int] = ...,
        collapse_fraction: float = ...,
        alpha_target: float = ...,
    ) -> Any: ...
    def validate_document(
        self,
        labels: Optional[str] = ...,
        *,
        label_column: str = ...,
        lower_is_better: bool = ...,
        within: Optional[str] = ...,
        metric: str = ...,
        tensor: Optional[str] = ...,
        checkpoint: Union[str, int] = ...,
        collapse_fraction: float = ...,
        alpha_target: float = ...,
    ) -> dict[str, Any]: ...

def open(path: Optional[str] = ..., *, frames: Optional[bool] = ...) -> Database: ...
def ingest(
    dirs: Union[str, Iterable[str]],
    *,
    db: Optional[str] = ...,
    jobs: int = ...,
    tensors: Iterable[str] = ...,
    eps: float = ...,
    max_samples: int = ...,
    seed: int = ...,
    max_memory: int = ...,
    flatten: bool = ...,
    layout: Optional[str] = ...,
    seed_keys: Iterable[str] = ...,
    ignore_keys: Iterable[str] = ...,
    settle_seconds: float = ...,
    progress: Optional[Callable[[str, str, int, int], Any]] = ...,
) -> dict[str, Any]: ...
