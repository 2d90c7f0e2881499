// The parts of the _rankme extension, one per engine module they expose.
#pragma once

#include <pybind11/pybind11.h>

namespace rankme::python {

/// rankme.Error and its subclasses, and the translator from rankme::Error to them.
void RegisterErrors(pybind11::module_& m);
/// Scoring of in-memory arrays (metrics): _score, _lidar, _metric_catalog, blas_kernel.
void RegisterMetrics(pybind11::module_& m);
/// The database and ingest (app): _Database, _ingest.
void RegisterApp(pybind11::module_& m);

}  // namespace rankme::python
