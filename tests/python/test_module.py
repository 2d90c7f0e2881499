"""The package imports from the build tree and exposes its documented API."""

import os

import rankme


def test_module_is_the_build_trees_extension():
    assert os.path.dirname(rankme._rankme.__file__) == os.path.dirname(rankme.__file__)
    assert rankme.__version__ == rankme._rankme.__version__


def test_public_names_have_docstrings():
    for name in rankme.__all__:
        assert getattr(rankme, name).__doc__, name


def test_error_classes_subclass_the_builtin_ones():
    assert issubclass(rankme.FormatError, rankme.Error)
    assert issubclass(rankme.FormatError, ValueError)
    assert issubclass(rankme.DataError, ValueError)
    assert issubclass(rankme.UsageError, ValueError)
    assert issubclass(rankme.IoError, OSError)
    assert issubclass(rankme.DatabaseError, rankme.Error)
    assert not issubclass(rankme.DatabaseError, ValueError)


def test_stub_names_every_public_function():
    stub = open(os.path.join(os.path.dirname(rankme.__file__), "__init__.pyi")).read()
    for name in rankme.__all__:
        assert name in stub, name
