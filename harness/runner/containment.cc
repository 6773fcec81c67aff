#include "runner/containment.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <system_error>
#include <utility>

namespace dspy_compat {

bool NameMatches(std::string_view pattern, std::string_view name) {
  return ::fnmatch(std::string(pattern).c_str(), std::string(name).c_str(), 0) == 0;
}

EnvironmentDecision DecideEnvironment(const std::map<std::string, std::string>& parent,
                                      const ContainmentPolicy& policy) {
  auto any_match = [](const auto& patterns, const std::string& name) {
    return std::any_of(std::begin(patterns), std::end(patterns),
                       [&](const auto& pattern) { return NameMatches(pattern, name); });
  };
  EnvironmentDecision decision;
  for (const auto& [name, value] : parent) {
    if (any_match(policy.pass, name)) {
      decision.passed.push_back(name);
    } else if (any_match(kDefaultScrubPatterns, name) || any_match(policy.scrub, name)) {
      decision.scrubbed.push_back(name);
    }
  }
  return decision;  // std::map iterates in name order: both lists are sorted
}

RefusingPort::RefusingPort() {
  fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd_ < 0) throw std::system_error(errno, std::generic_category(), "socket");
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = 0;
  socklen_t length = sizeof address;
  // Bound and never listened on: the kernel answers every SYN with a reset.
  if (::bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
      ::getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    int error = errno;
    ::close(fd_);
    throw std::system_error(error, std::generic_category(), "binding a refusing loopback port");
  }
  port_ = ntohs(address.sin_port);
}

RefusingPort::~RefusingPort() {
  if (fd_ >= 0) ::close(fd_);
}

RefusingPort::RefusingPort(RefusingPort&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)), port_(other.port_) {}

std::string RefusingPort::ProxyUrl() const { return "http://127.0.0.1:" + std::to_string(port_); }

}  // namespace dspy_compat
