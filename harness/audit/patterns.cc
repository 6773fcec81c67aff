#include "audit/patterns.h"

#include <fmt/format.h>
#include <toml++/toml.h>

namespace dspy_compat {

namespace fs = std::filesystem;

namespace {

std::string RequireString(const toml::table& table, std::string_view key, std::string_view id,
                          const fs::path& file) {
  const auto* value = table.get_as<std::string>(key);
  if (value == nullptr || value->get().empty()) {
    throw AuditInputError(fmt::format("{}:{}: [{}] needs a non-empty string '{}'", file.string(),
                                      table.source().begin.line, id, key));
  }
  return value->get();
}

}  // namespace

std::vector<AuditPattern> ReadAuditPatterns(const fs::path& file) {
  toml::table root;
  try {
    root = toml::parse_file(file.string());
  } catch (const toml::parse_error& e) {
    throw AuditInputError(
        fmt::format("{}:{}: {}", file.string(), e.source().begin.line, e.description()));
  }
  std::vector<AuditPattern> patterns;
  for (const auto& [key, node] : root) {
    std::string id(key.str());
    const toml::table* table = node.as_table();
    if (table == nullptr) {
      throw AuditInputError(fmt::format("{}:{}: '{}' is not a [pattern] table", file.string(),
                                        node.source().begin.line, id));
    }
    AuditPattern pattern;
    pattern.id = id;
    pattern.title = RequireString(*table, "title", id, file);
    pattern.level = RequireString(*table, "level", id, file);
    if (pattern.level != "error" && pattern.level != "warning" && pattern.level != "note") {
      throw AuditInputError(
          fmt::format("{}:{}: [{}] level must be error, warning or note, not '{}'", file.string(),
                      table->source().begin.line, id, pattern.level));
    }
    pattern.scenario = RequireString(*table, "scenario", id, file);
    pattern.remediation = RequireString(*table, "remediation", id, file);
    pattern.help_uri = RequireString(*table, "help_uri", id, file);
    patterns.push_back(std::move(pattern));
  }
  if (patterns.empty()) throw AuditInputError(file.string() + ": no patterns");
  return patterns;
}

const AuditPattern* FindPattern(const std::vector<AuditPattern>& patterns, std::string_view id) {
  for (const auto& pattern : patterns) {
    if (pattern.id == id) return &pattern;
  }
  return nullptr;
}

}  // namespace dspy_compat
