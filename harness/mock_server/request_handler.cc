#include "mock_server/request_handler.h"

#include <fmt/format.h>

#include <algorithm>
#include <string>

#include "mock_server/admin_api.h"
#include "mock_server/openai_bodies.h"
#include "mock_server/prompt_fields.h"
#include "mock_server/responder.h"
#include "mock_server/response_schedule.h"
#include "mock_server/routes.h"

namespace dspy_compat::mock {
namespace {

std::string_view View(boost::beast::string_view s) { return {s.data(), s.size()}; }

// Keeps at most the journal's limit, moving when it fits so the common case copies nothing.
void KeepBody(std::string&& body, std::size_t limit, std::string& out, bool& truncated) {
  truncated = body.size() > limit;
  if (truncated) {
    out.assign(body, 0, limit);
  } else {
    out = std::move(body);
  }
}

std::string_view ErrorType(int status) {
  switch (status) {
    case 400:
      return "invalid_request_error";
    case 401:
      return "authentication_error";
    case 403:
      return "permission_error";
    case 404:
      return "not_found_error";
    case 429:
      return "rate_limit_error";
    default:
      return status >= 500 ? "server_error" : "invalid_request_error";
  }
}

std::vector<std::string> OutputFieldNames(const LmRequest& request) {
  PromptFields fields = ExtractPromptFields(request.messages);
  if (!request.response_schema.is_null()) AddSchemaFields(request.response_schema, fields);
  std::vector<std::string> names;
  for (const OutputField& f : fields.outputs) names.push_back(f.name);
  return names;
}

// A body that starts like the real one and stops mid-way: invalid JSON.
std::string Malform(const std::string& body) {
  return body.substr(0, std::max<std::size_t>(1, body.size() / 2));
}

void ApplyFault(const Fault& fault, const Rule& rule, bool stream, bool keep_alive, Reply& reply) {
  switch (fault.kind) {
    case FaultKind::kStatus: {
      std::string body = fault.body.value_or(
          ErrorBody(fmt::format("Mock fault: HTTP {} (rule {}).", fault.status, rule.name),
                    ErrorType(fault.status), "mock_fault"));
      std::string type =
          !fault.content_type.empty() ? fault.content_type : std::string("application/json");
      reply = MakeReply(fault.status, type, std::move(body), keep_alive, fault.headers);
      break;
    }
    case FaultKind::kMalformedJson:
      if (stream && reply.parts.size() > 1) {
        std::string& event = reply.parts[1];
        event = Malform(event.substr(0, event.size() - 2)) + "\n\n";
      } else if (!stream) {
        reply = MakeReply(reply.status, "application/json", Malform(reply.Body()), keep_alive);
      }
      break;
    case FaultKind::kDrop:
      reply.drop = fault.reset ? Reply::Drop::kReset : Reply::Drop::kClose;
      break;
    case FaultKind::kTruncate:
      if (stream) {
        // Never the whole stream: at least [DONE] stays unsent.
        reply.cut_after =
            std::min<std::size_t>(static_cast<std::size_t>(fault.after), reply.parts.size() - 1);
      } else {
        std::string body = reply.Body();
        std::size_t keep = std::min<std::size_t>(static_cast<std::size_t>(fault.after),
                                                 body.empty() ? 0 : body.size() - 1);
        reply.parts = {body.substr(0, keep)};
        reply.cut_after = 1;
      }
      reply.keep_alive = false;
      break;
    case FaultKind::kTrickle:
      if (!stream) SplitBody(reply, static_cast<std::size_t>(fault.chunk_bytes));
      reply.interval_ms = fault.interval_ms;
      break;
  }
}

}  // namespace

Exchange RequestHandler::Begin(std::string_view method, std::string_view target,
                               std::string run_id) {
  Exchange exchange;
  JournalEntry& entry = exchange.entry.emplace();
  entry.arrived_ms = state_.clock.NowMs();
  entry.seq = state_.journal.NextSeq(run_id);
  entry.method = std::string(method);
  entry.path = std::string(target);
  entry.run_id = run_id;
  exchange.run_id = std::move(run_id);
  state_.in_flight.Begin();
  return exchange;
}

Exchange RequestHandler::Handle(HttpRequest& request) {
  std::string_view target = View(request.target());
  std::string_view method = View(request.method_string());
  Route route = MatchRoute(target);
  const bool keep_alive = request.keep_alive();
  if (!route.lm()) {
    Exchange admin;
    if (!route.Allows(method)) {
      admin.reply =
          ErrorReply(405, fmt::format("Method {} not allowed; use {}.", method, route.methods),
                     "method_not_allowed", keep_alive, "invalid_request_error",
                     {{"Allow", std::string(route.methods)}});
    } else {
      admin.reply = HandleAdmin(state_, request, route);
    }
    return admin;
  }

  Exchange exchange = Begin(method, target, route.run_id);
  JournalEntry& entry = *exchange.entry;
  std::string body = std::move(request.body());
  bool lm_call =
      route.endpoint == Endpoint::kChatCompletions || route.endpoint == Endpoint::kCompletions;
  if (lm_call) {
    ++state_.requests;
    state_.holds.Arrived(exchange.run_id);
    state_.schedules.Arrived(exchange.run_id, entry.arrived_ms);
  }
  if (route.endpoint == Endpoint::kUnknown) {
    exchange.reply = ErrorReply(404, fmt::format("Unknown request URL: {} {}.", method, target),
                                "unknown_url", keep_alive);
  } else if (!route.Allows(method)) {
    exchange.reply =
        ErrorReply(405, fmt::format("Method {} not allowed; use {}.", method, route.methods),
                   "method_not_allowed", keep_alive, "invalid_request_error",
                   {{"Allow", std::string(route.methods)}});
  } else if (route.endpoint == Endpoint::kModels) {
    exchange.reply =
        MakeReply(200, "application/json", ModelsBody(state_.models.List()), keep_alive);
  } else if (route.endpoint == Endpoint::kModel) {
    exchange.reply = MakeReply(200, "application/json", ModelBody(route.model_id), keep_alive);
  } else {
    LmCall(exchange,
           route.endpoint == Endpoint::kChatCompletions ? LmApi::kChat : LmApi::kCompletions, body,
           keep_alive);
  }
  KeepBody(std::move(body), state_.journal.body_limit(), entry.request_body,
           entry.request_truncated);
  return exchange;
}

void RequestHandler::LmCall(Exchange& exchange, LmApi api, std::string_view body, bool keep_alive) {
  JournalEntry& entry = *exchange.entry;
  LmRequest request;
  try {
    request = ParseLmRequest(api, body);
  } catch (const LmRequestError& e) {
    entry.model = e.model();
    exchange.reply = ErrorReply(400, e.what(), e.code(), keep_alive);
    return;
  }
  entry.model = request.model;
  entry.stream = request.stream;
  state_.models.Add(request.model);
  RunSettings settings = state_.runs.Resolve(exchange.run_id);
  try {
    std::optional<std::vector<std::string>> fields;
    if (state_.rules.size() > 0 || (settings.fixtures && !settings.fixtures->rules.empty())) {
      fields = OutputFieldNames(request);
    }
    std::optional<RuleChoice> choice = state_.rules.Choose({.run_id = exchange.run_id,
                                                            .path = entry.path,
                                                            .request = &request,
                                                            .fields = fields ? &*fields : nullptr},
                                                           settings.fixtures.get());
    const Rule* rule = choice ? choice->rule.get() : nullptr;
    // A rule's own hold decides its timing; every other response of an exploring run waits for
    // the schedule instead of the run's delay (a rule's delay still follows the release).
    const bool scheduled = !(rule && rule->hold) && state_.schedules.Explores(exchange.run_id);
    Answer answer = Respond(request, {.seed = state_.seed,
                                      .run_id = exchange.run_id,
                                      .seq = entry.seq,
                                      .echo_model = settings.echo_model,
                                      .rule = rule,
                                      .nth = choice ? choice->nth : 0,
                                      .quotable = scheduled});
    entry.output_fields = std::move(answer.output_fields);
    if (!request.stream) {
      exchange.reply =
          MakeReply(200, "application/json",
                    api == LmApi::kChat ? ChatCompletionBody(answer) : TextCompletionBody(answer),
                    keep_alive);
    } else {
      exchange.reply =
          MakeEventStream(api == LmApi::kChat ? ChatCompletionEvents(answer, request.include_usage)
                                              : TextCompletionEvents(answer, request.include_usage),
                          keep_alive);
    }
    DelaySpec delay = settings.delay;
    if (rule) {
      exchange.rule_name = rule->name;
      entry.rule = rule->name;
      exchange.hold = rule->hold;
      if (rule->delay) delay = *rule->delay;
      if (rule->fault) {
        ApplyFault(*rule->fault, *rule, request.stream, keep_alive, exchange.reply);
        entry.faults.push_back(FaultName(*rule->fault));
      }
    }
    exchange.delay_ms = DrawDelayMs(state_.seed, exchange.run_id, entry.seq, delay);
    if (scheduled) {
      exchange.scheduled = true;
      exchange.content_key = ContentKey(request);
      exchange.quoting = {.prompt = MessagesText(request.messages),
                          .quotes = TellingQuotes(answer.quotable, answer.choices.empty()
                                                                       ? std::string_view()
                                                                       : answer.choices.front())};
      if (!rule || !rule->delay) exchange.delay_ms = 0;
    }
    entry.delay_ms = exchange.delay_ms;
  } catch (const std::exception& e) {  // a prompt we misread must not take the server down
    exchange.reply = ErrorReply(500, fmt::format("Mock responder failed: {}", e.what()),
                                "mock_error", keep_alive, "server_error");
  }
}

Exchange RequestHandler::TooLarge(std::string_view method, std::string_view target) {
  Route route = MatchRoute(target);
  Exchange exchange;
  if (route.lm()) {
    exchange = Begin(method, target, route.run_id);
    exchange.entry->request_truncated = true;
  }
  exchange.reply = ErrorReply(413, "Request body exceeds the mock server's size limit.",
                              "request_too_large", /*keep_alive=*/false);
  return exchange;
}

Reply RequestHandler::Malformed(std::string_view reason) const {
  return ErrorReply(400, fmt::format("Malformed HTTP request: {}.", reason), "malformed_http",
                    /*keep_alive=*/false);
}

void RequestHandler::Complete(Exchange& exchange, bool delivered) {
  if (!exchange.entry) return;
  JournalEntry& entry = *exchange.entry;
  const Reply& reply = exchange.reply;
  entry.completed_ms = state_.clock.NowMs();
  if (reply.drop == Reply::Drop::kNone) {
    entry.status = reply.status;
    // Copied, not moved: the session may still be writing the parts.
    std::size_t sent = std::min(reply.parts.size(), reply.cut_after.value_or(reply.parts.size()));
    std::size_t limit = state_.journal.body_limit();
    std::string& body = entry.response_body;
    for (std::size_t i = 0; i < sent && body.size() <= limit; ++i) body += reply.parts[i];
    entry.response_truncated = body.size() > limit;
    if (entry.response_truncated) body.resize(limit);
  }
  if (!delivered) entry.faults.push_back("client_closed");
  state_.journal.Record(std::move(entry));
  exchange.entry.reset();
  state_.in_flight.End();
  if (!exchange.rule_name.empty()) state_.holds.Answered(exchange.run_id, exchange.rule_name);
  if (exchange.schedule_ticket != 0) {
    state_.schedules.Answered(exchange.schedule_ticket, state_.clock.NowMs());
    exchange.schedule_ticket = 0;
  }
}

}  // namespace dspy_compat::mock
