#include "cli/interrupt.h"

#include <signal.h>
#include <unistd.h>

namespace dspy_compat {
namespace {

std::atomic<bool> g_interrupted{false};

extern "C" void OnSignal(int) {
  if (g_interrupted.exchange(true)) _exit(130);
  constexpr char kMessage[] =
      "\ndspy-compat: stopping; killing running scenarios, writing results\n";
  [[maybe_unused]] auto n = ::write(STDERR_FILENO, kMessage, sizeof(kMessage) - 1);
}

}  // namespace

std::atomic<bool>& InstallInterruptHandlers() {
  struct sigaction action {};
  action.sa_handler = OnSignal;
  sigemptyset(&action.sa_mask);
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);
  return g_interrupted;
}

}  // namespace dspy_compat
