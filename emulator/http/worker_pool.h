// WorkerPool: the connection pool behind the HTTP server.
//
// cpp-httplib runs each connection, keep-alive included, on one task of its
// TaskQueue, and a long-poll receive parks that task for up to 30 s. A fixed
// pool of N threads would let N parked polls starve every other client. This
// pool grows a thread whenever a task arrives and none is idle, up to
// `max_threads`, and lets idle threads exit after `idle_timeout`; threads get
// small stacks so a thousand parked polls cost a few megabytes. Past the cap,
// tasks wait in FIFO order. See docs/adr/0001-connection-concurrency.md.
// Thread-safe.
#ifndef MNS_EMULATOR_HTTP_WORKER_POOL_H_
#define MNS_EMULATOR_HTTP_WORKER_POOL_H_

#include <httplib.h>

#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>

namespace mns::emulator {

struct WorkerPoolOptions {
  size_t max_threads = 4096;
  // Enough for cpp-httplib's std::regex route match, whose recursion grows with
  // the path length; the server refuses paths over kMaxPathLength first.
  size_t stack_bytes = 2 << 20;
  std::chrono::milliseconds idle_timeout{10'000};
};

class WorkerPool : public httplib::TaskQueue {
 public:
  explicit WorkerPool(WorkerPoolOptions options) : options_(options) {}
  ~WorkerPool() override { shutdown(); }

  void enqueue(std::function<void()> task) override;
  // Runs the tasks already queued, then waits for every thread to exit.
  void shutdown() override;

  size_t threads() const;

 private:
  static void* ThreadMain(void* pool);
  void WorkerLoop();

  const WorkerPoolOptions options_;
  mutable std::mutex mutex_;
  std::condition_variable work_;
  std::condition_variable all_exited_;
  std::deque<std::function<void()>> tasks_;
  size_t threads_ = 0;
  size_t idle_ = 0;
  bool shutdown_ = false;
};

}  // namespace mns::emulator

#endif  // MNS_EMULATOR_HTTP_WORKER_POOL_H_
