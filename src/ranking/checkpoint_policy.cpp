#include "rankme/ranking/checkpoint_policy.h"

#include <fmt/format.h>

#include <charconv>

#include "rankme/core/error.h"

namespace rankme::ranking {

namespace {

std::int64_t ParseCount(const std::string& text, std::string_view digits, std::int64_t minimum) {
  std::int64_t value = 0;
  const auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
  if (error != std::errc() || end != digits.data() + digits.size() || value < minimum) {
    throw UsageError(
        fmt::format("bad --checkpoint '{}': expected last, best, step=S, epoch=E or "
                    "mean-last=K (K >= 1)",
                    text));
  }
  return value;
}

}  // namespace

CheckpointPolicy CheckpointPolicy::Parse(const std::string& text) {
  using K = Kind;
  if (text == "last") return {K::kLast, 0};
  if (text == "best") return {K::kBest, 0};
  const struct {
    std::string_view prefix;
    Kind kind;
    std::int64_t minimum;
  } forms[] = {{"step=", K::kStep, 0}, {"epoch=", K::kEpoch, 0}, {"mean-last=", K::kMeanLast, 1}};
  for (const auto& form : forms) {
    if (text.rfind(form.prefix, 0) == 0) {
      return {form.kind,
              ParseCount(text, std::string_view(text).substr(form.prefix.size()), form.minimum)};
    }
  }
  ParseCount(text, "", 1);  // throws the message above
  return {};
}

std::string CheckpointPolicy::ToString() const {
  switch (kind) {
    case Kind::kLast:
      return "last";
    case Kind::kBest:
      return "best";
    case Kind::kStep:
      return fmt::format("step={}", count);
    case Kind::kEpoch:
      return fmt::format("epoch={}", count);
    case Kind::kMeanLast:
      return fmt::format("mean-last={}", count);
  }
  return "last";
}

std::string_view ValueStatusName(ValueStatus status) {
  switch (status) {
    case ValueStatus::kOk:
      return "ok";
    case ValueStatus::kPending:
      return "pending";
    case ValueStatus::kDegenerate:
      return "degenerate";
    case ValueStatus::kDiverged:
      return "diverged";
    case ValueStatus::kFailed:
      return "failed";
    case ValueStatus::kIncomparable:
      return "incomparable";
    case ValueStatus::kNoCheckpoint:
      return "no-such-checkpoint";
    case ValueStatus::kTooFew:
      return "too-few-checkpoints";
    case ValueStatus::kNotScored:
      return "not-scored";
  }
  return "ok";
}

namespace {

PolicyOutcome FromPoint(const std::vector<SeriesPoint>& points, std::size_t index) {
  const SeriesPoint& p = points[index];
  return {p.value, p.status, p.reason, {index}};
}

PolicyOutcome Matching(const std::vector<SeriesPoint>& points, const std::vector<std::size_t>& live,
                       const CheckpointPolicy& policy) {
  const bool by_step = policy.kind == CheckpointPolicy::Kind::kStep;
  for (std::size_t i : live) {
    const auto& field = by_step ? points[i].step : points[i].epoch;
    if (field && *field == policy.count) return FromPoint(points, i);
  }
  return {std::nullopt,
          ValueStatus::kNoCheckpoint,
          fmt::format("no checkpoint at {}", policy.ToString()),
          {}};
}

PolicyOutcome Best(const std::vector<SeriesPoint>& points, const std::vector<std::size_t>& live,
                   const ValueOrder& order) {
  std::optional<std::size_t> chosen;
  for (std::size_t i : live) {
    if (!points[i].value) continue;
    if (!chosen || order.Better(*points[i].value, *points[*chosen].value)) chosen = i;
  }
  if (chosen) return FromPoint(points, *chosen);
  return FromPoint(points, live.back());  // no checkpoint has a value: say why the last has none
}

PolicyOutcome MeanLast(const std::vector<SeriesPoint>& points, const std::vector<std::size_t>& live,
                       std::int64_t k) {
  const auto count = static_cast<std::size_t>(k);
  if (live.size() < count) {
    return {std::nullopt,
            ValueStatus::kTooFew,
            fmt::format("{} checkpoints, mean-last={} needs {}", live.size(), k, k),
            {}};
  }
  PolicyOutcome out{0.0, ValueStatus::kOk, "", {}};
  for (std::size_t j = live.size() - count; j < live.size(); ++j) {
    const SeriesPoint& p = points[live[j]];
    if (!p.value) return FromPoint(points, live[j]);
    *out.value += *p.value;
    out.used.push_back(live[j]);
  }
  *out.value /= static_cast<double>(count);
  return out;
}

}  // namespace

PolicyOutcome ApplyPolicy(const CheckpointPolicy& policy, const std::vector<SeriesPoint>& points,
                          const ValueOrder& order) {
  std::vector<std::size_t> live;
  for (std::size_t i = 0; i < points.size(); ++i) {
    if (points[i].status != ValueStatus::kPending) live.push_back(i);
  }
  if (live.empty()) {
    return {std::nullopt, ValueStatus::kNotScored, "no scored checkpoint", {}};
  }
  switch (policy.kind) {
    case CheckpointPolicy::Kind::kLast:
      return FromPoint(points, live.back());
    case CheckpointPolicy::Kind::kBest:
      return Best(points, live, order);
    case CheckpointPolicy::Kind::kStep:
    case CheckpointPolicy::Kind::kEpoch:
      return Matching(points, live, policy);
    case CheckpointPolicy::Kind::kMeanLast:
      return MeanLast(points, live, policy.count);
  }
  return {};
}

}  // namespace rankme::ranking
