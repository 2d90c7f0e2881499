"""Builds the _rankme extension with the project's CMake (the parent folder), for
`pip install --no-build-isolation ./python`: offline, with Debian's setuptools and pip and the
build dependencies of scripts/setup. RANKME_CMAKE_ARGS adds CMake options (e.g.
"-DCMAKE_CXX_COMPILER_LAUNCHER=ccache"); RANKME_BUILD_JOBS sets the build's parallelism.
RANKME_EXTENSION names an already built _rankme module (e.g. build/python/rankme/_rankme*.so of
the same interpreter) to install instead of building one: the tests install that way."""

import glob
import os
import shlex
import shutil
import subprocess
import sys

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

SOURCE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


class CMakeBuild(build_ext):
    def build_extension(self, ext):
        target = self.get_ext_fullpath(ext.name)
        os.makedirs(os.path.dirname(target), exist_ok=True)
        prebuilt = os.environ.get("RANKME_EXTENSION")
        if prebuilt:
            shutil.copyfile(prebuilt, target)
            return
        build = os.path.abspath(os.path.join(self.build_temp, "cmake"))
        subprocess.check_call(
            ["cmake", "-S", SOURCE, "-B", build, "-DCMAKE_BUILD_TYPE=Release",
             "-DRANKME_BUILD_TESTS=OFF", "-DRANKME_BUILD_PYTHON=ON",
             f"-DPython3_EXECUTABLE={sys.executable}",
             *shlex.split(os.environ.get("RANKME_CMAKE_ARGS", ""))])
        jobs = os.environ.get("RANKME_BUILD_JOBS", str(os.cpu_count() or 1))
        subprocess.check_call(["cmake", "--build", build, "--target", "_rankme", "-j", jobs])
        built = glob.glob(os.path.join(build, "python", "rankme", "_rankme*.so"))
        if len(built) != 1:
            raise RuntimeError(f"expected one _rankme module in {build}, found {built}")
        shutil.copyfile(built[0], target)


setup(ext_modules=[Extension("rankme._rankme", sources=[])], cmdclass={"build_ext": CMakeBuild})
