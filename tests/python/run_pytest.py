"""Runs one pytest file for CTest. Exit 77 (CTest's SKIP_RETURN_CODE: reported as skipped, not
passed) when pytest or numpy is missing, or when every test of the file was skipped; otherwise
pytest's own exit code.

A file whose tests partly ran and partly skipped fails: CTest shows one outcome per file, so a
test that cannot run here (an optional package missing) belongs in a file of its own that
skips as a whole (module-level pytest.importorskip), where CTest reports it as skipped."""

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
        self.skipped = []

    def pytest_runtest_logreport(self, report) -> None:
        if report.when == "call" or report.outcome != "passed":
            self.counts[report.outcome] = self.counts.get(report.outcome, 0) + 1
            if report.outcome == "skipped":
                self.skipped.append(report.nodeid)

    def pytest_collectreport(self, report) -> None:
        if report.outcome == "skipped":  # a module-level importorskip
            self.counts["skipped"] += 1


outcomes = Outcomes()
code = pytest.main([sys.argv[1], "-q", "-rs", "-p", "no:cacheprovider"], plugins=[outcomes])
c = outcomes.counts
if code in (0, 5) and c["skipped"] > 0 and c["passed"] == 0 and c["failed"] == 0:
    sys.exit(77)  # 5: nothing collected (the module skipped itself)
if code == 0 and c["skipped"] > 0:
    print(f"\nrun_pytest: {c['passed']} passed but {c['skipped']} skipped in one file: "
          f"{', '.join(outcomes.skipped)}. Move the tests that cannot run here into a file of "
          "their own that skips as a whole, so that CTest reports them as skipped.")
    sys.exit(1)
sys.exit(int(code))
