#include "results/baseline.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstdint>
#include <cstring>

#include "core/json_int.h"
#include "results/atomic_file.h"
#include "results/results_file.h"

namespace dspy_compat {
namespace {

using nlohmann::json;

// One line, bounded: a field's name is the file's own (scenario and target keys).
[[noreturn]] void Fail(const std::string& where, std::string_view what) {
  std::string line = fmt::format("{}: {}", where, what);
  for (char& c : line) {
    if (c == '\n' || c == '\r') c = ' ';
  }
  if (line.size() > 300) line = line.substr(0, 300) + "...";
  throw BaselineFormatError(line);
}

const json& Field(const json& object, std::string_view key, const std::string& where) {
  auto it = object.find(key);
  if (it == object.end()) Fail(fmt::format("{}.{}", where, key), "missing");
  return *it;
}

// A count is an integer from 0 to a billion (no run count comes near).
int ReadCount(const json& object, std::string_view key, const std::string& where) {
  const std::optional<int> count = JsonInt(Field(object, key, where));
  if (!count || *count < 0 || *count > 1000000000) {
    Fail(fmt::format("{}.{}", where, key), "expected a count");
  }
  return *count;
}

Classification ParseClassification(const json& value, const std::string& where) {
  if (value.is_string()) {
    for (Classification c :
         {Classification::kPass, Classification::kFail, Classification::kFlaky}) {
      if (value.get<std::string>() == ClassificationName(c)) return c;
    }
  }
  Fail(where, "expected \"pass\", \"fail\" or \"flaky\"");
}

BaselineEntry EntryFromJson(const json& j, const std::string& where) {
  if (!j.is_object()) Fail(where, "expected an object");
  BaselineEntry entry;
  entry.outcome = ParseClassification(Field(j, "outcome", where), where + ".outcome");
  entry.runs = ReadCount(j, "runs", where);
  entry.failures = ReadCount(j, "failures", where);
  const json& signatures = Field(j, "signatures", where);
  if (!signatures.is_array()) Fail(where + ".signatures", "expected an array");
  for (const json& s : signatures) {
    if (!s.is_string()) Fail(where + ".signatures", "expected strings");
    entry.signatures.push_back(s.get<std::string>());
  }
  if (auto change = j.find("behaviour_change"); change != j.end()) {
    if (!change->is_boolean()) Fail(where + ".behaviour_change", "expected a boolean");
    entry.behaviour_change = change->get<bool>();
  }
  return entry;
}

}  // namespace

const BaselineEntry* Baseline::Find(const std::string& scenario, const std::string& target) const {
  auto it = entries.find({scenario, target});
  return it == entries.end() ? nullptr : &it->second;
}

std::string NormalizeSignature(std::string_view signature) {
  std::string out;
  bool in_number = false;
  for (char c : signature) {
    bool digit = c >= '0' && c <= '9';
    if (digit && !in_number) out += 'N';
    if (!digit) out += c;
    in_number = digit;
  }
  return out;
}

Baseline BaselineFromResults(const Results& results) {
  Baseline baseline;
  Aggregate aggregate = AggregateResults(results);
  for (const ScenarioAggregate& scenario : aggregate.scenarios) {
    for (const Outcome& outcome : scenario.outcomes) {
      if (outcome.total == 0 || outcome.Count(Status::kError) > 0 ||
          outcome.Count(Status::kUnresolved) > 0) {
        continue;
      }
      BaselineEntry entry;
      entry.behaviour_change =
          std::any_of(scenario.verdicts.begin(), scenario.verdicts.end(), [&](const Verdict& v) {
            return v.target_name == outcome.target_name && v.kind == VerdictKind::kBehaviourChange;
          });
      entry.outcome = outcome.classification;
      entry.runs = outcome.total;
      entry.failures = outcome.failures;
      for (const SignatureCount& s : outcome.signatures) {
        entry.signatures.push_back(NormalizeSignature(s.signature));
      }
      std::sort(entry.signatures.begin(), entry.signatures.end());
      entry.signatures.erase(std::unique(entry.signatures.begin(), entry.signatures.end()),
                             entry.signatures.end());
      baseline.entries[{outcome.scenario_id, outcome.target_name}] = std::move(entry);
    }
  }
  return baseline;
}

Baseline UpdateBaseline(Baseline old, const Baseline& fresh) {
  for (const auto& [key, entry] : fresh.entries) old.entries[key] = entry;
  return old;
}

nlohmann::json ToJson(const Baseline& baseline) {
  json scenarios = json::object();
  for (const auto& [key, entry] : baseline.entries) {
    json& out = scenarios[key.first][key.second];
    out = {{"outcome", ClassificationName(entry.outcome)},
           {"runs", entry.runs},
           {"failures", entry.failures},
           {"signatures", entry.signatures}};
    if (entry.behaviour_change) out["behaviour_change"] = true;
  }
  return {{"schema", kBaselineSchema}, {"scenarios", std::move(scenarios)}};
}

Baseline BaselineFromJson(const nlohmann::json& j) {
  if (!j.is_object()) Fail("baseline", "expected an object");
  const json& schema = Field(j, "schema", "baseline");
  if (schema == kResultsSchema) {
    try {
      return BaselineFromResults(ResultsFromJson(j));
    } catch (const ResultsFormatError& e) {
      throw BaselineFormatError(e.what());
    }
  }
  if (schema != kBaselineSchema) {
    Fail("schema", fmt::format("expected \"{}\" (or a results file), got {}", kBaselineSchema,
                               schema.dump().substr(0, 60)));
  }
  Baseline baseline;
  const json& scenarios = Field(j, "scenarios", "baseline");
  if (!scenarios.is_object()) Fail("scenarios", "expected an object");
  for (const auto& [scenario, targets] : scenarios.items()) {
    if (!targets.is_object()) Fail("scenarios." + scenario, "expected an object");
    for (const auto& [target, entry] : targets.items()) {
      baseline.entries[{scenario, target}] =
          EntryFromJson(entry, fmt::format("scenarios.{}.{}", scenario, target));
    }
  }
  return baseline;
}

Baseline ReadBaselineFile(const std::filesystem::path& path) {
  std::string text;
  if (int err = ReadWholeFile(path, text); err != 0) {
    throw BaselineFormatError(
        fmt::format("{}: cannot read: {}", path.string(), std::strerror(err)));
  }
  json parsed = json::parse(text, nullptr, false);
  if (parsed.is_discarded()) {
    throw BaselineFormatError(fmt::format("{}: not valid JSON", path.string()));
  }
  try {
    return BaselineFromJson(parsed);
  } catch (const BaselineFormatError& e) {
    throw BaselineFormatError(fmt::format("{}: {}", path.string(), e.what()));
  }
}

void WriteBaselineFile(const std::filesystem::path& path, const Baseline& baseline) {
  WriteFileAtomically(path, ToJson(baseline).dump(2) + "\n");
}

}  // namespace dspy_compat
