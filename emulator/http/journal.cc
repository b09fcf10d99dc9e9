#include "emulator/http/journal.h"

#include <charconv>

#include "emulator/http/wire.h"
#include "mns/common/time_format.h"

namespace mns::emulator {
namespace {

using nlohmann::json;

std::optional<int64_t> ParseInt(const std::string& text) {
  int64_t value = 0;
  auto [end, ec] =
      std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size()) {
    return std::nullopt;
  }
  return value;
}

}  // namespace

StatusOr<JournalQuery> ParseJournalQuery(std::string_view raw_query) {
  JournalQuery query;
  for (const auto& [param, value] : SplitParams(raw_query, true)) {
    // A named copy: clang before 16 cannot capture a structured binding.
    const std::string& name = param;
    auto bad = [&](const std::string& what) {
      return Status(StatusCode::kInvalidArgument, name + " must be " + what);
    };
    if (name == "operation") {
      query.operation = value;
    } else if (name == "queue") {
      query.queue = value;
    } else if (name == "topic") {
      query.topic = value;
    } else if (name == "code") {
      query.code = value;
    } else if (name == "status") {
      auto status = ParseInt(value);
      if (!status || *status < 100 || *status > 599) {
        return bad("an HTTP status from 100 to 599");
      }
      query.status = static_cast<int>(*status);
    } else if (name == "since") {
      auto since = ParseInt(value);
      if (!since || *since < 0) return bad("a sequence number, 0 or more");
      query.since = *since;
    } else if (name == "limit") {
      auto limit = ParseInt(value);
      if (!limit || *limit < 1 || *limit > 100'000) {
        return bad("an integer from 1 to 100000");
      }
      query.limit = static_cast<size_t>(*limit);
    } else {
      return Status(StatusCode::kInvalidArgument,
                    "unknown parameter " + name +
                        "; the parameters are operation, queue, topic, "
                        "status, code, since and limit");
    }
  }
  return query;
}

json JournalEntryToJson(const JournalEntry& e) {
  json out = {
      {"sequence", e.sequence},
      {"real_time", FormatIso8601(e.real_time)},
      {"emulator_time", FormatIso8601(e.emulator_time)},
      {"protocol", e.facts.protocol},
      {"operation", e.facts.operation},
      {"account", e.facts.account},
      {"access_key_id", e.facts.access_key_id},
      {"temporary_key", e.facts.temporary_key},
      {"queue", e.facts.queue},
      {"topic", e.facts.topic},
      {"status", e.status},
      {"error_code", e.error_code},
      {"request_id", e.request_id},
      {"latency_ms", e.latency_ms},
      {"fault_rule", e.fault_rule ? json(*e.fault_rule) : json(nullptr)},
      {"bytes_in", e.bytes_in},
      {"bytes_out", e.bytes_out},
      {"connection_id", e.connection_id},
  };
  if (e.facts.operation.ends_with("ReceiveMessage")) {
    out["wait_seconds"] =
        e.facts.wait_seconds ? json(*e.facts.wait_seconds) : json(nullptr);
  }
  if (e.facts.operation == "QuerySendDetails") {
    out["biz_id"] = e.facts.biz_id;
    out["phone_number"] = e.facts.phone_number;
  }
  if (!e.fault_action.empty()) out["fault_action"] = e.fault_action;
  if (e.request_body) out["request_body"] = *e.request_body;
  if (e.response_body) out["response_body"] = *e.response_body;
  return out;
}

void RequestJournal::Add(JournalEntry entry) {
  if (capacity_ == 0) return;
  std::lock_guard<std::mutex> lock(mutex_);
  entry.sequence = next_sequence_++;
  if (entries_.size() == capacity_) entries_.pop_front();
  entries_.push_back(std::move(entry));
}

std::vector<JournalEntry> RequestJournal::Query(
    const JournalQuery& query) const {
  std::lock_guard<std::mutex> lock(mutex_);
  std::vector<JournalEntry> out;
  for (const JournalEntry& e : entries_) {
    if (out.size() == query.limit) break;
    if (e.sequence <= query.since) continue;
    if (!query.operation.empty() && e.facts.operation != query.operation) {
      continue;
    }
    if (!query.queue.empty() && e.facts.queue != query.queue) continue;
    if (!query.topic.empty() && e.facts.topic != query.topic) continue;
    if (query.status && e.status != *query.status) continue;
    if (!query.code.empty() && e.error_code != query.code) continue;
    out.push_back(e);
  }
  return out;
}

std::map<std::string, std::map<int, int64_t>> RequestJournal::Summary() const {
  std::lock_guard<std::mutex> lock(mutex_);
  std::map<std::string, std::map<int, int64_t>> counts;
  for (const JournalEntry& e : entries_) {
    ++counts[e.facts.operation.empty() ? "(unknown)" : e.facts.operation]
            [e.status];
  }
  return counts;
}

void RequestJournal::Clear() {
  std::lock_guard<std::mutex> lock(mutex_);
  entries_.clear();
}

}  // namespace mns::emulator
