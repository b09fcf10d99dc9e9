// Core benchmarks: the pure queue model, no HTTP, no locks.
//
//   queue_bench                      all
//   queue_bench --benchmark_filter=Cycle
//
// Figures are recorded in docs/benchmarks.md.
#include <benchmark/benchmark.h>
#include <malloc.h>

#include "emulator/core/queue.h"

namespace mns::emulator {
namespace {

const TimePoint kT0 = FromUnixMillis(1'700'000'000'000);
constexpr int64_t kMillion = 1'000'000;
const std::string kBody(64, 'b');

QueueAttributeValues LongLived() {
  return {.message_retention_period = 604800, .visibility_timeout = 43200};
}

// One queue of 1,000,000 messages, built once: Google Benchmark calls a
// benchmark function several times while it sizes the iteration count.
Queue& MillionMessageQueue() {
  static QueueSettings settings;
  static Random random(1);
  static Queue* queue = [] {
    auto* q = new Queue("bench", LongLived(), kT0, &settings, &random);
    for (int64_t i = 0; i < kMillion; ++i) (void)q->Send({.body = kBody}, kT0);
    return q;
  }();
  return *queue;
}

// Send one message, receive the oldest, delete it: the queue stays at 1M.
void BM_SendReceiveDeleteCycleOnMillionMessageQueue(benchmark::State& state) {
  Queue& q = MillionMessageQueue();
  TimePoint now = kT0;
  for (auto _ : state) {
    auto sent = q.Send({.body = kBody}, now);
    auto got = q.Receive(1, now);
    Status deleted = q.Delete(got[0].receipt_handle, now);
    benchmark::DoNotOptimize(sent);
    benchmark::DoNotOptimize(deleted);
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["queue_size"] = static_cast<double>(q.size());
}
BENCHMARK(BM_SendReceiveDeleteCycleOnMillionMessageQueue);

// The same cycle with 16-message batches, as the Alicom consumers use.
void BM_BatchOf16CycleOnMillionMessageQueue(benchmark::State& state) {
  Queue& q = MillionMessageQueue();
  TimePoint now = kT0;
  for (auto _ : state) {
    for (int i = 0; i < 16; ++i) (void)q.Send({.body = kBody}, now);
    auto got = q.Receive(16, now);
    for (const auto& m : got) (void)q.Delete(m.receipt_handle, now);
  }
  state.SetItemsProcessed(state.iterations() * 16);
}
BENCHMARK(BM_BatchOf16CycleOnMillionMessageQueue);

// Heap bytes a queued message costs beyond its 64-byte body: the
// allocator's count before and after enqueuing 1,000,000 messages, in all
// three states (Active, Inactive, Delayed).
void BM_MemoryPerQueuedMessage(benchmark::State& state) {
  for (auto _ : state) {
    QueueSettings settings;
    Random random(2);
    const size_t before = mallinfo2().uordblks;
    {
      Queue q("memory", LongLived(), kT0, &settings, &random);
      for (int64_t i = 0; i < kMillion; ++i) {
        (void)q.Send({.body = kBody, .delay_seconds = i % 3 == 2 ? 600 : 0},
                     kT0);
      }
      (void)q.Receive(16, kT0);
      const size_t after = mallinfo2().uordblks;
      const double per_message = static_cast<double>(after - before) / kMillion;
      state.counters["heap_bytes_per_message"] = per_message;
      state.counters["beyond_64_byte_body"] = per_message - kBody.size();
    }
  }
}
BENCHMARK(BM_MemoryPerQueuedMessage)
    ->Iterations(1)
    ->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace mns::emulator

BENCHMARK_MAIN();
