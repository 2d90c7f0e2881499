"""Runs one pytest file for CTest. Exit 77 (CTest's SKIP_RETURN_CODE) when pytest or numpy is
missing, or when every test of the file was skipped; otherwise pytest's own exit code."""

import sys

try:
    import numpy  # noqa: F401
    import pytest
except ImportError as error:
    print(f"skipped: {error}")
    sys.exit(77)


class Outcomes:
    def __init__(self) -> None:
        self.counts = {"passed": 0, "failed": 0, "skipped": 0}

    def pytest_runtest_logreport(self, report) -> None:
        if report.when == "call" or report.outcome != "passed":
            self.counts[report.outcome] = self.counts.get(report.outcome, 0) + 1


outcomes = Outcomes()
code = pytest.main([sys.argv[1], "-q", "-rs", "-p", "no:cacheprovider"], plugins=[outcomes])
c = outcomes.counts
if code == 0 and c["skipped"] > 0 and c["passed"] == 0 and c["failed"] == 0:
    sys.exit(77)
sys.exit(int(code))
