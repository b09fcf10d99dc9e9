// RequestJournal: a bounded ring of the latest requests, for tests to
// assert on what a client did (GET /_emulator/requests). Entries hold what
// a request was and how it was answered, never a secret: no signature, no
// security token, no AccessKeySecret, and message bodies only when the
// emulator runs with --journal-bodies. Thread-safe.
#ifndef MNS_EMULATOR_HTTP_JOURNAL_H_
#define MNS_EMULATOR_HTTP_JOURNAL_H_

#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "emulator/http/request_facts.h"
#include "mns/common/clock.h"
#include "mns/common/status.h"

namespace mns::emulator {

struct JournalEntry {
  int64_t sequence = 0;
  TimePoint real_time;
  TimePoint emulator_time;
  RequestFacts facts;
  int status = 0;
  std::string error_code;
  std::string request_id;
  double latency_ms = 0;
  std::optional<int64_t> fault_rule;
  std::string fault_action;
  size_t bytes_in = 0;
  size_t bytes_out = 0;
  uint64_t connection_id = 0;
  // Only with --journal-bodies, and only MNS message bodies.
  std::optional<std::string> request_body;
  std::optional<std::string> response_body;
};

struct JournalQuery {
  std::string operation;
  std::string queue;
  std::string topic;
  std::optional<int> status;
  std::string code;
  int64_t since = 0;  // entries with a greater sequence number
  size_t limit = 1000;
};

// A query from ?operation=&queue=&topic=&status=&code=&since=&limit=; a bad
// value or an unknown parameter is InvalidArgument naming it.
StatusOr<JournalQuery> ParseJournalQuery(std::string_view raw_query);

nlohmann::json JournalEntryToJson(const JournalEntry& entry);

class RequestJournal {
 public:
  explicit RequestJournal(size_t capacity) : capacity_(capacity) {}

  // Assigns the entry's sequence number; drops the oldest beyond capacity.
  void Add(JournalEntry entry);
  // Matching entries, oldest first.
  std::vector<JournalEntry> Query(const JournalQuery& query) const;
  // Requests counted by operation, then by HTTP status.
  std::map<std::string, std::map<int, int64_t>> Summary() const;
  void Clear();
  size_t capacity() const { return capacity_; }

 private:
  const size_t capacity_;
  mutable std::mutex mutex_;
  std::deque<JournalEntry> entries_;
  int64_t next_sequence_ = 1;
};

}  // namespace mns::emulator

#endif  // MNS_EMULATOR_HTTP_JOURNAL_H_
