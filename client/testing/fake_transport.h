// A Transport for client unit tests: it replays scripted replies (or
// transport errors) in order and records every call. Thread-safe.
#ifndef MNS_CLIENT_TESTING_FAKE_TRANSPORT_H_
#define MNS_CLIENT_TESTING_FAKE_TRANSPORT_H_

#include <deque>
#include <mutex>
#include <string>
#include <vector>

#include "client/src/transport.h"

namespace mns::testutil {

class FakeTransport : public internal::Transport {
 public:
  StatusOr<internal::HttpReply> Send(const internal::HttpCall& call) override {
    std::lock_guard<std::mutex> lock(mutex_);
    calls.push_back(call);
    if (replies.empty()) return Status(StatusCode::kUnavailable, "no reply");
    auto next = std::move(replies.front());
    replies.pop_front();
    return next;
  }
  void Reply(int status, std::string body = "", std::string request_id = "") {
    internal::HttpReply reply{.status = status, .body = std::move(body)};
    if (!request_id.empty())
      reply.headers.emplace_back("x-mns-request-id", request_id);
    replies.push_back(reply);
  }
  void Fail() { replies.push_back(Status(StatusCode::kUnavailable, "reset")); }
  static std::string Header(const internal::HttpCall& call,
                            const std::string& name) {
    for (const auto& [n, v] : call.headers) {
      if (n == name) return v;
    }
    return "";
  }

  std::mutex mutex_;
  std::deque<StatusOr<internal::HttpReply>> replies;
  std::vector<internal::HttpCall> calls;
};

}  // namespace mns::testutil

#endif  // MNS_CLIENT_TESTING_FAKE_TRANSPORT_H_
