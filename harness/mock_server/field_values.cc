#include "mock_server/field_values.h"

#include <fmt/format.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "mock_server/stable_hash.h"

namespace dspy_compat::mock {
namespace {

using nlohmann::json;

constexpr int kMaxSchemaDepth = 8;
constexpr int kMaxSchemaNodes = 512;  // schemas come from clients: bound the work

std::string Text(std::string_view name, std::uint64_t hash, std::string_view suffix) {
  std::string text = "mock ";
  text.append(name).append(" ").append(HashTag(hash)).append(suffix);
  return text;
}

std::uint64_t Sub(std::uint64_t hash, std::uint64_t index) {
  return StableHasher(hash).Add(index).Finish();
}

int SmallInt(std::uint64_t hash) { return static_cast<int>(hash % 100); }

std::string Float(std::uint64_t hash) {
  return fmt::format("{}.{:02}", SmallInt(hash), (hash >> 8) % 100);
}

std::string_view Strip(std::string_view type, std::string_view prefix) {
  if (type.starts_with(prefix) && type.ends_with("]")) {
    return type.substr(prefix.size(), type.size() - prefix.size() - 1);
  }
  return {};
}

// A JSON value satisfying the (pydantic-generated) schema. Covers the shapes DSPy prints:
// scalars, arrays, objects with properties or additionalProperties, enums, $ref and anyOf.
json FromSchema(const json& schema, const json& root, std::uint64_t hash, std::string_view name,
                int depth, int& budget) {
  if (!schema.is_object() || depth > kMaxSchemaDepth || --budget < 0) return nullptr;
  if (auto c = schema.find("const"); c != schema.end()) return *c;
  if (auto e = schema.find("enum"); e != schema.end() && e->is_array() && !e->empty()) {
    return (*e)[hash % e->size()];
  }
  if (auto ref = schema.find("$ref"); ref != schema.end() && ref->is_string()) {
    std::string pointer = ref->get<std::string>();
    if (pointer.starts_with("#")) pointer.erase(0, 1);
    try {
      return FromSchema(root.at(json::json_pointer(pointer)), root, hash, name, depth + 1, budget);
    } catch (const json::exception&) {
      return nullptr;
    }
  }
  for (const char* key : {"anyOf", "oneOf", "allOf"}) {
    auto alts = schema.find(key);
    if (alts == schema.end() || !alts->is_array()) continue;
    for (const json& alt : *alts) {  // first non-null alternative
      if (alt.is_object() && alt.value("type", "") == "null") continue;
      return FromSchema(alt, root, hash, name, depth + 1, budget);
    }
    return nullptr;
  }
  std::string type;
  if (auto t = schema.find("type"); t != schema.end()) {
    if (t->is_string()) type = t->get<std::string>();
    if (t->is_array() && !t->empty() && (*t)[0].is_string()) type = (*t)[0].get<std::string>();
  }
  if (type == "string") return Text(name, hash, "");
  if (type == "integer") return SmallInt(hash);
  if (type == "number") return static_cast<double>(SmallInt(hash)) + 0.5;
  if (type == "boolean") return (hash & 1) != 0;
  if (type == "null") return nullptr;
  if (type == "array") {
    json items = schema.value("items", json::object());
    // Two items unless the schema insists otherwise (capped: the schema is untrusted input).
    std::size_t count = std::max<std::size_t>(2, schema.value("minItems", std::size_t{0}));
    count = std::min({count, schema.value("maxItems", count), std::size_t{16}});
    json out = json::array();
    for (std::size_t i = 0; i < count && budget > 0; ++i) {
      out.push_back(FromSchema(items, root, Sub(hash, i), name, depth + 1, budget));
    }
    return out;
  }
  if (type == "object" || schema.contains("properties")) {
    json out = json::object();
    if (auto props = schema.find("properties"); props != schema.end() && props->is_object()) {
      std::uint64_t i = 0;
      for (const auto& [key, sub] : props->items()) {
        if (budget <= 0) break;
        out[key] = FromSchema(sub, root, Sub(hash, i++), key, depth + 1, budget);
      }
    } else if (auto extra = schema.find("additionalProperties");
               extra != schema.end() && extra->is_object()) {
      out["key"] = FromSchema(*extra, root, hash, "key", depth + 1, budget);
    }
    return out;
  }
  return Text(name, hash, "");  // no type: anything goes, a string is the safest
}

// For prompts without a schema note: "list[int]" and the like, from the printed type alone.
std::string FromTypeName(const OutputField& field, std::string_view type, std::uint64_t hash,
                         std::string_view suffix) {
  if (type == "int") return std::to_string(SmallInt(hash));
  if (type == "float") return Float(hash);
  if (type == "bool") return (hash & 1) != 0 ? "True" : "False";
  if (std::string_view inner = Strip(type, "Optional["); !inner.empty()) {
    return FromTypeName(field, inner, hash, suffix);
  }
  if (std::string_view inner = Strip(type, "list["); !inner.empty()) {
    json out = json::array();
    for (std::uint64_t i = 0; i < 2; ++i) {
      std::uint64_t h = Sub(hash, i);
      if (inner == "int") {
        out.push_back(SmallInt(h));
      } else if (inner == "float") {
        out.push_back(static_cast<double>(SmallInt(h)) + 0.5);
      } else if (inner == "bool") {
        out.push_back((h & 1) != 0);
      } else {
        out.push_back(Text(field.name, h, ""));
      }
    }
    return out.dump();
  }
  if (type.starts_with("dict[")) return json{{"key", Text(field.name, hash, "")}}.dump();
  return Text(field.name, hash, suffix);  // str, and anything we cannot read
}

}  // namespace

std::string HashTag(std::uint64_t hash) {
  constexpr char kHex[] = "0123456789abcdef";
  std::string tag(6, '0');
  for (int i = 5; i >= 0; --i, hash >>= 4) tag[static_cast<std::size_t>(i)] = kHex[hash & 0xF];
  return tag;
}

std::string FieldValueText(const OutputField& field, std::uint64_t hash,
                           std::string_view text_suffix) {
  if (!field.choices.empty()) return field.choices[hash % field.choices.size()];
  if (field.type == "str") return Text(field.name, hash, text_suffix);
  if (!field.json_schema.empty()) {
    json schema = json::parse(field.json_schema, nullptr, /*allow_exceptions=*/false);
    if (!schema.is_discarded()) {
      int budget = kMaxSchemaNodes;
      return FromSchema(schema, schema, hash, field.name, 0, budget)
          .dump(-1, ' ', false, json::error_handler_t::replace);
    }
  }
  return FromTypeName(field, field.type, hash, text_suffix);
}

json FieldValueJson(const OutputField& field, std::uint64_t hash, std::string_view text_suffix) {
  std::string text = FieldValueText(field, hash, text_suffix);
  if (field.type == "str" || !field.choices.empty()) return text;
  if (text == "True" || text == "False") return text == "True";
  json value = json::parse(text, nullptr, /*allow_exceptions=*/false);
  return value.is_discarded() ? json(text) : value;
}

}  // namespace dspy_compat::mock
