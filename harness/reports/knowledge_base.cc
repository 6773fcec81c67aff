#include "reports/knowledge_base.h"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <re2/re2.h>
#include <toml++/toml.h>

#include <algorithm>
#include <array>
#include <fstream>
#include <sstream>

#include "core/sha256.h"

namespace dspy_compat {
namespace fs = std::filesystem;
namespace {

constexpr std::string_view kSchema = "dspy-compat/knowledge/v1";
constexpr std::array<std::string_view, 11> kChangeKeys = {
    "id",    "signature",  "since",       "until",      "title",     "change",
    "cause", "root_cause", "remediation", "regression", "references"};

// Everything a malformed file fails with: "FILE: KEY: what is wrong".
[[noreturn]] void Fail(const fs::path& file, std::string_view key, std::string_view what) {
  throw KnowledgeError(fmt::format("{}: {}: {}", file.string(), key, what));
}

std::string String(const toml::table& table, std::string_view key, std::string_view where,
                   const fs::path& file, bool required) {
  const toml::node* node = table.get(key);
  const std::string name = fmt::format("{}.{}", where, key);
  if (node == nullptr) {
    if (required) Fail(file, name, "missing (a non-empty string)");
    return {};
  }
  const auto* value = node->as_string();
  if (value == nullptr) Fail(file, name, "expected a string");
  if (value->get().empty() || value->get().find('\n') != std::string::npos) {
    Fail(file, name, "expected a non-empty string on one line");
  }
  return value->get();
}

std::string Version(const toml::table& table, std::string_view key, std::string_view where,
                    const fs::path& file) {
  std::string version = String(table, key, where, file, false);
  if (!version.empty() &&
      (version.find_first_not_of("0123456789.") != std::string::npos || version.front() == '.' ||
       version.back() == '.' || version.find("..") != std::string::npos)) {
    Fail(file, fmt::format("{}.{}", where, key),
         fmt::format("expected a release like \"2.5.40\", got \"{}\"", version));
  }
  return version;
}

std::vector<Reference> References(const toml::table& table, std::string_view where,
                                  const fs::path& file) {
  std::vector<Reference> references;
  const toml::node* node = table.get("references");
  if (node == nullptr) return references;
  const toml::array* array = node->as_array();
  const std::string name = fmt::format("{}.references", where);
  if (array == nullptr) Fail(file, name, "expected an array of { label, url } tables");
  for (std::size_t i = 0; i < array->size(); ++i) {
    const std::string item = fmt::format("{}[{}]", name, i);
    const toml::table* ref = array->get(i)->as_table();
    if (ref == nullptr) Fail(file, item, "expected a { label, url } table");
    for (const auto& [key, value] : *ref) {
      if (key.str() != "label" && key.str() != "url") {
        Fail(file, fmt::format("{}.{}", item, key.str()), "unknown key (known: label, url)");
      }
    }
    Reference reference{String(*ref, "label", item, file, true),
                        String(*ref, "url", item, file, true)};
    if (!reference.url.starts_with("https://")) {
      Fail(file, item + ".url", "expected an https:// address");
    }
    references.push_back(std::move(reference));
  }
  return references;
}

KnownChange ReadChange(const toml::table& table, std::string_view where, const fs::path& file) {
  for (const auto& [key, value] : table) {
    bool known = false;
    for (std::string_view k : kChangeKeys) known = known || key.str() == k;
    if (!known) {
      Fail(file, fmt::format("{}.{}", where, key.str()),
           fmt::format("unknown key (known: {})", fmt::join(kChangeKeys, ", ")));
    }
  }
  KnownChange change;
  change.id = String(table, "id", where, file, true);
  const std::string named = fmt::format("{} (id \"{}\")", where, change.id);
  change.signature_pattern = String(table, "signature", named, file, true);
  change.since = Version(table, "since", named, file);
  change.until = Version(table, "until", named, file);
  if (!change.since.empty() && !change.until.empty() &&
      CompareVersions(change.since, change.until) >= 0) {
    Fail(file, named + ".until", "must be a later release than since");
  }
  change.title = String(table, "title", named, file, true);
  change.change = String(table, "change", named, file, true);
  change.cause = String(table, "cause", named, file, true);
  change.root_cause = String(table, "root_cause", named, file, true);
  change.remediation = String(table, "remediation", named, file, true);
  if (const toml::node* node = table.get("regression")) {
    const auto* value = node->as_boolean();
    if (value == nullptr) Fail(file, named + ".regression", "expected true or false");
    change.regression = value->get();
  }
  change.references = References(table, named, file);
  return change;
}

bool InRange(const KnownChange& change, std::string_view version) {
  if (change.since.empty() && change.until.empty()) return true;
  if (version.empty()) return false;
  if (!change.since.empty() && CompareVersions(version, change.since) < 0) return false;
  if (!change.until.empty() && CompareVersions(version, change.until) >= 0) return false;
  return true;
}

}  // namespace

fs::path BundledKnowledgeFile(const fs::path& root) {
  return root / "fixtures" / "knowledge" / "dspy.toml";
}

KnowledgeBase::KnowledgeBase(const std::vector<fs::path>& files) {
  for (const fs::path& file : files) Load(file);
}

void KnowledgeBase::Load(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::ostringstream bytes;
  bytes << in.rdbuf();
  if (!in) throw KnowledgeError(fmt::format("{}: cannot read the knowledge file", file.string()));
  const std::string text = bytes.str();
  toml::table table;
  try {
    table = toml::parse(text, file.string());
  } catch (const toml::parse_error& e) {
    throw KnowledgeError(
        fmt::format("{}:{}: {}", file.string(), e.source().begin.line, e.description()));
  }
  for (const auto& [key, value] : table) {
    if (key.str() != "schema" && key.str() != "change") {
      Fail(file, key.str(), "unknown key (known: schema, change)");
    }
  }
  const auto schema = table["schema"].value<std::string>();
  if (schema != kSchema) Fail(file, "schema", fmt::format("expected \"{}\"", kSchema));
  const toml::node* changes = table.get("change");
  if (changes == nullptr || !changes->is_array_of_tables()) {
    Fail(file, "change", "expected [[change]] tables");
  }
  std::vector<KnownChange> read;
  std::vector<std::shared_ptr<const re2::RE2>> patterns;
  const toml::array& array = *changes->as_array();
  for (std::size_t i = 0; i < array.size(); ++i) {
    const std::string where = fmt::format("change[{}]", i);
    KnownChange change = ReadChange(*array.get(i)->as_table(), where, file);
    auto same_id = [&](const KnownChange& c) { return c.id == change.id; };
    if (std::any_of(changes_.begin(), changes_.end(), same_id) ||
        std::any_of(read.begin(), read.end(), same_id)) {
      Fail(file, where + ".id", fmt::format("\"{}\" is defined already", change.id));
    }
    re2::RE2::Options options;
    options.set_log_errors(false);
    auto pattern = std::make_shared<const re2::RE2>(change.signature_pattern, options);
    if (!pattern->ok()) {
      Fail(file, fmt::format("{} (id \"{}\").signature", where, change.id),
           fmt::format("not a valid RE2 regular expression ({})", pattern->error()));
    }
    patterns.push_back(std::move(pattern));
    read.push_back(std::move(change));
  }
  // Whole files only: a bad entry leaves the base as it was.
  for (std::size_t i = 0; i < read.size(); ++i) {
    changes_.push_back(std::move(read[i]));
    patterns_.push_back(std::move(patterns[i]));
  }
  files_.push_back({file.string(), Sha256Hex(text)});
}

const KnownChange* KnowledgeBase::Diagnose(std::string_view signature,
                                           std::string_view dspy_version) const {
  for (std::size_t i = 0; i < changes_.size(); ++i) {
    if (InRange(changes_[i], dspy_version) &&
        re2::RE2::PartialMatch(re2::StringPiece(signature.data(), signature.size()),
                               *patterns_[i])) {
      return &changes_[i];
    }
  }
  return nullptr;
}

}  // namespace dspy_compat
