#!/usr/bin/python3
"""Opens `rankme report` pages in headless Chromium (through ChromeDriver) and checks them.

usage: report_test.py --rankme BIN --work DIR --artifacts DIR [--case hostile|large|real ...]

Each case writes a sweep (or uses tests/data/real_sweep_small), ingests it, writes the report,
loads it from file:// and fails on: any console error, an alert, a leaderboard whose rows or
means differ from numpy's RankMe of the generated matrices, a plot whose series do not match
the data (an empty plot included), column sorting that does not sort. A full-page screenshot of
each case is saved in the artifacts folder.
"""
import argparse
import json
import math
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from webdriver import Browser  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
FAILURES = []
PASSED = []


def check(condition, message):
    print(("ok    " if condition else "FAIL  ") + message, flush=True)
    (PASSED if condition else FAILURES).append(message)


def run(cmd, **kwargs):
    result = subprocess.run(cmd, capture_output=True, text=True, **kwargs)
    if result.returncode != 0:
        sys.exit(f"command failed ({result.returncode}): {' '.join(cmd)}\n{result.stderr}")
    return result


def expected_configurations(truth, step):
    """{hyperparameter tuple: [rankme of each seed at `step`]} from the generator's numpy values."""
    configs = {}
    for r in truth["runs"]:
        key = tuple(sorted((k, str(v)) for k, v in r["hparams"].items()))
        values = configs.setdefault(key, [])
        if str(step) in r["rankme"]:
            values.append(r["rankme"][str(step)])
    return configs


def page_report(browser):
    return browser.run("""
      const rows = Array.from(document.querySelectorAll('#leaderboard-table tbody tr'));
      const heads = Array.from(document.querySelectorAll('#leaderboard-table thead th'));
      const keyed = heads.map(h => h.getAttribute('data-key') === 'param' ? h.title : null);
      const count = (panel, kind) => Array.from(document.querySelectorAll(
          `svg[data-panel="${panel}"]`)).map(svg =>
          svg.querySelectorAll(`g.series[data-kind="${kind}"]`).length);
      return {
        rows: rows.map(tr => {
          const params = {};
          keyed.forEach((k, i) => { if (k) params[k] = tr.cells[i].textContent; });
          const score = tr.querySelector('td.score');
          return {config: tr.getAttribute('data-config'), params: params,
                  score: score.getAttribute('data-v')};
        }),
        scripts: document.scripts.length,
        runCells: Array.from(document.querySelectorAll('#runs-all td.run')).map(td => td.textContent),
        failureRuns: Array.from(document.querySelectorAll('#failures-table tbody tr'))
            .map(tr => tr.cells[0].textContent),
        text: document.body.innerText,
        trajectories: {run: count('trajectories', 'run'), mean: count('trajectories', 'mean')},
        spectra: count('spectra', 'spectrum'),
        marginal: count('marginal', 'configuration'),
        emptyPlots: Array.from(document.querySelectorAll('svg.plot'))
            .filter(svg => svg.querySelectorAll('g.series').length === 0)
            .map(svg => svg.getAttribute('aria-label')),
        plots: document.querySelectorAll('svg.plot').length,
        loadMs: performance.getEntriesByType('navigation')[0].loadEventEnd,
        height: document.documentElement.scrollHeight,
      };""")


def score_column(browser):
    return browser.run("""return Array.from(document.querySelectorAll(
        '#leaderboard-table tbody td.score')).map(td => td.getAttribute('data-v'));""")


def check_page(browser, name, html, truth, step, within_key, within_groups, artifacts):
    browser.console()  # drop anything logged before
    started = time.time()
    browser.get("file://" + os.path.abspath(html))
    wall_ms = (time.time() - started) * 1000
    page = page_report(browser)
    size = os.path.getsize(html)
    print(f"      {name}: {size / 1024:.0f} KB, load event at {page['loadMs']:.0f} ms "
          f"(navigation returned after {wall_ms:.0f} ms), {page['plots']} plots")
    errors = [e for e in browser.console() if e.get("level") == "SEVERE"]
    check(not errors, f"{name}: no console error {errors[:3]}")
    check(page["scripts"] == 1, f"{name}: exactly one script element (the report's own)")
    check(not page["emptyPlots"], f"{name}: every plot has series (empty: {page['emptyPlots']})")

    expected = expected_configurations(truth, step)
    check(len(page["rows"]) == len(expected),
          f"{name}: leaderboard has one row per configuration ({len(page['rows'])} vs "
          f"{len(expected)})")
    matched = 0
    seeds_with_value = []  # per leaderboard row, in its order
    for row in page["rows"]:
        for key, values in expected.items():
            params = dict(key)
            if all(k not in row["params"] or row["params"][k] == params[k]
                   or _same_number(row["params"][k], params[k]) for k in params):
                mean = sum(values) / len(values)
                if row["score"] and abs(float(row["score"]) - mean) <= 1e-6 * abs(mean):
                    matched += 1
                seeds_with_value.append((row["params"].get(within_key, ""), len(values)))
                break
    check(matched == len(expected),
          f"{name}: each row's mean equals numpy's mean RankMe at step {step} ({matched} of "
          f"{len(expected)})")
    n_runs = len(truth["runs"])
    check(sum(page["trajectories"]["run"]) == n_runs,
          f"{name}: training plots draw one line per run ({page['trajectories']['run']} vs "
          f"{n_runs})")
    check(sum(page["trajectories"]["mean"]) == len(expected),
          f"{name}: training plots draw one mean line per configuration")
    check(len(page["trajectories"]["run"]) == max(1, within_groups),
          f"{name}: one training plot per group")
    groups = max(1, within_groups)
    per_group = len(expected) // groups
    shown = {}
    for group, n in seeds_with_value:  # the best 5 rows of each group, seeds with a value
        shown.setdefault(group, []).append(n)
    want_spectra = sum(sum(ns[:5]) for ns in shown.values())
    check(sum(page["spectra"]) == want_spectra,
          f"{name}: spectra of the top configurations, one line per seed with a value "
          f"({page['spectra']} vs {want_spectra})")
    check(all(c == per_group for c in page["marginal"]) and page["marginal"],
          f"{name}: every hyperparameter panel has one point per configuration "
          f"({page['marginal']})")

    # Sorting: the score column ascending on the first click, descending on the second.
    browser.click('#leaderboard-table th[data-key="score"]')
    up = [float(v) for v in score_column(browser) if v]
    browser.click('#leaderboard-table th[data-key="score"]')
    down = [float(v) for v in score_column(browser) if v]
    check(up == sorted(up) and down == sorted(up, reverse=True) and len(up) == len(expected),
          f"{name}: clicking the score header sorts ascending, then descending")
    browser.click('#leaderboard-table th[data-key="rank"]')

    # Hovering a leaderboard row highlights that configuration's series in every plot.
    hover = browser.run("""
      const row = document.querySelector('#leaderboard-table tbody tr');
      const id = row.getAttribute('data-config');
      row.dispatchEvent(new MouseEvent('mouseenter'));
      const on = Array.from(document.querySelectorAll('g.series.on'));
      const want = Array.from(document.querySelectorAll('g.series'))
          .filter(g => g.getAttribute('data-config') === id).length;
      const result = {focus: document.body.classList.contains('focus'), on: on.length,
                      want: want, same: on.every(g => g.getAttribute('data-config') === id)};
      row.dispatchEvent(new MouseEvent('mouseleave'));
      result.after = document.querySelectorAll('g.series.on').length;
      return result;""")
    check(hover["focus"] and hover["on"] == hover["want"] > 0 and hover["same"]
          and hover["after"] == 0,
          f"{name}: hovering a row highlights exactly its configuration's series ({hover})")

    width = 1400
    browser.set_window(width, min(page["height"] + 140, 16000))
    shot = os.path.join(artifacts, f"report-{name}.png")
    browser.screenshot(shot)
    browser.set_window(width, 1000)
    print(f"      screenshot: {shot}")
    return page


def _same_number(a, b):
    try:
        return math.isclose(float(a), float(b), rel_tol=1e-12)
    except ValueError:
        return False


def make_case(rankme, work, case):
    folder = os.path.join(work, case)
    subprocess.run(["rm", "-rf", folder], check=True)
    os.makedirs(folder)
    db = os.path.join(folder, "rankme.db")
    options = {"hostile": [], "large": ["--lrs", ",".join(f"{0.0001 * 1.5 ** i:.6g}" for i in range(25)),
                                        "--wds", "0.0,0.0001,0.001,0.01,0.1", "--methods", "byol",
                                        "--seeds", "4", "--steps", "50", "--rows", "24",
                                        "--cols", "8"]}
    args = ["--hostile"] if case == "hostile" else options[case]
    run(["/usr/bin/python3", os.path.join(HERE, "make_sweep.py"), folder] + args)
    started = time.time()
    run([rankme, "ingest", os.path.join(folder, "sweep"), "--db", db])
    print(f"      {case}: ingest took {time.time() - started:.1f} s")
    with open(os.path.join(folder, "truth.json")) as f:
        truth = json.load(f)
    return folder, db, truth


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rankme", required=True)
    parser.add_argument("--work", required=True)
    parser.add_argument("--artifacts", required=True)
    parser.add_argument("--case", action="append", choices=["hostile", "large"])
    args = parser.parse_args()
    os.makedirs(args.artifacts, exist_ok=True)
    cases = args.case or ["hostile"]
    browser = Browser()
    try:
        for case in cases:
            folder, db, truth = make_case(args.rankme, args.work, case)
            steps = sorted(int(s) for s in truth["runs"][0]["rankme"])
            html = os.path.join(folder, "report.html")
            started = time.time()
            run([args.rankme, "report", "--db", db, "-o", html])
            print(f"      {case}: report written in {time.time() - started:.2f} s")
            page = check_page(browser, case, html, truth, steps[-1], None, 0, args.artifacts)
            if case == "hostile":
                check(truth["hostile_run"] in page["runCells"],
                      "hostile: the run named <script>alert(1)</script> shows as text")
                check(truth["hostile_method"] in page["text"],
                      "hostile: a config value holding markup shows as text")
                check(truth["hostile_note"] in page["text"],
                      "hostile: quotes and </style><script> in values show as text")
                failed = [r["run"] for r in truth["runs"] if r["failed_step"]]
                check(all(name in page["failureRuns"] for name in failed) and failed,
                      f"hostile: the unreadable checkpoint is listed with its reason ({failed})")
                grouped = os.path.join(folder, "report-within.html")
                run([args.rankme, "report", "--db", db, "-o", grouped, "--within", "method"])
                methods = len({r["hparams"]["method"] for r in truth["runs"]})
                check_page(browser, "hostile-within", grouped, truth, steps[-1], "method", methods,
                           args.artifacts)
            if case == "large":
                check(page["loadMs"] < 3000, f"large: loads in under 3 s ({page['loadMs']:.0f} ms)")
    finally:
        browser.close()
    print(f"browser: {len(PASSED)} passed, {len(FAILURES)} failed")
    return 1 if FAILURES else 0


if __name__ == "__main__":
    sys.exit(main())
