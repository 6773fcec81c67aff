#include "audit/sarif.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

#include "audit/audit_report.h"

namespace dspy_compat {

using nlohmann::json;

namespace {

constexpr const char* kSarifSchemaUri =
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";
constexpr const char* kBaseId = "%SRCROOT%";

json Location(const std::string& file, int line, int column) {
  json region = {{"startLine", line}};
  if (column > 0) region["startColumn"] = column;
  return {{"physicalLocation",
           {{"artifactLocation", {{"uri", UriPath(file)}, {"uriBaseId", kBaseId}}},
            {"region", region}}}};
}

std::string ResultText(const AuditEntry& entry) {
  std::string text = entry.finding.message + ".";
  std::string measured = MeasuredSummary(entry.outcomes, entry.verdicts);
  text += fmt::format(" Measured by scenario {}{}.", entry.pattern.scenario,
                      measured.empty() ? "" : ": " + measured);
  text += " Remediation: " + entry.pattern.remediation;
  if (!entry.migrated.empty()) text += fmt::format(" Migrated variant: {}.", entry.migrated);
  return text;
}

}  // namespace

std::string UriPath(const std::string& path) {
  std::string out;
  for (char c : path) {
    auto byte = static_cast<unsigned char>(c);
    if (std::isalnum(byte) || std::string_view("-._~/").find(c) != std::string_view::npos) {
      out += c;
    } else {
      out += fmt::format("%{:02X}", byte);
    }
  }
  return out;
}

json ToSarif(const AuditReport& report, const std::string& tool_version,
             const std::filesystem::path& base_dir) {
  json rules = json::array();
  for (const auto& rule : report.rules) {
    rules.push_back({
        {"id", rule.id},
        {"name", rule.id},
        {"shortDescription", {{"text", rule.title}}},
        {"fullDescription",
         {{"text", fmt::format("{}. Measured by the dspy-compat catalogue scenario {}.", rule.title,
                               rule.scenario)}}},
        {"help", {{"text", rule.remediation}, {"markdown", rule.remediation}}},
        {"helpUri", rule.help_uri},
        {"defaultConfiguration", {{"level", rule.level}}},
        {"properties", {{"scenario", rule.scenario}, {"tags", {"dspy", "upgrade", "async"}}}},
    });
  }
  json results = json::array();
  for (const auto& entry : report.entries) {
    std::size_t rule_index = 0;
    while (rule_index < report.rules.size() && report.rules[rule_index].id != entry.pattern.id) {
      ++rule_index;
    }
    json location = Location(entry.finding.file, entry.finding.line, entry.finding.column);
    location["physicalLocation"]["region"]["endLine"] = entry.finding.end_line;
    if (!entry.finding.snippet.empty()) {
      location["physicalLocation"]["region"]["snippet"] = {{"text", entry.finding.snippet}};
    }
    json properties = {{"scenario", entry.pattern.scenario}};
    if (!entry.migrated.empty()) properties["migratedVariant"] = entry.migrated;
    json measured = json::object();
    for (const auto& outcome : entry.outcomes) {
      measured[outcome.target_name] = {{"passes", outcome.Passes()},
                                       {"runs", outcome.total},
                                       {"unsupported", outcome.unsupported}};
    }
    if (!measured.empty()) properties["measured"] = measured;
    json result = {
        {"ruleId", entry.pattern.id},           {"ruleIndex", rule_index},
        {"level", entry.pattern.level},         {"message", {{"text", ResultText(entry)}}},
        {"locations", json::array({location})}, {"properties", properties},
    };
    if (entry.finding.suppressed) {
      result["suppressions"] =
          json::array({{{"kind", "inSource"},
                        {"justification", "# dspy-compat: " + entry.finding.suppression}}});
    }
    results.push_back(std::move(result));
  }
  json notifications = json::array();
  for (const auto& failure : report.scan.parse_errors) {
    json notification = {{"level", "warning"},
                         {"message", {{"text", "not scanned: " + failure.message}}}};
    notification["locations"] = json::array({Location(failure.file, std::max(failure.line, 1), 0)});
    notifications.push_back(std::move(notification));
  }
  std::string base_uri = "file://" + UriPath(base_dir.generic_string());
  if (base_uri.back() != '/') base_uri += '/';
  json run = {
      {"tool",
       {{"driver",
         {{"name", "dspy-compat"},
          {"version", tool_version},
          {"informationUri", "https://github.com/stanfordnlp/dspy/issues/1867"},
          {"rules", rules}}}}},
      {"originalUriBaseIds", {{kBaseId, {{"uri", base_uri}}}}},
      {"columnKind", "unicodeCodePoints"},
      {"invocations", json::array({{{"executionSuccessful", true},
                                    {"toolExecutionNotifications", notifications}}})},
      {"results", results},
  };
  return {{"$schema", kSarifSchemaUri}, {"version", "2.1.0"}, {"runs", json::array({run})}};
}

}  // namespace dspy_compat
