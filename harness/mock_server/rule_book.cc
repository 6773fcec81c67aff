#include "mock_server/rule_book.h"

#include <algorithm>

namespace dspy_compat::mock {
namespace {

// The joined message text is built only if some rule looks at it.
class LazyText {
 public:
  explicit LazyText(const LmRequest* request) : request_(request) {}
  const std::string& Get() {
    if (!text_) text_ = request_ ? MessagesText(request_->messages) : std::string();
    return *text_;
  }

 private:
  const LmRequest* request_;
  std::optional<std::string> text_;
};

bool MeetsConditions(const RuleMatch& m, const RequestFacts& facts, LazyText& text) {
  const LmRequest* r = facts.request;
  if (m.api && (!r || *m.api != r->api)) return false;
  if (m.stream && (!r || *m.stream != r->stream)) return false;
  if (m.model && !m.model->Matches(r ? std::string_view(r->model) : std::string_view())) {
    return false;
  }
  if (m.run && !m.run->Matches(facts.run_id)) return false;
  if (m.path && !m.path->Matches(facts.path)) return false;
  for (const std::string& field : m.fields) {
    if (!facts.fields ||
        std::find(facts.fields->begin(), facts.fields->end(), field) == facts.fields->end()) {
      return false;
    }
  }
  if (m.messages && !m.messages->Matches(text.Get())) return false;
  return true;
}

}  // namespace

void RuleBook::Replace(FixtureSet set) {
  std::lock_guard lock(mutex_);
  rules_ = std::move(set.rules);
  size_ = rules_.size();
}

void RuleBook::Append(FixtureSet set) {
  std::lock_guard lock(mutex_);
  for (auto& rule : set.rules) rules_.push_back(std::move(rule));
  size_ = rules_.size();
}

void RuleBook::Clear() { Replace({}); }

FixtureSet RuleBook::Rules() const {
  std::lock_guard lock(mutex_);
  return {rules_};
}

std::size_t RuleBook::size() const { return size_.load(); }

std::optional<RuleChoice> RuleBook::Choose(const RequestFacts& facts, const FixtureSet* run_rules) {
  bool has_run_rules = run_rules && !run_rules->rules.empty();
  if (size_.load() == 0 && !has_run_rules) return std::nullopt;  // the common, fast case
  LazyText text(facts.request);
  std::optional<RuleChoice> chosen;
  std::lock_guard lock(mutex_);
  auto& counters = counters_[std::string(facts.run_id)];
  auto consider = [&](const std::shared_ptr<const Rule>& rule) {
    if (!MeetsConditions(rule->match, facts, text)) return;
    int nth = ++counters[rule->id];
    if (chosen || (rule->match.nth && !rule->match.nth->Matches(nth))) return;
    chosen = RuleChoice{rule, nth};
  };
  if (has_run_rules) {
    for (const auto& rule : run_rules->rules) consider(rule);
  }
  for (const auto& rule : rules_) consider(rule);
  return chosen;
}

void RuleBook::ResetCounters() {
  std::lock_guard lock(mutex_);
  counters_.clear();
}

void RuleBook::ForgetRun(const std::string& run_id) {
  std::lock_guard lock(mutex_);
  counters_.erase(run_id);
}

}  // namespace dspy_compat::mock
