#include "mock_server/field_values.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <set>

namespace dspy_compat::mock {
namespace {

using nlohmann::json;

OutputField Typed(std::string type, std::string schema = "") {
  OutputField field;
  field.name = "f";
  field.type = std::move(type);
  field.json_schema = std::move(schema);
  return field;
}

TEST(FieldValuesTest, TextNamesTheFieldAndCarriesTheSuffix) {
  OutputField field;
  field.name = "reasoning";
  std::string text = FieldValueText(field, 0x123456abcdefULL, " [model=m]");
  EXPECT_EQ(text, "mock reasoning abcdef [model=m]");
}

TEST(FieldValuesTest, ScalarsParseAsPythonLiterals) {
  for (std::uint64_t hash : {0ULL, 1ULL, 77ULL, 0xffffffffffffffffULL}) {
    std::string i = FieldValueText(Typed("int"), hash, " [model=m]");
    EXPECT_NO_THROW((void)std::stoi(i)) << i;
    EXPECT_EQ(i.find('['), std::string::npos);

    std::string b = FieldValueText(Typed("bool"), hash, "");
    EXPECT_TRUE(b == "True" || b == "False") << b;

    std::string f = FieldValueText(Typed("float"), hash, "");
    EXPECT_TRUE(json::parse(f).is_number()) << f;
  }
  EXPECT_NE(FieldValueText(Typed("bool"), 0, ""), FieldValueText(Typed("bool"), 1, ""));
}

TEST(FieldValuesTest, ChoicesPickOneVerbatim) {
  OutputField field = Typed("Literal[pos, neg, neutral]");
  field.choices = {"pos", "neg", "neutral"};
  std::set<std::string> seen;
  for (std::uint64_t hash = 0; hash < 30; ++hash) seen.insert(FieldValueText(field, hash, "x"));
  EXPECT_EQ(seen, (std::set<std::string>{"pos", "neg", "neutral"}));
}

TEST(FieldValuesTest, ListsFromTheSchemaOrTheTypeName) {
  json from_schema = json::parse(FieldValueText(
      Typed("list[str]", R"({"type": "array", "items": {"type": "string"}})"), 5, ""));
  ASSERT_TRUE(from_schema.is_array());
  EXPECT_EQ(from_schema.size(), 2U);
  EXPECT_TRUE(from_schema[0].is_string());

  json ints = json::parse(FieldValueText(Typed("list[int]"), 5, ""));
  ASSERT_TRUE(ints.is_array());
  EXPECT_TRUE(ints[0].is_number_integer());
  EXPECT_TRUE(json::parse(FieldValueText(Typed("list[str]"), 5, ""))[1].is_string());
}

TEST(FieldValuesTest, ObjectsFollowTheSchema) {
  const char* person = R"({"type": "object", "properties": {"age": {"type": "integer"},
      "emails": {"type": "array", "items": {"type": "string"}}, "name": {"type": "string"}},
      "required": ["name", "age", "emails"], "title": "Person"})";
  json value = json::parse(FieldValueText(Typed("Person", person), 9, ""));
  EXPECT_TRUE(value["age"].is_number_integer());
  EXPECT_TRUE(value["emails"].is_array());
  EXPECT_TRUE(value["name"].is_string());

  json scores = json::parse(
      FieldValueText(Typed("dict[str, float]",
                           R"({"type": "object", "additionalProperties": {"type": "number"}})"),
                     9, ""));
  EXPECT_TRUE(scores["key"].is_number());

  json maybe = json::parse(FieldValueText(
      Typed("Union[int, NoneType]", R"({"anyOf": [{"type": "integer"}, {"type": "null"}]})"), 9,
      ""));
  EXPECT_TRUE(maybe.is_number_integer());

  json nested = json::parse(FieldValueText(
      Typed("list[Item]", R"({"$defs": {"Item": {"type": "object", "properties": {"ok": {"type":
      "boolean"}}}}, "type": "array", "items": {"$ref": "#/$defs/Item"}})"),
      9, ""));
  EXPECT_TRUE(nested[0]["ok"].is_boolean());
}

TEST(FieldValuesTest, HostileSchemasStayBounded) {
  std::string deep = R"({"type": "array", "minItems": 1000000, "items": {"$ref": "#"}})";
  std::string value = FieldValueText(Typed("X", deep), 1, "");
  EXPECT_LT(value.size(), 64U * 1024);
  json parsed;
  EXPECT_NO_THROW(parsed = json::parse(value));
  EXPECT_EQ(FieldValueText(Typed("X", "{not json"), 1, ""), "mock f 000001");
}

}  // namespace
}  // namespace dspy_compat::mock
