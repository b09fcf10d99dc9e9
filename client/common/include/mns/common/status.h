// Status and StatusOr: errors as values across module boundaries.
//
// A Status holds a canonical code, a human-readable message and, for errors
// that come from (or go to) a wire protocol, the protocol's own error code
// ("MessageNotExist", "isv.BUSINESS_LIMIT_CONTROL") and the request id. Both
// types are plain values: copyable, movable, and safe to share between threads
// once built.
#ifndef MNS_COMMON_STATUS_H_
#define MNS_COMMON_STATUS_H_

#include <cassert>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace mns {

enum class StatusCode {
  kOk = 0,
  kCancelled,
  kUnknown,
  kInvalidArgument,
  kDeadlineExceeded,
  kNotFound,
  kAlreadyExists,
  kPermissionDenied,
  kResourceExhausted,
  kFailedPrecondition,
  kAborted,
  kOutOfRange,
  kUnimplemented,
  kInternal,
  kUnavailable,
  kDataLoss,
  kUnauthenticated,
};

std::string_view StatusCodeName(StatusCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(StatusCode code, std::string message, std::string error_code = {})
      : code_(code),
        message_(std::move(message)),
        error_code_(std::move(error_code)) {}

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }
  // The protocol's own error code, e.g. "QueueNotExist"; empty if none.
  const std::string& error_code() const { return error_code_; }
  // The request id the server gave the failed request; empty if none.
  const std::string& request_id() const { return request_id_; }

  Status& set_request_id(std::string id) & {
    request_id_ = std::move(id);
    return *this;
  }
  Status&& set_request_id(std::string id) && {
    request_id_ = std::move(id);
    return std::move(*this);
  }

  std::string ToString() const;

  friend bool operator==(const Status& a, const Status& b) {
    return a.code_ == b.code_ && a.message_ == b.message_ &&
           a.error_code_ == b.error_code_;
  }

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
  std::string error_code_;
  std::string request_id_;
};

inline Status OkStatus() { return Status(); }

std::ostream& operator<<(std::ostream& os, const Status& status);

// Either a value or a non-OK Status.
template <typename T>
class [[nodiscard]] StatusOr {
 public:
  StatusOr(T value) : value_(std::move(value)) {}  // NOLINT: implicit by design
  StatusOr(Status status) : status_(std::move(status)) {  // NOLINT
    assert(!status_.ok() && "StatusOr needs a value or a non-OK Status");
  }

  bool ok() const { return value_.has_value(); }
  const Status& status() const { return status_; }

  T& value() & { return *value_; }
  const T& value() const& { return *value_; }
  T&& value() && { return std::move(*value_); }
  T& operator*() & { return *value_; }
  const T& operator*() const& { return *value_; }
  T&& operator*() && { return std::move(*value_); }
  T* operator->() { return &*value_; }
  const T* operator->() const { return &*value_; }

 private:
  Status status_;
  std::optional<T> value_;
};

// The one mapping from an HTTP status to a StatusCode, for errors whose body
// carries no better code: the client's, and the emulator's POP error table.
StatusCode StatusCodeForHttpStatus(int http_status);

}  // namespace mns

// Returns early from the enclosing function when `expr` is a non-OK Status.
#define MNS_RETURN_IF_ERROR(expr)              \
  do {                                         \
    ::mns::Status mns_status_ = (expr);        \
    if (!mns_status_.ok()) return mns_status_; \
  } while (false)

#define MNS_CONCAT_INNER_(a, b) a##b
#define MNS_CONCAT_(a, b) MNS_CONCAT_INNER_(a, b)
#define MNS_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                               \
  if (!tmp.ok()) return tmp.status();              \
  lhs = std::move(tmp).value()

// `MNS_ASSIGN_OR_RETURN(auto x, Foo());` binds x or returns Foo()'s error.
#define MNS_ASSIGN_OR_RETURN(lhs, expr) \
  MNS_ASSIGN_OR_RETURN_IMPL_(MNS_CONCAT_(mns_statusor_, __LINE__), lhs, expr)

#endif  // MNS_COMMON_STATUS_H_
