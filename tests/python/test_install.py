"""`pip install --no-build-isolation ./python` into a fresh virtualenv (made with
--system-site-packages, as the README says), offline (--no-index): the installed package
imports outside the source tree, carries its stubs and py.typed, and scores as the build tree's.
The extension installed is the build's own (RANKME_EXTENSION, see python/setup.py): building
it again here would take minutes; the CMake build behind a plain `pip install` is the one
CTest's other tests use."""

import glob
import json
import os
import shutil
import subprocess

import numpy as np

import rankme

SOURCE = os.environ.get("RANKME_SOURCE_DIR", os.path.join(os.path.dirname(__file__), "..", ".."))


def test_pip_installs_the_package_offline_into_a_fresh_venv(tmp_path):
    venv = tmp_path / "venv"
    subprocess.run(["/usr/bin/python3", "-m", "venv", "--system-site-packages", str(venv)],
                   check=True, capture_output=True)
    package = tmp_path / "python"  # a copy: pip writes build/ and *.egg-info beside setup.py
    shutil.copytree(os.path.join(SOURCE, "python"), package,
                    ignore=shutil.ignore_patterns("build", "*.egg-info", "__pycache__"))
    (extension,) = glob.glob(os.path.join(os.path.dirname(rankme._rankme.__file__),
                                          "_rankme*.so"))
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env.update(RANKME_EXTENSION=extension, PIP_NO_INDEX="1", PIP_DISABLE_PIP_VERSION_CHECK="1")
    pip = subprocess.run([str(venv / "bin" / "pip"), "install", "--no-build-isolation",
                          "--no-index", str(package)], env=env, capture_output=True, text=True)
    assert pip.returncode == 0, pip.stdout + pip.stderr
    z = np.random.default_rng(0).standard_normal((500, 40)).astype(np.float32)
    np.save(tmp_path / "z.npy", z)
    code = (
        "import json, os, sys, numpy as np, rankme\n"
        "here = os.path.dirname(rankme.__file__)\n"
        "print(json.dumps({'file': rankme.__file__, 'prefix': sys.prefix,\n"
        "  'stub': os.path.exists(os.path.join(here, '__init__.pyi')),\n"
        "  'typed': os.path.exists(os.path.join(here, 'py.typed')),\n"
        "  'version': rankme.__version__,\n"
        "  'rankme': rankme.score(np.load(sys.argv[1]))['rankme']}))\n"
    )
    out = subprocess.run([str(venv / "bin" / "python"), "-c", code, str(tmp_path / "z.npy")],
                         env=env, cwd=str(tmp_path), check=True, capture_output=True, text=True)
    got = json.loads(out.stdout)
    assert got["file"].startswith(str(venv)) and got["prefix"] == str(venv)
    assert got["stub"] and got["typed"]
    assert got["version"] == rankme.__version__
    assert got["rankme"] == rankme.score(z)["rankme"]
    # Uninstalls cleanly too.
    subprocess.run([str(venv / "bin" / "pip"), "uninstall", "-y", "rankme"], env=env,
                   check=True, capture_output=True)
