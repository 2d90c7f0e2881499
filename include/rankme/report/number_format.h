#pragma once

#include <string>

namespace rankme::report {

/// A score for people: 9 significant digits (RankMe is accurate to 1e-6 relative, so the
/// digits shown are digits that mean something), e.g. 23.2876541.
std::string FormatScore(double value);

}  // namespace rankme::report
