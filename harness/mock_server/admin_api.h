// The admin API under /__admin/: health and counters, the request journal (JSON lines, per run),
// resets, and the fixture rules (list, add, replace, clear). WireMock's admin API is the model.
#pragma once

#include "mock_server/http_reply.h"
#include "mock_server/request_handler.h"
#include "mock_server/routes.h"
#include "mock_server/server_state.h"

namespace dspy_compat::mock {

// `route` is one of the admin endpoints and allows the request's method.
Reply HandleAdmin(ServerState& state, const HttpRequest& request, const Route& route);

}  // namespace dspy_compat::mock
