#include "mock_server/test_http_client.h"

#include <curl/curl.h>

#include <array>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <stdexcept>

namespace dspy_compat::mock::testing {
namespace {

struct Transfer {
  std::string body;
  curl_slist* headers = nullptr;
  ~Transfer() { curl_slist_free_all(headers); }
};

std::size_t Append(char* data, std::size_t size, std::size_t count, void* user) {
  static_cast<std::string*>(user)->append(data, size * count);
  return size * count;
}

void InitGlobal() {
  static const bool init = [] { return curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK; }();
  if (!init) throw std::runtime_error("curl_global_init failed");
}

void Configure(CURL* curl, const HttpCall& call, Transfer& transfer) {
  curl_easy_setopt(curl, CURLOPT_URL, call.url.c_str());
  curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, call.method.c_str());
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, 10000L);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, Append);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &transfer.body);
  if (call.method == "POST" || !call.body.empty()) {
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, call.body.data());
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(call.body.size()));
  } else {
    curl_easy_setopt(curl, CURLOPT_HTTPGET, 1L);
    curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, call.method.c_str());
  }
  transfer.headers = curl_slist_append(transfer.headers, "Content-Type: application/json");
  for (const std::string& h : call.headers) {
    transfer.headers = curl_slist_append(transfer.headers, h.c_str());
  }
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, transfer.headers);
}

HttpReply Collect(CURL* curl, CURLcode code, Transfer& transfer) {
  HttpReply reply;
  if (code != CURLE_OK) {
    // What arrived before the failure still matters (a stream cut short).
    reply.error = curl_easy_strerror(code);
    reply.body = std::move(transfer.body);
    return reply;
  }
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &reply.status);
  curl_easy_getinfo(curl, CURLINFO_TOTAL_TIME, &reply.seconds);
  curl_easy_getinfo(curl, CURLINFO_NUM_CONNECTS, &reply.new_connections);
  char* type = nullptr;
  curl_easy_getinfo(curl, CURLINFO_CONTENT_TYPE, &type);
  if (type != nullptr) reply.content_type = type;
  reply.body = std::move(transfer.body);
  return reply;
}

}  // namespace

HttpClient::HttpClient() {
  InitGlobal();
  curl_ = curl_easy_init();
  if (curl_ == nullptr) throw std::runtime_error("curl_easy_init failed");
}

HttpClient::~HttpClient() { curl_easy_cleanup(static_cast<CURL*>(curl_)); }

HttpReply HttpClient::Fetch(const HttpCall& call) {
  CURL* curl = static_cast<CURL*>(curl_);
  Transfer transfer;
  Configure(curl, call, transfer);
  CURLcode code = curl_easy_perform(curl);
  HttpReply reply = Collect(curl, code, transfer);
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, nullptr);  // `transfer` owns the list
  return reply;
}

std::vector<HttpReply> FetchAll(const std::vector<HttpCall>& calls) {
  InitGlobal();
  CURLM* multi = curl_multi_init();
  std::vector<CURL*> easies;
  std::vector<std::unique_ptr<Transfer>> transfers;
  for (const HttpCall& call : calls) {
    CURL* curl = curl_easy_init();
    transfers.push_back(std::make_unique<Transfer>());
    Configure(curl, call, *transfers.back());
    curl_easy_setopt(curl, CURLOPT_FORBID_REUSE, 1L);
    curl_multi_add_handle(multi, curl);
    easies.push_back(curl);
  }
  curl_multi_setopt(multi, CURLMOPT_MAX_HOST_CONNECTIONS, 0L);

  std::vector<HttpReply> replies(calls.size());
  int running = 1;
  while (running > 0) {
    curl_multi_perform(multi, &running);
    int queued = 0;
    while (CURLMsg* msg = curl_multi_info_read(multi, &queued)) {
      if (msg->msg != CURLMSG_DONE) continue;
      for (std::size_t i = 0; i < easies.size(); ++i) {
        if (easies[i] == msg->easy_handle) {
          replies[i] = Collect(easies[i], msg->data.result, *transfers[i]);
        }
      }
    }
    if (running > 0) curl_multi_poll(multi, nullptr, 0, 100, nullptr);
  }
  for (CURL* curl : easies) {
    curl_multi_remove_handle(multi, curl);
    curl_easy_cleanup(curl);
  }
  curl_multi_cleanup(multi);
  return replies;
}

std::string RawExchange(std::uint16_t port, std::string_view bytes,
                        std::chrono::milliseconds timeout) {
  namespace asio = boost::asio;
  asio::io_context io;
  asio::ip::tcp::socket socket(io);
  socket.connect({asio::ip::make_address("127.0.0.1"), port});
  asio::write(socket, asio::buffer(bytes.data(), bytes.size()));

  std::string received;
  std::array<char, 4096> chunk{};
  asio::steady_timer timer(io, timeout);
  timer.async_wait([&](boost::system::error_code ec) {
    if (!ec) socket.close();
  });
  std::function<void()> read = [&] {
    socket.async_read_some(asio::buffer(chunk), [&](boost::system::error_code ec, std::size_t n) {
      received.append(chunk.data(), n);
      if (ec) {
        timer.cancel();
        return;
      }
      read();
    });
  };
  read();
  io.run();
  return received;
}

}  // namespace dspy_compat::mock::testing
