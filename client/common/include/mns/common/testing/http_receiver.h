// HttpReceiver: a cpp-httplib server on a free loopback port that keeps
// every POST it receives and answers each with the status `answer` gives
// (default 204): the HTTP endpoint of a topic subscription, for tests of
// notification delivery on both sides. Header-only; thread-safe.
#ifndef MNS_CLIENT_COMMON_TESTING_HTTP_RECEIVER_H_
#define MNS_CLIENT_COMMON_TESTING_HTTP_RECEIVER_H_

#include <httplib.h>

#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace mns::testutil {

class HttpReceiver {
 public:
  using Answer = std::function<int(const httplib::Request&)>;

  explicit HttpReceiver(Answer answer = nullptr) : answer_(std::move(answer)) {
    server_.Post(".*", [this](const httplib::Request& request,
                              httplib::Response& response) {
      // Answered outside the lock: an answer may take its time (it may
      // fetch a certificate).
      response.status = answer_ ? answer_(request) : 204;
      std::lock_guard<std::mutex> lock(mutex_);
      requests_.push_back(request);
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    while (!server_.is_running()) std::this_thread::yield();
  }
  ~HttpReceiver() {
    server_.stop();
    thread_.join();
  }

  // "http://127.0.0.1:PORT" + `path`.
  std::string Url(const std::string& path) const {
    return "http://127.0.0.1:" + std::to_string(port_) + path;
  }
  // What it received, in order.
  std::vector<httplib::Request> Requests() {
    std::lock_guard<std::mutex> lock(mutex_);
    return requests_;
  }
  size_t Count() {
    std::lock_guard<std::mutex> lock(mutex_);
    return requests_.size();
  }

 private:
  const Answer answer_;
  httplib::Server server_;
  int port_ = 0;
  std::thread thread_;
  std::mutex mutex_;
  std::vector<httplib::Request> requests_;
};

}  // namespace mns::testutil

#endif  // MNS_CLIENT_COMMON_TESTING_HTTP_RECEIVER_H_
