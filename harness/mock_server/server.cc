#include "mock_server/server.h"

#include <fmt/format.h>
#include <sys/resource.h>

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <condition_variable>
#include <cstdio>
#include <limits>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <thread>
#include <vector>

#include "mock_server/request_handler.h"
#include "mock_server/routes.h"
#include "mock_server/server_state.h"
#include "mock_server/session.h"

namespace dspy_compat::mock {
namespace {

namespace asio = boost::asio;
using asio::ip::tcp;

constexpr auto kAcceptRetry = std::chrono::milliseconds(50);

void RaiseOpenFileLimit() {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max) {
    limit.rlim_cur = limit.rlim_max;
    setrlimit(RLIMIT_NOFILE, &limit);  // best effort: the server still works with fewer
  }
}

}  // namespace

struct MockLmServer::Impl {
  explicit Impl(Options o)
      : options(std::move(o)),
        state(options.seed, options.default_delay, options.echo_model,
              options.journal_budget_bytes),
        handler(state) {
    state.rules.Replace(options.fixtures);
  }

  // Connections are spread over the io_contexts in turn; each runs on its own thread, so a
  // connection's handlers never run concurrently and need no strand.
  void Accept() {
    asio::io_context& target = *ios[next_io++ % ios.size()];
    acceptor->async_accept(
        target.get_executor(), [this](boost::system::error_code ec, Socket socket) {
          if (ec == asio::error::operation_aborted) return;
          if (ec) {  // e.g. out of file descriptors: back off instead of spinning
            accept_retry->expires_after(kAcceptRetry);
            accept_retry->async_wait([this](boost::system::error_code wait_ec) {
              if (!wait_ec) Accept();
            });
            return;
          }
          boost::system::error_code ignored;
          socket.set_option(tcp::no_delay(true), ignored);
          std::make_shared<Session>(std::move(socket), handler, state.holds, state.schedules,
                                    state.clock, options.max_body_bytes)
              ->Start();
          Accept();
        });
  }

  // One timer on ios[0] polls the schedule board: at the earliest deadline it reported, and
  // earlier when the board asks (a new run's first hold, an answer that ends a wait).
  void ArmSchedule(double at_ms) {
    if (at_ms >= schedule_at_ms) return;
    schedule_at_ms = at_ms;
    double wait_ms = std::max(0.0, at_ms - state.clock.NowMs());
    schedule_timer->expires_after(std::chrono::microseconds(static_cast<long>(wait_ms * 1000) + 1));
    schedule_timer->async_wait([this](boost::system::error_code ec) {
      if (ec) return;  // re-armed earlier, or stopping
      schedule_at_ms = kNever;
      if (auto next = state.schedules.Poll(state.clock.NowMs())) ArmSchedule(*next);
    });
  }

  static void RunIo(asio::io_context& io) {
    for (;;) {
      try {
        io.run();
        return;
      } catch (const std::exception& e) {  // handlers catch their own; this is a last resort
        std::fprintf(stderr, "mock LM server: io thread error: %s\n", e.what());
      }
    }
  }

  const Options options;
  ServerState state;
  RequestHandler handler;

  std::vector<std::unique_ptr<asio::io_context>> ios;  // ios[0] also accepts
  std::size_t next_io = 0;
  std::optional<tcp::acceptor> acceptor;
  std::optional<asio::steady_timer> accept_retry;
  static constexpr double kNever = std::numeric_limits<double>::infinity();
  std::optional<asio::steady_timer> schedule_timer;  // ios[0]'s; touched only there
  double schedule_at_ms = kNever;
  std::atomic<bool> serving{false};  // the board may wake the timer
  std::vector<std::thread> threads;
  std::uint16_t port = 0;

  std::mutex lifecycle_mutex;  // serialises Start and Stop
  std::mutex state_mutex;
  std::condition_variable stopped_cv;
  bool started = false;
  bool stopped = false;   // Stop() has begun
  bool finished = false;  // Stop() has completed
};

MockLmServer::MockLmServer(Options options) : impl_(std::make_unique<Impl>(std::move(options))) {}

MockLmServer::~MockLmServer() { Stop(); }

void MockLmServer::Start() {
  std::lock_guard lifecycle(impl_->lifecycle_mutex);
  {
    std::lock_guard lock(impl_->state_mutex);
    if (impl_->started) throw std::logic_error("mock LM server: Start() called twice");
    impl_->started = true;
  }
  RaiseOpenFileLimit();
  Impl& s = *impl_;
  int threads = std::max(1, s.options.threads);
  for (int i = 0; i < threads; ++i) s.ios.push_back(std::make_unique<asio::io_context>(1));
  asio::io_context& io = *s.ios[0];

  const std::string where = fmt::format("{}:{}", s.options.bind_address, s.options.port);
  boost::system::error_code ec;
  asio::ip::address address = asio::ip::make_address(s.options.bind_address, ec);
  if (ec) throw std::runtime_error(fmt::format("mock LM server: bad bind address {}", where));
  tcp::endpoint endpoint(address, s.options.port);
  s.acceptor.emplace(io);
  auto fail = [&](const char* step) {
    s.acceptor.reset();
    throw std::runtime_error(
        fmt::format("mock LM server: cannot {} {}: {}", step, where, ec.message()));
  };
  if (s.acceptor->open(endpoint.protocol(), ec)) fail("open a socket for");
  if (s.acceptor->set_option(tcp::acceptor::reuse_address(true), ec)) fail("configure");
  if (s.acceptor->bind(endpoint, ec)) fail("bind");
  if (s.acceptor->listen(asio::socket_base::max_listen_connections, ec)) fail("listen on");
  s.port = s.acceptor->local_endpoint().port();

  s.accept_retry.emplace(io);
  s.schedule_timer.emplace(io);
  s.state.schedules.SetWake([&s](double at_ms) {
    // From any thread (a connection's, or the harness's forgetting a run); never after Stop began,
    // when the io_contexts are going away.
    if (!s.serving) return;
    asio::post(*s.ios[0], [&s, at_ms] { s.ArmSchedule(at_ms); });
  });
  s.serving = true;
  s.Accept();
  for (auto& context : s.ios) {
    // Keeps a thread whose io_context has no connection yet from returning at once.
    s.threads.emplace_back(
        [&context, guard = asio::make_work_guard(*context)] { Impl::RunIo(*context); });
  }
}

void MockLmServer::Stop() {
  std::lock_guard lifecycle(impl_->lifecycle_mutex);
  Impl& s = *impl_;
  {
    std::lock_guard lock(s.state_mutex);
    if (s.stopped) return;
    s.stopped = true;
    s.started = true;  // a stopped server cannot start
  }
  s.serving = false;
  for (auto& io : s.ios) io->stop();
  for (std::thread& t : s.threads) t.join();
  s.threads.clear();
  // Destroying an io_context destroys its pending handlers, hence sessions, hence sockets.
  s.schedule_timer.reset();
  s.accept_retry.reset();
  s.acceptor.reset();
  s.ios.clear();
  {
    std::lock_guard lock(s.state_mutex);
    s.finished = true;
  }
  s.stopped_cv.notify_all();
}

void MockLmServer::Wait() {
  std::unique_lock lock(impl_->state_mutex);
  impl_->stopped_cv.wait(lock, [this] { return impl_->finished; });
}

std::uint16_t MockLmServer::port() const { return impl_->port; }

std::string MockLmServer::BaseUrl() const {
  std::string host = impl_->options.bind_address;
  if (host == "0.0.0.0" || host.empty()) host = "127.0.0.1";
  if (host == "::") host = "::1";
  if (host.find(':') != std::string::npos) host = "[" + host + "]";
  return fmt::format("http://{}:{}", host, impl_->port);
}

std::string MockLmServer::RunApiBase(const std::string& run_id) const {
  return BaseUrl() + "/run/" + PercentEncode(run_id) + "/v1";
}

void MockLmServer::ConfigureRun(const std::string& run_id, RunConfig config) {
  impl_->state.schedules.Configure(
      run_id, config.schedule.value_or(ScheduleConfig{.strategy = ScheduleStrategy::kNatural}));
  impl_->state.runs.Configure(run_id, std::move(config));
}

void MockLmServer::ForgetRun(const std::string& run_id) {
  impl_->state.runs.Forget(run_id);
  impl_->state.rules.ForgetRun(run_id);
  impl_->state.holds.ForgetRun(run_id);
  impl_->state.schedules.ForgetRun(run_id);
}

std::optional<LmSchedule> MockLmServer::ScheduleFor(const std::string& run_id) const {
  return impl_->state.schedules.Record(run_id);
}

void MockLmServer::AddRules(FixtureSet rules) { impl_->state.rules.Append(std::move(rules)); }

void MockLmServer::ReplaceRules(FixtureSet rules) { impl_->state.rules.Replace(std::move(rules)); }

const Journal& MockLmServer::journal() const { return impl_->state.journal; }

const MockLmServer::Options& MockLmServer::options() const { return impl_->options; }

}  // namespace dspy_compat::mock
