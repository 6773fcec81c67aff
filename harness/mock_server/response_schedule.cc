#include "mock_server/response_schedule.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <tuple>

#include "mock_server/prompt_fields.h"
#include "mock_server/stable_hash.h"

namespace dspy_compat::mock {
namespace {

std::uint64_t Draw(std::uint64_t seed, std::string_view what, std::uint64_t a,
                   std::uint64_t b = 0) {
  return StableHasher(seed).Add("schedule").Add(what).Add(a).Add(b).Finish();
}

// Shorter values ("yes", "3", "0.5") appear in unrelated prompts.
constexpr std::size_t kMinQuote = 8;

// d-1 distinct steps in [1, k] (fewer when k < d-1), sorted.
std::vector<int> ChangePoints(const ScheduleConfig& config) {
  std::vector<int> points;
  if (config.strategy != ScheduleStrategy::kPct || config.steps < 1) return points;
  auto wanted = static_cast<std::size_t>(std::min(std::max(config.depth - 1, 0), config.steps));
  for (std::uint64_t draw = 0; points.size() < wanted; ++draw) {
    int step = 1 + static_cast<int>(Draw(config.seed, "pct-change", draw) %
                                    static_cast<std::uint64_t>(config.steps));
    if (std::find(points.begin(), points.end(), step) == points.end()) points.push_back(step);
  }
  std::sort(points.begin(), points.end());
  return points;
}

}  // namespace

std::string_view ScheduleStrategyName(ScheduleStrategy strategy) {
  switch (strategy) {
    case ScheduleStrategy::kNatural:
      return "natural";
    case ScheduleStrategy::kPct:
      return "pct";
    case ScheduleStrategy::kRandom:
      return "random";
  }
  return "natural";
}

std::optional<ScheduleStrategy> ParseScheduleStrategy(std::string_view name) {
  for (auto s : {ScheduleStrategy::kNatural, ScheduleStrategy::kPct, ScheduleStrategy::kRandom}) {
    if (ScheduleStrategyName(s) == name) return s;
  }
  return std::nullopt;
}

std::uint64_t ContentKey(const LmRequest& request) {
  StableHasher hasher(0);
  hasher.Add("content").Add(request.model);
  std::string scratch;
  for (const auto& message : request.messages) {
    std::string_view role;
    if (message.is_object()) {
      auto it = message.find("role");
      if (it != message.end() && it->is_string()) role = it->get_ref<const std::string&>();
    }
    hasher.Add(role).Add(MessageTextView(message, scratch));
  }
  return hasher.Finish();
}

std::string ContentKeyHex(std::uint64_t key) { return fmt::format("{:016x}", key); }

std::optional<std::uint64_t> ParseContentKey(std::string_view hex) {
  if (hex.size() != 16) return std::nullopt;
  std::uint64_t key = 0;
  auto [end, ec] = std::from_chars(hex.data(), hex.data() + hex.size(), key, 16);
  if (ec != std::errc() || end != hex.data() + hex.size()) return std::nullopt;
  return key;
}

std::vector<std::string> TellingQuotes(const std::vector<std::string>& values,
                                       std::string_view content) {
  std::vector<std::string> quotes;
  for (const std::string& value : values) {
    if (value.size() >= kMinQuote && content.find(value) != std::string_view::npos) {
      quotes.push_back(value);
    }
  }
  return quotes;
}

ScheduleConfig ReplayConfig(const LmSchedule& schedule) {
  ScheduleConfig config;
  config.strategy = ParseScheduleStrategy(schedule.strategy).value_or(ScheduleStrategy::kPct);
  if (config.strategy == ScheduleStrategy::kNatural) config.strategy = ScheduleStrategy::kPct;
  config.seed = schedule.seed;
  if (schedule.depth > 0) config.depth = schedule.depth;
  if (schedule.steps > 0) config.steps = schedule.steps;
  if (schedule.quiet_ms > 0) config.quiet_ms = schedule.quiet_ms;
  for (const ScheduledRelease& release : schedule.releases) {
    if (auto key = ParseContentKey(release.key)) config.replay.push_back(*key);
  }
  return config;
}

RunSchedule::RunSchedule(ScheduleConfig config)
    : config_(std::move(config)),
      change_points_(ChangePoints(config_)),
      replay_used_(config_.replay.size(), false) {}

void RunSchedule::Arrived(double now_ms) {
  last_activity_ms_ = std::max(last_activity_ms_, now_ms);
}

void RunSchedule::Hold(Id id, std::uint64_t key, int seq, double now_ms, Quoting quoting) {
  Pending p{.id = id,
            .key = key,
            .occurrence = seen_[key]++,
            .seq = seq,
            .held_ms = now_ms,
            .quotes = std::move(quoting.quotes)};
  p.own = Draw(config_.seed, "pct-priority", key, static_cast<std::uint64_t>(p.occurrence));
  if (auto chain = QuotedChain(quoting.prompt)) {
    p.chain = *chain;
  } else if (decided_chain_) {
    p.chain = *decided_chain_;
  } else {
    p.chain = chains_.size();
    chains_.push_back({.priority = p.own});
  }
  auto at = std::lower_bound(pending_.begin(), pending_.end(), p, [](const auto& a, const auto& b) {
    return std::tie(a.key, a.occurrence) < std::tie(b.key, b.occurrence);
  });
  pending_.insert(at, p);
  Arrived(now_ms);
}

void RunSchedule::Answered(Id id, double now_ms) {
  auto it = std::find(unanswered_.begin(), unanswered_.end(), id);
  if (it == unanswered_.end()) return;
  unanswered_.erase(it);
  Arrived(now_ms);
}

void RunSchedule::Cancel(Id id) {
  std::erase_if(pending_, [id](const Pending& p) { return p.id == id; });
  std::erase(unanswered_, id);
}

bool RunSchedule::Quiescent(double now_ms) const {
  return now_ms - last_activity_ms_ >= config_.quiet_ms;
}

std::vector<RunSchedule::Released> RunSchedule::Due(double now_ms) {
  std::vector<Released> out;
  for (;;) {  // past their bound, longest held first
    auto oldest =
        std::min_element(pending_.begin(), pending_.end(),
                         [](const auto& a, const auto& b) { return a.held_ms < b.held_ms; });
    if (oldest == pending_.end() || now_ms - oldest->held_ms < config_.bound_ms) break;
    Release(static_cast<std::size_t>(oldest - pending_.begin()), /*bound=*/true, out);
  }
  if (!pending_.empty() && unanswered_.empty() && Quiescent(now_ms)) {
    ++decisions_;
    const std::size_t chosen = Decide();
    decided_chain_ = pending_[chosen].chain;
    Release(chosen, /*bound=*/false, out);
  }
  return out;
}

std::optional<double> RunSchedule::NextDeadline() const {
  if (pending_.empty()) return std::nullopt;
  double next = pending_.front().held_ms;
  for (const Pending& p : pending_) next = std::min(next, p.held_ms);
  next += config_.bound_ms;
  if (unanswered_.empty()) next = std::min(next, last_activity_ms_ + config_.quiet_ms);
  return next;
}

std::size_t RunSchedule::Decide() {
  // Replay: the held response named earliest by the part of the record not yet used.
  for (std::size_t i = 0; i < config_.replay.size(); ++i) {
    if (replay_used_[i]) continue;
    for (std::size_t p = 0; p < pending_.size(); ++p) {
      if (pending_[p].key == config_.replay[i]) {
        replay_used_[i] = true;
        return p;
      }
    }
  }
  return Strategy();
}

std::size_t RunSchedule::Strategy() {
  switch (config_.strategy) {
    case ScheduleStrategy::kRandom:
      return static_cast<std::size_t>(
          Draw(config_.seed, "random", static_cast<std::uint64_t>(decisions_)) % pending_.size());
    case ScheduleStrategy::kPct:
      // At a change point the chain about to go is lowered below every other, so another goes
      // first: the preemption PCT places at random steps.
      for (std::size_t i = 0; i < change_points_.size(); ++i) {
        if (change_points_[i] == decisions_) {
          chains_[pending_[Highest()].chain].lowered = static_cast<int>(i) + 1;
        }
      }
      return Highest();
    case ScheduleStrategy::kNatural:
      break;
  }
  return 0;
}

std::size_t RunSchedule::Highest() const {
  auto rank = [this](const Pending& p) {
    // Not lowered above lowered; lowered by change point (later is higher), then priority.
    const Chain& c = chains_[p.chain];
    return std::make_tuple(c.lowered == 0, c.lowered, c.priority, p.own);
  };
  std::size_t best = 0;
  for (std::size_t i = 1; i < pending_.size(); ++i) {
    if (rank(pending_[i]) > rank(pending_[best])) best = i;
  }
  return best;
}

std::optional<std::size_t> RunSchedule::QuotedChain(std::string_view prompt) const {
  if (prompt.empty()) return std::nullopt;
  for (auto it = quoted_.rbegin(); it != quoted_.rend(); ++it) {  // the latest answer quoted
    for (const std::string& quote : it->quotes) {
      if (prompt.find(quote) != std::string_view::npos) return it->chain;
    }
  }
  return std::nullopt;
}

void RunSchedule::Release(std::size_t index, bool bound, std::vector<Released>& out) {
  Pending p = std::move(pending_[index]);
  pending_.erase(pending_.begin() + static_cast<std::ptrdiff_t>(index));
  if (bound) {  // a replay's record keeps its place in line
    for (std::size_t i = 0; i < config_.replay.size(); ++i) {
      if (!replay_used_[i] && config_.replay[i] == p.key) {
        replay_used_[i] = true;
        break;
      }
    }
  }
  out.push_back({p.id, bound});
  if (!p.quotes.empty()) quoted_.push_back({.quotes = std::move(p.quotes), .chain = p.chain});
  unanswered_.push_back(p.id);
  releases_.push_back({.key = ContentKeyHex(p.key), .seq = p.seq, .bound = bound});
}

LmSchedule RunSchedule::Record() const {
  bool pct = config_.strategy == ScheduleStrategy::kPct;
  return {.strategy = std::string(ScheduleStrategyName(config_.strategy)),
          .seed = config_.seed,
          .depth = pct ? config_.depth : 0,
          .steps = pct ? config_.steps : 0,
          .quiet_ms = config_.quiet_ms,
          .replay = !config_.replay.empty(),
          .releases = releases_};
}

}  // namespace dspy_compat::mock
