// QueueStore: the queues of one MNS account, by name (spec mns §3.2-3.6).
// Pure like Queue: calls take `now`, the caller serialises access. Not
// thread-safe.
#ifndef MNS_EMULATOR_CORE_QUEUE_STORE_H_
#define MNS_EMULATOR_CORE_QUEUE_STORE_H_

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "emulator/core/queue.h"
#include "mns/common/random.h"
#include "mns/common/status.h"

namespace mns::emulator {

enum class CreateOutcome { kCreated, kAlreadyExistsWithSameAttributes };

// The alphabet of queue, topic and subscription names, ^[A-Za-z0-9][A-Za-z0-
// 9-]*$ (spec mns §7.3, topic §2.1, §3.1); each kind checks its own length.
bool IsMnsName(std::string_view name);

struct QueueStorePage {
  std::vector<const Queue*> queues;
  std::string next_marker;  // empty on the last page
};

class QueueStore {
 public:
  QueueStore(const QueueSettings* settings, Random* random)
      : settings_(settings), random_(random) {}

  // kCreated; or kAlreadyExistsWithSameAttributes when a queue of that name
  // has the same effective attributes (defaults filled in); else
  // QueueAlreadyExist.
  StatusOr<CreateOutcome> Create(const std::string& name,
                                 const QueueAttributeUpdate& attributes,
                                 TimePoint now);
  Status SetAttributes(const std::string& name,
                       const QueueAttributeUpdate& update, TimePoint now);
  // Returns whether the queue existed.
  bool Delete(const std::string& name);
  // QueueNotExist when absent.
  StatusOr<Queue*> Find(const std::string& name);

  // Queues whose names start with `prefix`, in name order, from `marker` (a
  // NextMarker this store returned) on, at most `limit` (1..1000).
  StatusOr<QueueStorePage> List(const std::string& prefix,
                                const std::string& marker, int limit) const;

  Status ValidateName(const std::string& name) const;
  bool empty() const { return queues_.empty(); }
  // Every queue, in name order.
  template <typename Visit>
  void ForEach(Visit visit) {
    for (auto& [name, queue] : queues_) visit(*queue);
  }

 private:
  const QueueSettings* settings_;
  Random* random_;
  std::map<std::string, std::unique_ptr<Queue>> queues_;
};

}  // namespace mns::emulator

#endif  // MNS_EMULATOR_CORE_QUEUE_STORE_H_
