// Ctrl-C and SIGTERM raise a flag instead of killing the harness, so that it
// can kill the running scenarios' process groups and write what it gathered.
#pragma once

#include <atomic>

namespace dspy_compat {

// Installs the handlers (idempotent) and returns the flag they raise. A
// second Ctrl-C while stopping exits at once.
std::atomic<bool>& InstallInterruptHandlers();

}  // namespace dspy_compat
