#pragma once

#include <nlohmann/json.hpp>

#include "rankme/ranking/leaderboard.h"

namespace rankme::app {

/// One configuration with its runs, checkpoints and files, as the JSON exports write it.
nlohmann::json ConfigurationJson(const ranking::ConfigurationRow& row);
/// What a leaderboard assumed (metric, tensor, policy, settings, notes), as JSON.
nlohmann::json BoardJson(const ranking::Leaderboard& board);

}  // namespace rankme::app
