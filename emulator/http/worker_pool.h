// WorkerPool: the threads that run request handlers for the HTTP front end.
//
// A long-poll receive parks its handler for up to 30 s, so a fixed pool of N
// threads would let N parked polls starve every other client. This pool grows
// a thread whenever a task arrives and none is idle, up to `max_threads`, and
// lets idle threads exit after `idle_timeout`; threads get small stacks so a
// thousand parked polls cost a few megabytes. Past the cap, tasks wait in
// FIFO order. A task that throws is logged and the thread goes on. See
// docs/adr/0001-connection-concurrency.md. Thread-safe.
#ifndef MNS_EMULATOR_HTTP_WORKER_POOL_H_
#define MNS_EMULATOR_HTTP_WORKER_POOL_H_

#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>

namespace mns::emulator {

struct WorkerPoolOptions {
  size_t max_threads = 4096;
  // Only touched pages are resident; 2 MiB leaves room for sanitizer builds.
  size_t stack_bytes = 2 << 20;
  std::chrono::milliseconds idle_timeout{10'000};
};

class WorkerPool {
 public:
  explicit WorkerPool(WorkerPoolOptions options) : options_(options) {}
  ~WorkerPool() { Shutdown(); }

  // Returns false, and drops the task, once Shutdown() has begun.
  bool Enqueue(std::function<void()> task);
  // Runs the tasks already queued, then waits for every thread to exit.
  void Shutdown();

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
