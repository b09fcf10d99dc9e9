#include "mns/reconciler.h"

#include <algorithm>

namespace mns {

ReceiptReconciler::ReceiptReconciler(std::shared_ptr<AlicomClient> client,
                                     Options options)
    : ReceiptReconciler(
          [client = std::move(client)](const QuerySendDetailsRequest& request) {
            return client->QuerySendDetails(request);
          },
          std::move(options)) {}

ReceiptReconciler::ReceiptReconciler(Query query, Options options)
    : query_(std::move(query)),
      options_(std::move(options)),
      clock_(options_.clock ? options_.clock
                            : std::make_shared<SystemClock>()) {}

void ReceiptReconciler::Track(const std::string& biz_id,
                              const std::vector<std::string>& phone_numbers,
                              TimePoint sent_at) {
  std::lock_guard<std::mutex> lock(mutex_);
  ForgetOldLocked(clock_->Now());
  for (const std::string& phone : phone_numbers) {
    Key key{biz_id, phone};
    // The receipt may beat the sender's bookkeeping.
    if (resolved_.contains(key) || pending_.contains(key)) continue;
    const TimePoint check = sent_at + options_.receipt_deadline;
    pending_.emplace(key, Pending{.sent_at = sent_at, .next_check = check});
    due_.emplace(check, std::move(key));
  }
}

bool ReceiptReconciler::OnReceipt(const SmsReport& report) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    const TimePoint now = clock_->Now();
    ForgetOldLocked(now);
    if (!ResolveLocked({report.biz_id, report.phone_number}, now)) {
      return false;
    }
  }
  if (on_outcome_) {
    on_outcome_({.biz_id = report.biz_id,
                 .phone_number = report.phone_number,
                 .status = report.success ? SendStatus::kDelivered
                                          : SendStatus::kFailed,
                 .err_code = report.err_code,
                 .resolved_by = ResolvedBy::kReceipt});
  }
  return true;
}

ReceiptReconciler::PassStats ReceiptReconciler::ReconcileDue() {
  // Take what is due out of the schedule, so a concurrent pass skips it,
  // and query without the lock: a receipt may resolve it meanwhile.
  std::vector<std::pair<Key, TimePoint>> due;  // key, sent_at
  {
    std::lock_guard<std::mutex> lock(mutex_);
    const TimePoint now = clock_->Now();
    ForgetOldLocked(now);
    while (!due_.empty() && due_.begin()->first <= now) {
      Key key = due_.begin()->second;
      due_.erase(due_.begin());
      due.emplace_back(key, pending_.at(key).sent_at);
    }
  }

  PassStats stats;
  for (const auto& [key, sent_at] : due) {
    const auto& [biz_id, phone] = key;
    ++stats.queried;
    auto page = query_({.phone_number = phone,
                        .send_date = BeijingSendDate(sent_at),
                        .page_size = 10,
                        .biz_id = biz_id});
    std::optional<SmsSendDetail> detail;
    if (!page.ok()) {
      ++stats.errors;
      stats.last_error = page.status();
    } else {
      // Filtered by BizId there is one record per number; prefer the
      // number's own in case the service returns more.
      auto own = std::find_if(
          page->details.begin(), page->details.end(),
          [&](const SmsSendDetail& d) { return d.phone_number == phone; });
      if (own != page->details.end()) {
        detail = *own;
      } else if (!page->details.empty()) {
        detail = page->details.front();
      }
    }

    Outcome outcome{.biz_id = biz_id, .phone_number = phone};
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (!pending_.contains(key)) continue;  // a receipt came meanwhile
      const TimePoint now = clock_->Now();
      if (detail && detail->send_status != SendStatus::kWaiting) {
        outcome.status = detail->send_status;
        outcome.err_code = detail->err_code;
        outcome.resolved_by = ResolvedBy::kQuery;
        ++stats.resolved;
      } else if (now - sent_at >= options_.give_up_after) {
        outcome.resolved_by = ResolvedBy::kGaveUp;
        ++stats.gave_up;
      } else {
        if (page.ok()) ++stats.waiting;
        RescheduleLocked(key, now + options_.requery_interval);
        continue;
      }
      ResolveLocked(key, now);
    }
    if (on_outcome_) on_outcome_(outcome);
  }
  return stats;
}

size_t ReceiptReconciler::pending() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return pending_.size();
}

bool ReceiptReconciler::ResolveLocked(const Key& key, TimePoint now) {
  if (!resolved_.insert(key).second) return false;
  resolved_order_.emplace_back(now, key);
  if (auto it = pending_.find(key); it != pending_.end()) {
    due_.erase({it->second.next_check, key});
    pending_.erase(it);
  }
  return true;
}

void ReceiptReconciler::RescheduleLocked(const Key& key, TimePoint next_check) {
  Pending& entry = pending_.at(key);
  due_.erase({entry.next_check, key});
  entry.next_check = next_check;
  due_.emplace(next_check, key);
}

void ReceiptReconciler::ForgetOldLocked(TimePoint now) {
  while (!resolved_order_.empty() &&
         now - resolved_order_.front().first >= options_.remember_resolved) {
    resolved_.erase(resolved_order_.front().second);
    resolved_order_.pop_front();
  }
}

}  // namespace mns
