// ReceiptReconciler: compensation for receipts that never come (spec alicom
// §6.3). Track() each (BizId, phone number) that was sent; feed every
// SmsReport the consumer receives to OnReceipt(); call ReconcileDue()
// periodically. A send with no receipt after `receipt_deadline` is looked up
// with QuerySendDetails: SendStatus 1 (waiting) is asked again after
// `requery_interval`; 2 (failed) or 3 (delivered) is final.
//
// Every (biz_id, phone_number) gets exactly one Outcome, whichever way it is
// resolved first: a receipt that arrives after the query resolved it, or a
// receipt delivered twice, is a duplicate and OnReceipt() says so. Resolved
// pairs are remembered for `remember_resolved`, then forgotten to bound
// memory. Thread-safe; the outcome handler runs on the calling thread,
// outside the reconciler's lock.
#ifndef MNS_CLIENT_RECONCILER_H_
#define MNS_CLIENT_RECONCILER_H_

#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "mns/alicom_client.h"
#include "mns/common/clock.h"
#include "mns/receipts.h"

namespace mns {

class ReceiptReconciler {
 public:
  struct Options {
    // How long a receipt may take before QuerySendDetails is asked.
    Duration receipt_deadline = std::chrono::minutes(10);
    // How long to wait before asking again about a send still waiting (or
    // after a failed query).
    Duration requery_interval = std::chrono::minutes(5);
    // After this long from the send, a send still waiting is given up
    // (QuerySendDetails keeps records for 30 days).
    Duration give_up_after = std::chrono::hours(72);
    // How long resolved pairs are kept for de-duplicating late receipts.
    Duration remember_resolved = std::chrono::hours(72);
    std::shared_ptr<Clock> clock;  // the real clock when null
  };

  enum class ResolvedBy { kReceipt, kQuery, kGaveUp };

  struct Outcome {
    std::string biz_id;
    std::string phone_number;
    // kDelivered or kFailed; kWaiting only when given up.
    SendStatus status = SendStatus::kWaiting;
    std::string err_code;  // the receipt's or the record's
    ResolvedBy resolved_by = ResolvedBy::kReceipt;
  };

  struct PassStats {
    int queried = 0;
    int resolved = 0;  // final status found by the query
    int waiting = 0;   // still SendStatus 1, or no record yet
    int gave_up = 0;
    int errors = 0;  // failed queries; asked again later
    Status last_error;
  };

  using OutcomeHandler = std::function<void(const Outcome&)>;
  using Query =
      std::function<StatusOr<SendDetailsPage>(const QuerySendDetailsRequest&)>;

  // Looks sends up through `client`.
  ReceiptReconciler(std::shared_ptr<AlicomClient> client, Options options);
  // Looks sends up through `query`: for tests, or a caller's own client.
  ReceiptReconciler(Query query, Options options);

  // Set before use.
  void OnOutcome(OutcomeHandler handler) { on_outcome_ = std::move(handler); }

  // A message sent at `sent_at` under `biz_id` to each of `phone_numbers`.
  void Track(const std::string& biz_id,
             const std::vector<std::string>& phone_numbers, TimePoint sent_at);

  // Records a receipt. True when it is the first outcome of its (biz_id,
  // phone_number), reported to the handler; false for a duplicate, which the
  // caller may simply delete.
  bool OnReceipt(const SmsReport& report);

  // Queries every tracked send whose receipt is overdue, once each.
  PassStats ReconcileDue();

  // Sends tracked and not yet resolved.
  size_t pending() const;

 private:
  using Key = std::pair<std::string, std::string>;  // biz_id, phone_number
  struct Pending {
    TimePoint sent_at;
    TimePoint next_check;
  };

  // Ends tracking of `key` and remembers it as resolved; false if it was
  // already resolved. Requires mutex_.
  bool ResolveLocked(const Key& key, TimePoint now);
  void ForgetOldLocked(TimePoint now);
  void RescheduleLocked(const Key& key, TimePoint next_check);

  const Query query_;
  const Options options_;
  const std::shared_ptr<Clock> clock_;
  OutcomeHandler on_outcome_;

  mutable std::mutex mutex_;
  std::map<Key, Pending> pending_;
  std::set<std::pair<TimePoint, Key>> due_;  // by next_check
  std::set<Key> resolved_;
  std::deque<std::pair<TimePoint, Key>> resolved_order_;
};

}  // namespace mns

#endif  // MNS_CLIENT_RECONCILER_H_
