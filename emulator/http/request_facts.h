// RequestFacts: what a request is, read from it without carrying it out —
// its protocol, operation, queue, access key and account. Fault rules match
// on them and the request journal records them. Reading them checks no
// signature: a request that will be refused has facts too.
#ifndef MNS_EMULATOR_HTTP_REQUEST_FACTS_H_
#define MNS_EMULATOR_HTTP_REQUEST_FACTS_H_

#include <cstdint>
#include <optional>
#include <string>

namespace mns::emulator {

struct RequestFacts {
  std::string protocol;   // "mns", "pop", "control" or "notification"
  std::string operation;  // e.g. "BatchDeleteMessage", "SendSms"; may be empty
  std::string queue;      // MNS only; empty for account-level operations
  std::string topic;      // MNS topic operations and notifications
  // A notification delivery's endpoint (protocol "notification").
  std::string endpoint;
  std::string access_key_id;
  bool temporary_key = false;  // the key is a temporary token's
  std::string account;         // the key's account, when the key is known
  // A receive's waitseconds as the client sent it (absent: the queue's
  // PollingWaitSeconds applies), so that a test can tell long polls from
  // short ones.
  std::optional<int64_t> wait_seconds;
  // QuerySendDetails' BizId and PhoneNumber as sent, so that a test can
  // tell which send a consumer looked up (alicom-certify's compensates).
  std::string biz_id;
  std::string phone_number;
};

}  // namespace mns::emulator

#endif  // MNS_EMULATOR_HTTP_REQUEST_FACTS_H_
