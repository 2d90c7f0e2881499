// Allowed: metrics includes itself, core, its private header, Eigen, fmt and the standard library.
#include <fmt/format.h>

#include <Eigen/Dense>
#include <vector>

#include "metrics/metrics_internal.h"
#include "rankme/core/error.h"
#include "rankme/metrics/rankme.h"
