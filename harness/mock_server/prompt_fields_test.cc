#include "mock_server/prompt_fields.h"

#include <gtest/gtest.h>

#include "mock_server/test_data.h"

namespace dspy_compat::mock {
namespace {

using nlohmann::json;
using testing::LoadPrompt;

std::vector<std::string> Names(const std::vector<OutputField>& fields) {
  std::vector<std::string> names;
  for (const OutputField& f : fields) names.push_back(f.name);
  return names;
}

const OutputField& Field(const PromptFields& fields, const std::string& name) {
  for (const OutputField& f : fields.outputs) {
    if (f.name == name) return f;
  }
  throw std::runtime_error("no field " + name);
}

TEST(PromptFieldsTest, ChainOfThoughtOutputsInOrderAndInputsSeparately) {
  PromptFields fields = ExtractPromptFields(LoadPrompt("cot_question_answer")["messages"]);
  EXPECT_TRUE(fields.has_markers);
  EXPECT_EQ(Names(fields.outputs), (std::vector<std::string>{"reasoning", "answer"}));
  EXPECT_EQ(fields.inputs, (std::vector<std::string>{"question"}));
  EXPECT_EQ(fields.outputs[0].type, "str");
}

TEST(PromptFieldsTest, SeveralInputsAreNeverOutputs) {
  PromptFields fields = ExtractPromptFields(LoadPrompt("predict_context_question")["messages"]);
  EXPECT_EQ(Names(fields.outputs), (std::vector<std::string>{"answer"}));
  EXPECT_EQ(fields.inputs, (std::vector<std::string>{"context", "question"}));
}

TEST(PromptFieldsTest, DemosDoNotConfuseTheLastUserMessage) {
  PromptFields fields = ExtractPromptFields(LoadPrompt("cot_with_demos")["messages"]);
  EXPECT_EQ(Names(fields.outputs), (std::vector<std::string>{"reasoning", "answer"}));
}

TEST(PromptFieldsTest, TypesAndChoices) {
  PromptFields fields = ExtractPromptFields(LoadPrompt("typed_outputs")["messages"]);
  EXPECT_EQ(Names(fields.outputs),
            (std::vector<std::string>{"count", "ok", "score", "tags", "label"}));
  EXPECT_EQ(Field(fields, "count").type, "int");
  EXPECT_EQ(Field(fields, "ok").type, "bool");
  EXPECT_EQ(Field(fields, "score").type, "float");
  EXPECT_EQ(Field(fields, "tags").type, "list[str]");
  EXPECT_EQ(json::parse(Field(fields, "tags").json_schema),
            json::parse(R"({"type": "array", "items": {"type": "string"}})"));
  EXPECT_EQ(Field(fields, "label").type, "Literal[pos, neg, neutral]");
  EXPECT_EQ(Field(fields, "label").choices, (std::vector<std::string>{"pos", "neg", "neutral"}));
}

TEST(PromptFieldsTest, EnumsModelsAndOptionals) {
  PromptFields fields = ExtractPromptFields(LoadPrompt("structured_outputs")["messages"]);
  EXPECT_EQ(Field(fields, "sentiment").choices, (std::vector<std::string>{"POSITIVE", "NEGATIVE"}));
  EXPECT_EQ(Field(fields, "person").type, "Person");
  EXPECT_EQ(json::parse(Field(fields, "person").json_schema)["required"].size(), 3U);
  EXPECT_EQ(Field(fields, "maybe").type, "Union[int, NoneType]");
  EXPECT_FALSE(Field(fields, "scores").json_schema.empty());
}

TEST(PromptFieldsTest, JsonAdapterPrompts) {
  PromptFields cot = ExtractPromptFields(LoadPrompt("json_cot_question_answer")["messages"]);
  EXPECT_TRUE(cot.wants_json);
  EXPECT_EQ(Names(cot.outputs), (std::vector<std::string>{"reasoning", "answer"}));

  PromptFields fields = ExtractPromptFields(LoadPrompt("json_structured_outputs")["messages"]);
  EXPECT_EQ(Names(fields.outputs),
            (std::vector<std::string>{"sentiment", "person", "scores", "maybe"}));
  EXPECT_EQ(Field(fields, "sentiment").choices, (std::vector<std::string>{"POSITIVE", "NEGATIVE"}));
  // The note sits JSON-escaped inside a JSON template.
  EXPECT_EQ(json::parse(Field(fields, "person").json_schema)["required"].size(), 3U);
  EXPECT_EQ(json::parse(Field(fields, "maybe").json_schema)["anyOf"].size(), 2U);
  EXPECT_FALSE(ExtractPromptFields(LoadPrompt("structured_outputs")["messages"]).wants_json);
}

TEST(PromptFieldsTest, FallsBackToTheOutputList) {
  json messages = LoadPrompt("typed_outputs")["messages"];
  messages[1]["content"] = "[[ ## text ## ]]\nhello";
  PromptFields fields = ExtractPromptFields(messages);
  EXPECT_EQ(Names(fields.outputs),
            (std::vector<std::string>{"count", "ok", "score", "tags", "label"}));
  EXPECT_EQ(Field(fields, "tags").type, "list[str]");
  EXPECT_EQ(Field(fields, "label").choices.size(), 3U);
}

TEST(PromptFieldsTest, SignatureWithoutInputs) {
  json messages = LoadPrompt("cot_question_answer")["messages"];
  messages[0]["content"] =
      "Your input fields are:\n\n\nYour output fields are:\n1. `answer` (str)\n\nAll "
      "interactions will be structured in the following way";
  messages[1]["content"] =  // as DSPy 2.5.40 words it for "-> answer"
      "Respond with the corresponding output fields, starting with the field `[[ ## answer ## ]]`, "
      "and then ending with the marker for `[[ ## completed ## ]]`.";
  PromptFields fields = ExtractPromptFields(messages);
  EXPECT_TRUE(fields.inputs.empty());
  EXPECT_EQ(Names(fields.outputs), (std::vector<std::string>{"answer"}));
  messages[1]["content"] = "nothing";
  EXPECT_EQ(Names(ExtractPromptFields(messages).outputs), (std::vector<std::string>{"answer"}));
}

TEST(PromptFieldsTest, ContentPartsAreRead) {
  json messages = LoadPrompt("cot_question_answer")["messages"];
  std::string user = messages[1]["content"];
  messages[1]["content"] = json::array({{{"type", "text"}, {"text", user}}});
  EXPECT_EQ(Names(ExtractPromptFields(messages).outputs),
            (std::vector<std::string>{"reasoning", "answer"}));
}

TEST(PromptFieldsTest, Dspy3Prompts) {
  // 3.x puts no blank line between the field lists and words its notes differently.
  PromptFields cot = ExtractPromptFields(LoadPrompt("cot_question_answer", "dspy341")["messages"]);
  EXPECT_EQ(cot.inputs, (std::vector<std::string>{"question"}));
  EXPECT_EQ(Names(cot.outputs), (std::vector<std::string>{"reasoning", "answer"}));

  PromptFields typed = ExtractPromptFields(LoadPrompt("typed_outputs", "dspy341")["messages"]);
  EXPECT_EQ(Names(typed.outputs),
            (std::vector<std::string>{"count", "ok", "score", "tags", "label"}));
  EXPECT_EQ(Field(typed, "label").choices, (std::vector<std::string>{"pos", "neg", "neutral"}));
  EXPECT_EQ(Field(typed, "count").type, "int");
  EXPECT_FALSE(Field(typed, "tags").json_schema.empty());

  PromptFields json_fields =
      ExtractPromptFields(LoadPrompt("json_structured_outputs", "dspy341")["messages"]);
  EXPECT_TRUE(json_fields.wants_json);
  EXPECT_EQ(Names(json_fields.outputs),
            (std::vector<std::string>{"sentiment", "person", "scores", "maybe"}));
  EXPECT_EQ(Field(json_fields, "sentiment").choices,
            (std::vector<std::string>{"positive", "negative"}));
  EXPECT_EQ(Field(json_fields, "person").type, "Person");
  EXPECT_EQ(json::parse(Field(json_fields, "person").json_schema)["required"].size(), 3U);
}

TEST(PromptFieldsTest, JsonSentenceNamesTheFields) {
  json messages = json::array(
      {{{"role", "user"},
        {"content",
         "Respond with a JSON object in the following order of fields: `a` (must be formatted "
         "as a valid Python list[int]), then `b`."}}});
  PromptFields fields = ExtractPromptFields(messages);
  EXPECT_EQ(Names(fields.outputs), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(fields.outputs[0].type, "list[int]");
}

TEST(PromptFieldsTest, SchemaFields) {
  json schema = json::parse(R"({"type": "object", "properties": {
      "answer": {"type": "string"}, "n": {"type": "integer"}, "kind": {"type": "string", "enum": ["a"]}}})");
  PromptFields none;
  AddSchemaFields(schema, none);
  EXPECT_EQ(Names(none.outputs), (std::vector<std::string>{"answer", "kind", "n"}));
  EXPECT_EQ(none.outputs[0].type, "str");
  EXPECT_EQ(json::parse(none.outputs[2].json_schema)["type"], "integer");

  PromptFields typed = ExtractPromptFields(LoadPrompt("typed_outputs")["messages"]);
  typed.outputs[0].json_schema.clear();  // count
  AddSchemaFields(json::parse(R"({"properties": {"count": {"type": "integer"}}})"), typed);
  EXPECT_EQ(json::parse(typed.outputs[0].json_schema)["type"], "integer");
  AddSchemaFields(json::array(), typed);  // harmless
}

TEST(PromptFieldsTest, InputValues) {
  json messages = LoadPrompt("predict_context_question")["messages"];
  EXPECT_EQ(InputValue(messages, "context"), "Paris is in France.");
  EXPECT_EQ(InputValue(messages, "question"), "Where is Paris?");
  EXPECT_EQ(InputValue(messages, "missing"), "");
  EXPECT_EQ(InputValue(LoadPrompt("cot_question_answer", "dspy341")["messages"], "question"),
            "What is the capital of France?");
}

TEST(PromptFieldsTest, PlainChatHasNoMarkers) {
  json messages = json::array({{{"role", "user"}, {"content", "Say hi."}}});
  PromptFields fields = ExtractPromptFields(messages);
  EXPECT_FALSE(fields.has_markers);
  EXPECT_TRUE(fields.outputs.empty());
}

TEST(PromptFieldsTest, GarbageIsHarmless) {
  EXPECT_TRUE(ExtractPromptFields(json::array({1, "x", nullptr})).outputs.empty());
  json odd = json::array({{{"role", "user"},
                           {"content",
                            "Respond with the corresponding output fields, starting with the field "
                            "`[[ ## a ## ]]` (must be formatted as a valid Python list[(int"}}});
  EXPECT_EQ(Names(ExtractPromptFields(odd).outputs), (std::vector<std::string>{"a"}));
}

}  // namespace
}  // namespace dspy_compat::mock
