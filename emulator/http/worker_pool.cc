#include "emulator/http/worker_pool.h"

#include <pthread.h>

#include <exception>
#include <iostream>

namespace mns::emulator {

bool WorkerPool::Enqueue(std::function<void()> task) {
  std::unique_lock<std::mutex> lock(mutex_);
  if (shutdown_) return false;
  tasks_.push_back(std::move(task));
  if (idle_ >= tasks_.size() || threads_ >= options_.max_threads) {
    work_.notify_one();
    return true;
  }
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setstacksize(&attr, options_.stack_bytes);
  pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
  pthread_t thread;
  if (pthread_create(&thread, &attr, &WorkerPool::ThreadMain, this) == 0) {
    ++threads_;
  } else {
    work_.notify_one();  // out of threads: an existing one will take it
  }
  pthread_attr_destroy(&attr);
  return true;
}

void* WorkerPool::ThreadMain(void* pool) {
  static_cast<WorkerPool*>(pool)->WorkerLoop();
  return nullptr;
}

void WorkerPool::WorkerLoop() {
  std::unique_lock<std::mutex> lock(mutex_);
  while (true) {
    if (!tasks_.empty()) {
      std::function<void()> task = std::move(tasks_.front());
      tasks_.pop_front();
      lock.unlock();
      // No exception may end a thread the emulator started: it would abort
      // the process and lose every queue.
      try {
        task();
      } catch (const std::exception& e) {
        std::cerr << "mns-emulator: a request task failed: " << e.what()
                  << std::endl;
      } catch (...) {
        std::cerr << "mns-emulator: a request task failed" << std::endl;
      }
      lock.lock();
      continue;
    }
    if (shutdown_) break;
    ++idle_;
    bool woke = work_.wait_for(lock, options_.idle_timeout,
                               [this] { return !tasks_.empty() || shutdown_; });
    --idle_;
    if (!woke) break;  // idle too long
  }
  --threads_;
  // Notified under the lock: shutdown() cannot return, and the pool cannot
  // be destroyed, until this thread has released the mutex for good.
  if (threads_ == 0) all_exited_.notify_all();
}

void WorkerPool::Shutdown() {
  std::unique_lock<std::mutex> lock(mutex_);
  shutdown_ = true;
  work_.notify_all();
  all_exited_.wait(lock, [this] { return threads_ == 0; });
}

size_t WorkerPool::threads() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return threads_;
}

}  // namespace mns::emulator
