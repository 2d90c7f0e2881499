// The _rankme extension: a thin layer over the engine's public headers (include/rankme/).
// The package rankme (python/rankme/__init__.py) wraps it for users.
#include "bindings.h"

PYBIND11_MODULE(_rankme, m) {
  m.doc() = "rankme's engine: scores of in-memory arrays and the rankme database.";
  m.attr("__version__") = RANKME_VERSION;
  rankme::python::RegisterErrors(m);
  rankme::python::RegisterMetrics(m);
  rankme::python::RegisterApp(m);
}
