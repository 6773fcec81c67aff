// The mock OpenAI-compatible LM server every run talks to. Each run gets its own API base
// (/run/<run_id>/v1), so the journal attributes every request to the run that made it, and the
// run's registered delay decides how long each response is held, or, for an exploring run, its
// schedule the order in which they are released (response_schedule.h). Fixture rules
// (FIXTURES.md) script answers, delays, faults and interleavings.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "core/model.h"
#include "mock_server/fixtures.h"
#include "mock_server/journal.h"
#include "mock_server/run_registry.h"

namespace dspy_compat::mock {

class MockLmServer {
 public:
  struct Options {
    std::string bind_address = "127.0.0.1";
    std::uint16_t port = 0;  // 0: the OS picks a free port; see port()
    DelaySpec default_delay{};
    std::uint64_t seed = 0;
    bool echo_model = false;  // for every run, not only those configured so
    int threads = 1;          // io threads; one handles thousands of held requests
    std::size_t max_body_bytes = 8 * 1024 * 1024;
    std::size_t journal_budget_bytes = Journal::kDefaultByteBudget;  // oldest evicted past it
    FixtureSet fixtures{};  // rules loaded at start (see FIXTURES.md)
  };
  using RunConfig = mock::RunConfig;

  explicit MockLmServer(Options options);
  ~MockLmServer();  // stops
  MockLmServer(const MockLmServer&) = delete;
  MockLmServer& operator=(const MockLmServer&) = delete;

  // Binds, listens and serves on background threads. Throws std::runtime_error when the
  // address cannot be bound, std::logic_error when called twice. Also raises the process's
  // open-file soft limit to its hard limit: each held request is a socket.
  void Start();
  // Idempotent. Drops connections and held requests; the journal stays readable. Must not be
  // called from a server thread. A stopped server cannot be started again.
  void Stop();
  // Blocks until Stop() has completed (from another thread).
  void Wait();

  std::uint16_t port() const;   // the bound port, once started
  std::string BaseUrl() const;  // "http://127.0.0.1:PORT" (loopback for wildcard binds)
  // What a run passes to dspy.LM(api_base=...): BaseUrl() + "/run/<run_id>/v1".
  std::string RunApiBase(const std::string& run_id) const;

  // Register before the run starts; requests of unknown runs get the server defaults.
  void ConfigureRun(const std::string& run_id, RunConfig config);
  // Drops the run's settings, rule counters, hold state and schedule (releasing what it still
  // holds); its journal entries stay.
  void ForgetRun(const std::string& run_id);
  // An exploring run's schedule so far (read it before ForgetRun); nullopt for natural runs.
  std::optional<LmSchedule> ScheduleFor(const std::string& run_id) const;

  // Server-wide fixture rules, as POST/PUT /__admin/rules does.
  void AddRules(FixtureSet rules);
  void ReplaceRules(FixtureSet rules);

  const Journal& journal() const;
  const Options& options() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace dspy_compat::mock
