// SendsFile: the sends a receipt consumer watches for receipts that never
// come, read from a JSON-lines file that a sender appends to, one
// {"biz_id","phone_number","sent_at"} object a line ("sent_at" in ISO 8601
// UTC, as alicom-certify writes it: README "Certifying a consumer").
// ReadNew() returns only what was appended since the last call, and leaves a
// line still being written (no newline yet) for the next call. Not
// thread-safe: one reader.
#ifndef MNS_CLIENT_TOOLS_SENDS_FILE_H_
#define MNS_CLIENT_TOOLS_SENDS_FILE_H_

#include <cstdint>
#include <string>
#include <vector>

#include "mns/common/clock.h"

namespace mns::tools {

struct TrackedSend {
  std::string biz_id;
  std::string phone_number;
  TimePoint sent_at;
};

class SendsFile {
 public:
  explicit SendsFile(std::string path) : path_(std::move(path)) {}

  // The sends appended since the last call. A line that is not a send is
  // skipped and described in `problems`, so that one bad line never stops
  // the watch. A missing file is no sends yet.
  std::vector<TrackedSend> ReadNew(std::vector<std::string>& problems);

 private:
  const std::string path_;
  uint64_t offset_ = 0;  // bytes of whole lines already read
  int64_t line_number_ = 0;
};

}  // namespace mns::tools

#endif  // MNS_CLIENT_TOOLS_SENDS_FILE_H_
