// Deliberately bad: store includes ranking, a sibling module (both sit on core only).
#include "rankme/ranking/leaderboard.h"
