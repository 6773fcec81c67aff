#include "mock_server/request_handler.h"

#include <fmt/format.h>

#include <algorithm>
#include <string>

#include "mock_server/responder.h"
#include "mock_server/routes.h"

namespace dspy_compat::mock {
namespace {

using nlohmann::json;

constexpr std::string_view kServerName = "dspy-compat-mock";

std::string_view View(boost::beast::string_view s) { return {s.data(), s.size()}; }
boost::beast::string_view Beast(std::string_view s) { return {s.data(), s.size()}; }

std::string Dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

HttpResponse JsonResponse(http::status status, std::string body,
                          std::string_view content_type = "application/json") {
  HttpResponse response{status, 11};
  response.set(http::field::server, Beast(kServerName));
  response.set(http::field::content_type, Beast(content_type));
  response.body() = std::move(body);
  return response;
}

// Copies at most the journal's limit, so an 8 MiB body is not copied whole to keep 64 KiB.
void KeepBody(std::string_view body, std::size_t limit, std::string& out, bool& truncated) {
  out.assign(body.substr(0, std::min(body.size(), limit)));
  truncated = body.size() > limit;
}

}  // namespace

HttpResponse OpenAiError(http::status status, std::string_view message, std::string_view code,
                         std::string_view type) {
  json body = {
      {"error", {{"message", message}, {"type", type}, {"param", nullptr}, {"code", code}}}};
  return JsonResponse(status, Dump(body));
}

HandlerResult RequestHandler::Handle(const HttpRequest& request) {
  std::string_view target = View(request.target());
  Route route = MatchRoute(target);
  HandlerResult result;
  if (route.endpoint == Endpoint::kHealth || route.endpoint == Endpoint::kRequests ||
      route.endpoint == Endpoint::kReset) {
    result = Admin(request, route);
  } else {
    JournalEntry entry;
    entry.arrived_ms = clock_.NowMs();
    entry.seq = journal_.NextSeq(route.run_id);
    entry.run_id = std::move(route.run_id);
    entry.method = std::string(View(request.method_string()));
    entry.path = std::string(target);
    KeepBody(request.body(), journal_.body_limit(), entry.request_body, entry.request_truncated);
    if (route.endpoint == Endpoint::kUnknown) {
      result.response = OpenAiError(
          http::status::not_found,
          fmt::format("Unknown request URL: {} {}.", entry.method, entry.path), "unknown_url");
      result.entry = std::move(entry);
    } else if (request.method() != http::verb::post) {
      result.response = OpenAiError(http::status::method_not_allowed,
                                    fmt::format("Method {} not allowed; use POST.", entry.method),
                                    "method_not_allowed");
      result.response.set(http::field::allow, "POST");
      result.entry = std::move(entry);
    } else {
      result = ChatCompletion(request, std::move(entry));
    }
  }
  result.response.keep_alive(request.keep_alive());
  result.response.prepare_payload();
  return result;
}

HandlerResult RequestHandler::ChatCompletion(const HttpRequest& request, JournalEntry entry) {
  HandlerResult result;
  json body = json::parse(request.body(), nullptr, /*allow_exceptions=*/false);
  if (body.is_discarded()) {
    result.response =
        OpenAiError(http::status::bad_request, "We could not parse the JSON body of your request.",
                    "invalid_json");
  } else if (auto problem = ValidateChatRequest(body)) {
    if (body.is_object() && body.contains("model") && body["model"].is_string()) {
      entry.model = body["model"].get<std::string>();
    }
    result.response = OpenAiError(http::status::bad_request, *problem, "invalid_request");
  } else {
    RunSettings settings = runs_.Resolve(entry.run_id);
    try {
      mock::ChatCompletion completion = Respond(body, {.seed = seed_,
                                                       .run_id = entry.run_id,
                                                       .seq = entry.seq,
                                                       .echo_model = settings.echo_model});
      entry.model = std::move(completion.model);
      entry.output_fields = std::move(completion.output_fields);
      result.response = JsonResponse(http::status::ok, Dump(completion.body));
      result.delay_ms = DrawDelayMs(seed_, entry.run_id, entry.seq, settings.delay);
    } catch (const std::exception& e) {  // a prompt we misread must not take the server down
      result.response = OpenAiError(http::status::internal_server_error,
                                    fmt::format("Mock responder failed: {}", e.what()),
                                    "mock_error", "server_error");
    }
  }
  entry.delay_ms = result.delay_ms;
  result.entry = std::move(entry);
  return result;
}

HandlerResult RequestHandler::Admin(const HttpRequest& request, const Route& route) {
  HandlerResult result;
  std::string_view allowed = route.method;
  if (View(request.method_string()) != allowed) {
    result.response = OpenAiError(
        http::status::method_not_allowed,
        fmt::format("Method {} not allowed; use {}.", View(request.method_string()), allowed),
        "method_not_allowed");
    result.response.set(http::field::allow, Beast(allowed));
    return result;
  }
  switch (route.endpoint) {
    case Endpoint::kHealth:
      result.response = JsonResponse(http::status::ok, R"({"status":"ok"})");
      break;
    case Endpoint::kRequests: {
      std::optional<std::string> run = QueryParam(View(request.target()), "run");
      result.response =
          JsonResponse(http::status::ok, ToJsonLines(run ? journal_.ForRun(*run) : journal_.All()),
                       "application/x-ndjson");
      break;
    }
    case Endpoint::kReset:
      journal_.Reset();
      result.response = JsonResponse(http::status::ok, R"({"status":"ok"})");
      break;
    default:
      break;
  }
  return result;
}

HandlerResult RequestHandler::TooLarge(std::string_view method, std::string_view target) {
  HandlerResult result;
  Route route = MatchRoute(target);
  result.response =
      OpenAiError(http::status::payload_too_large,
                  "Request body exceeds the mock server's size limit.", "request_too_large");
  result.response.keep_alive(false);
  result.response.prepare_payload();
  if (route.endpoint == Endpoint::kChatCompletions || route.endpoint == Endpoint::kUnknown) {
    JournalEntry entry;
    entry.arrived_ms = clock_.NowMs();
    entry.seq = journal_.NextSeq(route.run_id);
    entry.run_id = std::move(route.run_id);
    entry.method = std::string(method);
    entry.path = std::string(target);
    entry.request_truncated = true;
    result.entry = std::move(entry);
  }
  return result;
}

HttpResponse RequestHandler::Malformed(std::string_view reason) const {
  HttpResponse response =
      OpenAiError(http::status::bad_request, fmt::format("Malformed HTTP request: {}.", reason),
                  "malformed_http");
  response.keep_alive(false);
  response.prepare_payload();
  return response;
}

void RequestHandler::Complete(HandlerResult& result) {
  if (!result.entry) return;
  JournalEntry& entry = *result.entry;
  entry.status = static_cast<int>(result.response.result_int());
  entry.completed_ms = clock_.NowMs();
  KeepBody(result.response.body(), journal_.body_limit(), entry.response_body,
           entry.response_truncated);
  journal_.Record(std::move(entry));
  result.entry.reset();
}

}  // namespace dspy_compat::mock
