// Deliberately bad: the command line uses Eigen, which belongs to metrics alone.
#include <Eigen/Dense>
