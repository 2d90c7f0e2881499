// rankme::Error and its subclasses as Python exceptions, with the CLI's messages.
#include "bindings.h"
#include "rankme/core/error.h"

namespace py = pybind11;

namespace rankme::python {

namespace {

// Exception classes, created once at import and kept for the life of the interpreter.
struct ErrorClasses {
  py::handle base, usage, io, format, data, config, database;
};

ErrorClasses& Classes() {
  static ErrorClasses classes;
  return classes;
}

py::handle NewClass(py::module_& m, const char* name, py::handle base, py::handle builtin,
                    const char* doc) {
  const std::string qualified = std::string("rankme.") + name;
  py::object bases = builtin ? py::object(py::make_tuple(base, builtin))
                             : py::reinterpret_borrow<py::object>(base);
  PyObject* cls = PyErr_NewExceptionWithDoc(qualified.c_str(), doc, bases.ptr(), nullptr);
  if (cls == nullptr) throw py::error_already_set();
  m.add_object(name, py::handle(cls));  // the module keeps a reference: the class never dies
  return py::handle(cls);
}

py::handle ClassOf(const Error& e) {
  const ErrorClasses& c = Classes();
  if (dynamic_cast<const UsageError*>(&e)) return c.usage;
  if (dynamic_cast<const IoError*>(&e)) return c.io;
  if (dynamic_cast<const FormatError*>(&e)) return c.format;
  if (dynamic_cast<const DataError*>(&e)) return c.data;
  if (dynamic_cast<const ConfigError*>(&e)) return c.config;
  if (dynamic_cast<const StoreError*>(&e)) return c.database;
  return c.base;
}

}  // namespace

void RegisterErrors(py::module_& m) {
  ErrorClasses& c = Classes();
  c.base = NewClass(m, "Error", PyExc_Exception, py::handle(),
                    "Base of every error rankme raises. str(e) is the CLI's message after "
                    "'rankme: '; e.path names the file (or run), e.message is the message without "
                    "it, e.exit_code the CLI's exit code (1 usage, 2 bad input, 3 database).");
  c.usage = NewClass(m, "UsageError", c.base, PyExc_ValueError,
                     "An impossible request: unknown tensor, metric or option value (exit 1).");
  c.io =
      NewClass(m, "IoError", c.base, PyExc_OSError, "A file could not be opened or read (exit 2).");
  c.format = NewClass(m, "FormatError", c.base, PyExc_ValueError,
                      "Bytes or an array that do not form valid input: bad dtype, bad file "
                      "(exit 2).");
  c.data = NewClass(m, "DataError", c.base, PyExc_ValueError,
                    "Values that cannot be scored: NaN/Inf (row and column named), fewer than "
                    "two rows, a shape of rank other than 2 without flatten (exit 2).");
  c.config = NewClass(m, "ConfigError", c.base, PyExc_ValueError,
                      "An invalid configuration or layout file (exit 2).");
  c.database = NewClass(m, "DatabaseError", c.base, py::handle(),
                        "The database could not be opened, migrated, read or written (exit 3).");

  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const Error& e) {
      const py::handle cls = ClassOf(e);
      py::object exc = cls(py::str(e.what()));
      exc.attr("path") = py::str(e.path());
      exc.attr("message") = py::str(e.message());
      exc.attr("exit_code") = static_cast<int>(e.exit_code());
      PyErr_SetObject(cls.ptr(), exc.ptr());
    }
  });
}

}  // namespace rankme::python
