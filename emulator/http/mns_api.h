// MnsApi: the MNS REST API — queues (spec mns §3), topics and subscriptions
// (spec topic §2, §3) and account attributes — as a function from request
// to response. It routes, authenticates (V2 signature, spec mns §2.1),
// parses, calls the QueueService or TopicService and renders XML; every
// error leaves through one place, ErrorResponse(), with the status of the
// table in mns_errors.cc. The topic handlers are in mns_topic_api.cc.
// Thread-safe; a long-poll receive blocks the calling thread.
#ifndef MNS_EMULATOR_HTTP_MNS_API_H_
#define MNS_EMULATOR_HTTP_MNS_API_H_

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "emulator/http/mns_auth.h"
#include "emulator/http/request_facts.h"
#include "emulator/http/wire.h"
#include "emulator/service/credentials.h"
#include "emulator/service/queue_service.h"
#include "emulator/service/topic_service.h"
#include "mns/common/clock.h"
#include "mns/common/random.h"

namespace mns::emulator {

// Wire behaviours the spec marks UNCONFIRMED (spec mns §11), with the most
// likely defaults.
struct MnsWireSettings {
  // TimeExpired: 400 per the old error-code doc (spec mns §2.1 rule 6).
  int time_expired_status = 400;
  // Partial failures: any non-2xx works for every SDK; 500/503 would make
  // Java and .NET retry (spec mns §3.8, §3.13).
  int batch_send_failure_status = 400;
  int batch_delete_failure_status = 404;
  // DeleteQueue of a missing queue: idempotent 204 (spec mns §3.5).
  bool delete_missing_queue_is_error = false;
  // Date may differ from the real time by this much (spec mns §1.2).
  Duration max_clock_skew = std::chrono::minutes(15);
  // Requests signed with expired temporary credentials. No source gives the
  // cloud's answer (spec alicom §9); 403 SecurityTokenExpired is what other
  // Alibaba Cloud services answer for an expired STS token, and a 403 makes
  // the Java puller re-check its token.
  std::string expired_token_code = "SecurityTokenExpired";
  int expired_token_status = 403;
};

// The account a virtual host names: "123" for 123.mns.cn-hangzhou.aliyuncs.com
// (a port may follow); nullopt for any other host.
std::optional<std::string> AccountOfMnsHost(std::string_view host);

struct MnsApiOptions {
  AuthMode auth = AuthMode::kStrict;
  MnsWireSettings wire;
  // With AuthMode::kOff, requests with no known key use this account.
  std::string default_account;
  // Receives warnings (for example a bad signature in loose mode).
  std::function<void(const std::string&)> log;
  // See MnsAuthOptions::log_string_to_sign.
  bool log_string_to_sign = false;
};

class MnsApi {
 public:
  // `date_clock` is what the Date header is checked against: the real time
  // in the server, since SDKs sign with theirs even when the emulator's clock
  // has been advanced. All pointers must outlive the MnsApi.
  MnsApi(QueueService* queues, TopicService* topics,
         const CredentialStore* credentials, Random* random,
         const Clock* date_clock, MnsApiOptions options);

  // `leave_visible`: a receive returns its messages but leaves those on
  // their first delivery visible, their handles stale, so the next receive
  // gets them again (the "duplicate" fault: each message arrives twice).
  HttpResponse Handle(const HttpRequest& request,
                      bool leave_visible = false) const;
  // Handle() without waiting: the answer, or nullopt for a receive that
  // found no message and would wait for one (then call Handle() where a
  // thread may block).
  std::optional<HttpResponse> HandleWithoutWaiting(
      const HttpRequest& request, bool leave_visible = false) const;

  // The operation (as spec mns §3 names it: "BatchDeleteMessage"), the
  // queue and the access key of `request`, without carrying it out or
  // checking its signature. The operation is empty when no route fits.
  static RequestFacts Describe(const HttpRequest& request);

  // Renders an error as MNS does: an <Error> body and the status of the
  // error table. Used also by the server for errors its library detects.
  HttpResponse ErrorResponse(const Status& error,
                             const HttpRequest& request) const;

 private:
  struct Context;  // below
  HttpResponse ErrorResponse(const Status& error, const std::string& request_id,
                             const std::string& host) const;
  // Handle's answer for what Dispatch returned: the error rendered, or the
  // response with the MNS headers.
  HttpResponse Finish(StatusOr<HttpResponse> result,
                      const Context& context) const;
  // Finds the route and runs its handler, after authentication.
  StatusOr<HttpResponse> Dispatch(Context& context) const;
  int HttpStatusFor(const std::string& error_code) const;

  // Wire helpers the handlers share.
  static StatusOr<int64_t> ParseInteger(const std::string& text,
                                        const std::string& name);
  static bool IsTrue(const std::optional<std::string>& value);
  static HttpResponse XmlResponse(int status, std::string body);
  static HttpResponse EmptyResponse(int status);
  // x-mns-ret-number: 1..1000, default 1000 (spec mns §3.6).
  static StatusOr<int> RetNumber(const HttpRequest& request);
  // numOfMessages: absent for a single message, else a batch of 1..16.
  static StatusOr<std::optional<int>> BatchSize(const QueryParams& query);

  // What a path names.
  enum class Resource {
    kAccount,
    kQueues,
    kQueue,
    kMessages,
    kTopics,
    kTopic,
    kTopicMessages,
    kSubscriptions,
    kSubscription,
  };
  // The names in a path, percent-decoded.
  struct PathNames {
    std::string queue;
    std::string topic;
    std::string subscription;
  };
  // One request on its way through Dispatch() and a handler.
  struct Context {
    Context(const HttpRequest& request, std::string request_id, bool no_wait,
            bool leave_visible)
        : request(request),
          query(request.raw_query()),
          request_id(std::move(request_id)),
          host(request.Host()),
          no_wait(no_wait),
          leave_visible(leave_visible) {}

    const HttpRequest& request;
    const QueryParams query;
    std::string request_id;
    std::string host;
    std::string account;
    PathNames names;
    const std::string& queue = names.queue;  // empty for / and /queues
    // Set by the caller: a receive must not wait. Set by the receive: it
    // found nothing and would have waited.
    const bool no_wait;
    bool would_wait = false;
    const bool leave_visible;
  };

  using Handler = StatusOr<HttpResponse> (MnsApi::*)(Context&) const;
  struct Route {
    std::string_view operation;  // the single form; Describe() adds Batch
    std::string_view method;
    Resource resource;
    std::string_view query_flag;  // must be "true" when not empty
    Handler handler;
  };
  static const Route kRoutes[];
  // The route `request` names (nullptr when none) and the names in its
  // path, or InvalidRequestURL.
  static StatusOr<const Route*> FindRoute(const HttpRequest& request,
                                          const QueryParams& query,
                                          PathNames& names);

  // One handler per operation, named as the cloud names it.
  StatusOr<HttpResponse> GetAccountAttributes(Context& context) const;
  StatusOr<HttpResponse> SetAccountAttributes(Context& context) const;
  StatusOr<HttpResponse> ListQueues(Context& context) const;
  StatusOr<HttpResponse> CreateQueue(Context& context) const;
  StatusOr<HttpResponse> SetQueueAttributes(Context& context) const;
  StatusOr<HttpResponse> GetQueueAttributes(Context& context) const;
  StatusOr<HttpResponse> DeleteQueue(Context& context) const;
  StatusOr<HttpResponse> SendMessage(Context& context) const;
  StatusOr<HttpResponse> PeekMessage(Context& context) const;
  StatusOr<HttpResponse> ReceiveMessage(Context& context) const;
  StatusOr<HttpResponse> DeleteMessage(Context& context) const;
  StatusOr<HttpResponse> ChangeMessageVisibility(Context& context) const;
  StatusOr<HttpResponse> ListTopic(Context& context) const;
  StatusOr<HttpResponse> CreateTopic(Context& context) const;
  StatusOr<HttpResponse> SetTopicAttributes(Context& context) const;
  StatusOr<HttpResponse> GetTopicAttributes(Context& context) const;
  StatusOr<HttpResponse> DeleteTopic(Context& context) const;
  StatusOr<HttpResponse> PublishMessage(Context& context) const;
  StatusOr<HttpResponse> Subscribe(Context& context) const;
  StatusOr<HttpResponse> SetSubscriptionAttributes(Context& context) const;
  StatusOr<HttpResponse> GetSubscriptionAttributes(Context& context) const;
  StatusOr<HttpResponse> Unsubscribe(Context& context) const;
  StatusOr<HttpResponse> ListSubscriptionByTopic(Context& context) const;

  QueueService* queues_;
  TopicService* topics_;
  Random* random_;
  MnsApiOptions options_;
  MnsAuthenticator authenticator_;
};

}  // namespace mns::emulator

#endif  // MNS_EMULATOR_HTTP_MNS_API_H_
