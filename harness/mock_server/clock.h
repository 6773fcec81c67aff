// Milliseconds since server start: the journal's time axis.
#pragma once

#include <chrono>

namespace dspy_compat::mock {

class ServerClock {
 public:
  ServerClock() : start_(std::chrono::steady_clock::now()) {}
  double NowMs() const {
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start_)
        .count();
  }

 private:
  std::chrono::steady_clock::time_point start_;
};

}  // namespace dspy_compat::mock
