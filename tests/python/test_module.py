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


def stub_signatures():
    """{name: [(parameter, kind, has default)]} of the stub's functions and Database methods."""
    import ast

    tree = ast.parse(open(os.path.join(os.path.dirname(rankme.__file__), "__init__.pyi")).read())
    out = {}

    def params(node):
        a = node.args
        plain = a.posonlyargs + a.args
        defaults = [False] * (len(plain) - len(a.defaults)) + [True] * len(a.defaults)
        got = [(p.arg, "positional", d) for p, d in zip(plain, defaults)]
        got += [(p.arg, "keyword", d is not None) for p, d in zip(a.kwonlyargs, a.kw_defaults)]
        return got

    for node in tree.body:
        if isinstance(node, ast.FunctionDef):
            out[node.name] = params(node)
        if isinstance(node, ast.ClassDef) and node.name == "Database":
            for item in node.body:
                if isinstance(item, ast.FunctionDef):
                    out["Database." + item.name] = params(item)
    return out


def implementation_signature(function):
    import inspect

    kinds = {inspect.Parameter.KEYWORD_ONLY: "keyword"}
    return [(p.name, kinds.get(p.kind, "positional"), p.default is not inspect.Parameter.empty)
            for p in inspect.signature(function).parameters.values()]


def test_stubs_match_the_signatures():
    stubs = stub_signatures()
    public = [n for n in rankme.__all__ if callable(getattr(rankme, n))
              and not isinstance(getattr(rankme, n), type)]
    methods = [m for m in vars(rankme.Database) if not m.startswith("_") or m == "__init__"]
    assert set(stubs) == set(public) | {"Database." + m for m in methods}
    for name, stub in stubs.items():
        obj = getattr(rankme.Database, name.split(".")[1]) if "." in name else getattr(rankme, name)
        try:
            actual = implementation_signature(obj)
        except ValueError:  # an extension function (pybind11): its docstring holds the signature
            assert obj.__doc__.startswith(name + "("), name
            continue
        assert stub == actual, name


def test_every_public_method_has_a_docstring():
    for name, member in vars(rankme.Database).items():
        if not name.startswith("_"):
            assert member.__doc__ and len(member.__doc__) > 40, name
