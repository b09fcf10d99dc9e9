#include "emulator/http/mns_api.h"

#include <strings.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <cstdlib>

#include "emulator/core/errors.h"
#include "emulator/http/mns_auth.h"
#include "emulator/http/mns_errors.h"
#include "emulator/http/mns_xml.h"
#include "mns/common/crypto.h"
#include "mns/common/strings.h"
#include "mns/common/time_format.h"

namespace mns::emulator {
namespace {

Status InvalidRequestUrl() {
  return MnsErrorStatus(StatusCode::kInvalidArgument, "InvalidRequestURL");
}

// Content-MD5 is base64 of the lowercase hex digest for the Python, Go and
// Node.js SDKs, not of the raw digest as RFC 1864 says; accept both (spec mns
// §2.1 rule 7).
bool ContentMd5Matches(const std::string& header, const std::string& body) {
  const std::string digest = Md5(body);
  return header == Base64Encode(HexLower(digest)) ||
         header == Base64Encode(HexUpper(digest)) ||
         header == Base64Encode(digest);
}

}  // namespace

StatusOr<int64_t> MnsApi::ParseInteger(const std::string& text,
                                       const std::string& name) {
  int64_t value = 0;
  auto [end, ec] =
      std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size()) {
    return Status(
        StatusCode::kInvalidArgument,
        "Http request URL contains invalid querystring item \"" + name + "\".",
        "InvalidQueryString");
  }
  return value;
}

bool MnsApi::IsTrue(const std::optional<std::string>& value) {
  return value && EqualsIgnoreCase(*value, "true");
}

HttpResponse MnsApi::XmlResponse(int status, std::string body) {
  HttpResponse response;
  response.status = status;
  response.SetHeader("Content-Type", "text/xml;charset=utf-8");
  response.body = std::move(body);
  return response;
}

HttpResponse MnsApi::EmptyResponse(int status) {
  HttpResponse response;
  response.status = status;
  return response;
}

StatusOr<int> MnsApi::RetNumber(const HttpRequest& request) {
  int64_t limit = 1000;
  if (auto text = request.Header("x-mns-ret-number")) {
    auto parsed = ParseInteger(*text, "x-mns-ret-number");
    if (!parsed.ok()) {
      return OutOfRangeError("x-mns-ret-number", 1, 1000, "items");
    }
    limit = *parsed;
  }
  if (limit < 1 || limit > 1000) {
    return OutOfRangeError("x-mns-ret-number", 1, 1000, "items");
  }
  return static_cast<int>(limit);
}

// Every MNS operation the emulator serves, in one place (spec mns §3, topic
// §6): the method, the resource the path names, and a query parameter that
// must be "true" to select the row (rows with one come first). Adding an
// operation is one row and one handler.
const MnsApi::Route MnsApi::kRoutes[] = {
    {"GetAccountAttributes", "GET", Resource::kAccount, "",
     &MnsApi::GetAccountAttributes},
    {"SetAccountAttributes", "PUT", Resource::kAccount, "",
     &MnsApi::SetAccountAttributes},
    {"ListQueue", "GET", Resource::kQueues, "", &MnsApi::ListQueues},
    {"SetQueueAttributes", "PUT", Resource::kQueue, "metaoverride",
     &MnsApi::SetQueueAttributes},
    {"CreateQueue", "PUT", Resource::kQueue, "", &MnsApi::CreateQueue},
    {"GetQueueAttributes", "GET", Resource::kQueue, "",
     &MnsApi::GetQueueAttributes},
    {"DeleteQueue", "DELETE", Resource::kQueue, "", &MnsApi::DeleteQueue},
    {"SendMessage", "POST", Resource::kMessages, "", &MnsApi::SendMessage},
    {"PeekMessage", "GET", Resource::kMessages, "peekonly",
     &MnsApi::PeekMessage},
    {"ReceiveMessage", "GET", Resource::kMessages, "", &MnsApi::ReceiveMessage},
    {"DeleteMessage", "DELETE", Resource::kMessages, "",
     &MnsApi::DeleteMessage},
    {"ChangeMessageVisibility", "PUT", Resource::kMessages, "",
     &MnsApi::ChangeMessageVisibility},
    {"ListTopic", "GET", Resource::kTopics, "", &MnsApi::ListTopic},
    {"SetTopicAttributes", "PUT", Resource::kTopic, "metaoverride",
     &MnsApi::SetTopicAttributes},
    {"CreateTopic", "PUT", Resource::kTopic, "", &MnsApi::CreateTopic},
    {"GetTopicAttributes", "GET", Resource::kTopic, "",
     &MnsApi::GetTopicAttributes},
    {"DeleteTopic", "DELETE", Resource::kTopic, "", &MnsApi::DeleteTopic},
    {"PublishMessage", "POST", Resource::kTopicMessages, "",
     &MnsApi::PublishMessage},
    {"ListSubscriptionByTopic", "GET", Resource::kSubscriptions, "",
     &MnsApi::ListSubscriptionByTopic},
    {"SetSubscriptionAttributes", "PUT", Resource::kSubscription,
     "metaoverride", &MnsApi::SetSubscriptionAttributes},
    {"Subscribe", "PUT", Resource::kSubscription, "", &MnsApi::Subscribe},
    {"GetSubscriptionAttributes", "GET", Resource::kSubscription, "",
     &MnsApi::GetSubscriptionAttributes},
    {"Unsubscribe", "DELETE", Resource::kSubscription, "",
     &MnsApi::Unsubscribe},
};

std::optional<std::string> AccountOfMnsHost(std::string_view host_port) {
  // Without the port; an IPv6 literal has no account in it anyway. Host
  // names are case-insensitive.
  std::string host(host_port.substr(0, host_port.rfind(':')));
  std::transform(host.begin(), host.end(), host.begin(), [](unsigned char c) {
    return static_cast<char>(std::tolower(c));
  });
  constexpr std::string_view kMns = ".mns.", kDomain = ".aliyuncs.com";
  const size_t mns = host.find(kMns);
  if (mns == std::string::npos ||
      host.size() < mns + kMns.size() + kDomain.size() ||
      !std::string_view(host).ends_with(kDomain)) {
    return std::nullopt;
  }
  const std::string account = host.substr(0, mns);
  const std::string region = host.substr(
      mns + kMns.size(), host.size() - kDomain.size() - mns - kMns.size());
  auto is_label = [](const std::string& text, bool hyphens) {
    return !text.empty() && std::all_of(text.begin(), text.end(), [&](char c) {
      return std::isalnum(static_cast<unsigned char>(c)) ||
             (hyphens && c == '-');
    });
  };
  if (!is_label(account, false) || !is_label(region, true)) return std::nullopt;
  return account;
}

MnsApi::MnsApi(QueueService* queues, TopicService* topics,
               const CredentialStore* credentials, Random* random,
               const Clock* date_clock, MnsApiOptions options)
    : queues_(queues),
      topics_(topics),
      random_(random),
      options_(std::move(options)),
      authenticator_(
          credentials, date_clock, queues->clock(),
          MnsAuthOptions{
              .policy = {.mode = options_.auth,
                         .max_clock_skew = options_.wire.max_clock_skew,
                         .default_account = options_.default_account,
                         .log = options_.log},
              .expired_token_code = options_.wire.expired_token_code,
              .log_string_to_sign = options_.log_string_to_sign}) {}

// The one table from MNS error code to HTTP status (spec mns §6.2).
int MnsApi::HttpStatusFor(const std::string& error_code) const {
  // Two statuses are settings (spec mns §11, alicom §9); the rest is the
  // table's.
  if (error_code == "TimeExpired") return options_.wire.time_expired_status;
  if (error_code == options_.wire.expired_token_code) {
    return options_.wire.expired_token_status;
  }
  return MnsError(error_code).http_status;
}

HttpResponse MnsApi::ErrorResponse(const Status& error,
                                   const HttpRequest& request) const {
  return ErrorResponse(error, random_->UpperHex(24), request.Host());
}

HttpResponse MnsApi::ErrorResponse(const Status& error,
                                   const std::string& request_id,
                                   const std::string& host) const {
  std::string code =
      error.error_code().empty() ? "InternalError" : error.error_code();
  HttpResponse response = XmlResponse(
      HttpStatusFor(code),
      RenderError(code, WireMessage(error), request_id, "http://" + host));
  response.SetHeader("x-mns-request-id", request_id);
  response.SetHeader("x-mns-version", kMnsVersion);
  response.error_code = code;
  return response;
}

HttpResponse MnsApi::Handle(const HttpRequest& request,
                            bool leave_visible) const {
  Context context(request, random_->UpperHex(24), /*no_wait=*/false,
                  leave_visible);
  return Finish(Dispatch(context), context);
}

std::optional<HttpResponse> MnsApi::HandleWithoutWaiting(
    const HttpRequest& request, bool leave_visible) const {
  Context context(request, random_->UpperHex(24), /*no_wait=*/true,
                  leave_visible);
  StatusOr<HttpResponse> result = Dispatch(context);
  if (context.would_wait) return std::nullopt;
  return Finish(std::move(result), context);
}

HttpResponse MnsApi::Finish(StatusOr<HttpResponse> result,
                            const Context& context) const {
  if (!result.ok()) {
    return ErrorResponse(result.status(), context.request_id, context.host);
  }
  HttpResponse response = std::move(result).value();
  response.SetHeader("x-mns-request-id", context.request_id);
  response.SetHeader("x-mns-version", kMnsVersion);
  return response;
}

StatusOr<const MnsApi::Route*> MnsApi::FindRoute(const HttpRequest& request,
                                                 const QueryParams& query,
                                                 PathNames& names) {
  // The resource: /?accountmeta=true; /queues, /queues/<q>,
  // /queues/<q>/messages; /topics, /topics/<t>, /topics/<t>/messages,
  // /topics/<t>/subscriptions, /topics/<t>/subscriptions/<s>.
  // The segments between slashes (none for "/"), at most four: on every
  // request, so no allocation.
  std::string_view path = request.path();
  std::array<std::string_view, 4> parts;
  size_t count = 0;
  for (size_t at = 1; path != "/" && at <= path.size(); ++count) {
    const size_t slash = std::min(path.find('/', at), path.size());
    if (count == parts.size() || slash == at) return InvalidRequestUrl();
    parts[count] = path.substr(at, slash - at);
    at = slash + 1;
  }
  auto name = [](std::string_view raw) { return PercentDecode(raw, false); };
  Resource resource;
  if (count == 0) {
    if (path != "/" || !IsTrue(query.Get("accountmeta"))) {
      return InvalidRequestUrl();
    }
    resource = Resource::kAccount;
  } else if (parts[0] == "queues" && count <= 3) {
    resource = count == 1   ? Resource::kQueues
               : count == 2 ? Resource::kQueue
                            : Resource::kMessages;
    if (count == 3 && parts[2] != "messages") return InvalidRequestUrl();
    if (count >= 2) names.queue = name(parts[1]);
  } else if (parts[0] == "topics") {
    resource = count == 1 ? Resource::kTopics : Resource::kTopic;
    if (count >= 2) names.topic = name(parts[1]);
    if (count == 3 && parts[2] == "messages") {
      resource = Resource::kTopicMessages;
    } else if (count >= 3 && parts[2] == "subscriptions") {
      resource =
          count == 3 ? Resource::kSubscriptions : Resource::kSubscription;
      if (count == 4) names.subscription = name(parts[3]);
    } else if (count >= 3) {
      return InvalidRequestUrl();
    }
  } else {
    return InvalidRequestUrl();
  }
  for (const Route& route : kRoutes) {
    if (route.method == request.method && route.resource == resource &&
        (route.query_flag.empty() || IsTrue(query.Get(route.query_flag)))) {
      return &route;
    }
  }
  return nullptr;
}

RequestFacts MnsApi::Describe(const HttpRequest& request) {
  RequestFacts facts{.protocol = "mns"};
  const QueryParams query(request.raw_query());
  PathNames names;
  auto route = FindRoute(request, query, names);
  facts.queue = std::move(names.queue);
  facts.topic = std::move(names.topic);
  if (route.ok() && *route != nullptr) {
    const std::string_view name = (*route)->operation;
    // The batch forms share their single form's route (spec mns §3.8,
    // §3.10, §3.11, §3.13).
    const bool batch = ((name == "ReceiveMessage" || name == "PeekMessage") &&
                        query.Has("numOfMessages")) ||
                       (name == "SendMessage" &&
                        request.body.find("<Messages") != std::string::npos) ||
                       (name == "DeleteMessage" &&
                        !query.Has("ReceiptHandle") && !request.body.empty());
    facts.operation = (batch ? "Batch" : "") + std::string(name);
    if (name == "ReceiveMessage") {
      if (auto wait = query.Get("waitseconds")) {
        int64_t seconds = 0;
        auto [end, ec] =
            std::from_chars(wait->data(), wait->data() + wait->size(), seconds);
        if (ec == std::errc() && end == wait->data() + wait->size()) {
          facts.wait_seconds = seconds;
        }
      }
    }
  }
  if (auto auth =
          ParseMnsAuthorization(request.Header("Authorization").value_or(""))) {
    facts.access_key_id = auth->access_key_id;
  }
  return facts;
}

StatusOr<HttpResponse> MnsApi::Dispatch(Context& context) const {
  const HttpRequest& request = context.request;
  MNS_ASSIGN_OR_RETURN(const Route* route,
                       FindRoute(request, context.query, context.names));

  MNS_ASSIGN_OR_RETURN(Principal principal,
                       authenticator_.Authenticate(request));
  context.account = principal.account_id;
  // Virtual hosting, as in the cloud: <account>.mns.<region>.aliyuncs.com
  // names the account, and a key of another account may not use it. With
  // authentication off nothing is checked, so the host decides.
  if (std::optional<std::string> named = AccountOfMnsHost(request.Host());
      named && *named != context.account) {
    if (options_.auth != AuthMode::kOff) {
      if (options_.log) {
        options_.log("AccessDenied: the host " + request.Host() +
                     " names account " + *named + ", but the key " +
                     principal.access_key_id + " belongs to " +
                     context.account);
      }
      return MnsErrorStatus(StatusCode::kPermissionDenied, "AccessDenied");
    }
    context.account = *named;
  }
  // Temporary credentials open one queue (spec alicom §3).
  const std::string resource =
      !context.names.queue.empty()   ? "queues/" + context.names.queue
      : !context.names.topic.empty() ? "topics/" + context.names.topic
                                     : "";
  if (!principal.Allows(resource)) {
    return MnsErrorStatus(StatusCode::kPermissionDenied, "AccessDenied");
  }

  if (auto md5 = request.Header("Content-MD5");
      md5 && !ContentMd5Matches(*md5, request.body)) {
    return MnsErrorStatus(StatusCode::kInvalidArgument, "InvalidDigest");
  }
  if (route == nullptr) return InvalidRequestUrl();
  return (this->*route->handler)(context);
}

StatusOr<HttpResponse> MnsApi::ListQueues(Context& context) const {
  const HttpRequest& request = context.request;
  MNS_ASSIGN_OR_RETURN(int limit, RetNumber(request));
  MNS_ASSIGN_OR_RETURN(
      QueueListing listing,
      queues_->ListQueues(context.account,
                          request.Header("x-mns-prefix").value_or(""),
                          request.Header("x-mns-marker").value_or(""), limit));
  return XmlResponse(
      200, RenderQueueList(listing, "http://" + context.host + "/queues/",
                           IsTrue(request.Header("x-mns-with-meta"))));
}

StatusOr<HttpResponse> MnsApi::SetQueueAttributes(Context& context) const {
  MNS_ASSIGN_OR_RETURN(QueueAttributeUpdate update,
                       ParseQueueBody(context.request.body));
  MNS_RETURN_IF_ERROR(
      queues_->SetQueueAttributes(context.account, context.queue, update));
  return EmptyResponse(204);
}

StatusOr<HttpResponse> MnsApi::CreateQueue(Context& context) const {
  MNS_ASSIGN_OR_RETURN(QueueAttributeUpdate update,
                       ParseQueueBody(context.request.body));
  MNS_ASSIGN_OR_RETURN(
      CreateOutcome outcome,
      queues_->CreateQueue(context.account, context.queue, update));
  // Location on 204 too: the Python SDK reads it on every success (spec mns
  // §3.2).
  HttpResponse response =
      EmptyResponse(outcome == CreateOutcome::kCreated ? 201 : 204);
  response.SetHeader("Location",
                     "http://" + context.host + "/queues/" + context.queue);
  return response;
}

StatusOr<HttpResponse> MnsApi::GetQueueAttributes(Context& context) const {
  MNS_ASSIGN_OR_RETURN(QueueSnapshot info, queues_->GetQueueAttributes(
                                               context.account, context.queue));
  return XmlResponse(200, RenderQueue(info));
}

StatusOr<HttpResponse> MnsApi::GetAccountAttributes(Context& context) const {
  MNS_ASSIGN_OR_RETURN(AccountAttributes attributes,
                       queues_->GetAccountAttributes(context.account));
  return XmlResponse(200, RenderAccount(attributes));
}

StatusOr<HttpResponse> MnsApi::SetAccountAttributes(Context& context) const {
  MNS_ASSIGN_OR_RETURN(AccountAttributeUpdate update,
                       ParseAccountBody(context.request.body));
  MNS_RETURN_IF_ERROR(queues_->SetAccountAttributes(context.account, update));
  return EmptyResponse(204);
}

StatusOr<HttpResponse> MnsApi::DeleteQueue(Context& context) const {
  bool existed = queues_->DeleteQueue(context.account, context.queue);
  if (!existed && options_.wire.delete_missing_queue_is_error) {
    return QueueNotExistError();
  }
  return EmptyResponse(204);
}

StatusOr<HttpResponse> MnsApi::SendMessage(Context& context) const {
  MNS_ASSIGN_OR_RETURN(SendBody body, ParseSendBody(context.request.body));
  if (!body.batch) {
    MNS_ASSIGN_OR_RETURN(SendResult result,
                         queues_->SendMessage(context.account, context.queue,
                                              body.messages.front()));
    return XmlResponse(201, RenderSendResult(result));
  }
  MNS_ASSIGN_OR_RETURN(
      std::vector<BatchSendEntry> entries,
      queues_->BatchSendMessage(context.account, context.queue, body.messages));
  bool all_ok = true;
  for (const auto& e : entries) all_ok = all_ok && e.ok();
  return XmlResponse(all_ok ? 201 : options_.wire.batch_send_failure_status,
                     RenderBatchSendResult(entries));
}

StatusOr<std::optional<int>> MnsApi::BatchSize(const QueryParams& query) {
  const auto num = query.Get("numOfMessages");
  if (!num) return std::optional<int>();
  auto parsed = ParseInteger(*num, "numOfMessages");
  if (!parsed.ok() || *parsed < 1 || *parsed > kMaxBatchSize) {
    return OutOfRangeError("numOfMessages", 1, kMaxBatchSize, "messages");
  }
  return std::optional<int>(static_cast<int>(*parsed));
}

StatusOr<HttpResponse> MnsApi::PeekMessage(Context& context) const {
  MNS_ASSIGN_OR_RETURN(std::optional<int> batch, BatchSize(context.query));
  MNS_ASSIGN_OR_RETURN(
      std::vector<MessageView> messages,
      queues_->PeekMessage(context.account, context.queue, batch.value_or(1)));
  return XmlResponse(200, batch ? RenderMessages(messages, true)
                                : RenderMessage(messages.front(), true));
}

StatusOr<HttpResponse> MnsApi::ReceiveMessage(Context& context) const {
  const QueryParams& query = context.query;
  MNS_ASSIGN_OR_RETURN(std::optional<int> batch, BatchSize(query));
  const int max = batch.value_or(1);
  std::optional<int64_t> wait_seconds;
  if (auto text = query.Get("waitseconds")) {
    auto parsed = ParseInteger(*text, "waitseconds");
    if (!parsed.ok()) {
      return OutOfRangeError("waitseconds", 0, kMaxPollingWaitSeconds,
                             "seconds");
    }
    wait_seconds = *parsed;
  }
  auto received = queues_->ReceiveMessage(context.account, context.queue, max,
                                          wait_seconds, context.no_wait);
  if (!received.ok() &&
      received.status().error_code() == QueueService::kWouldWait) {
    context.would_wait = true;
  }
  MNS_ASSIGN_OR_RETURN(std::vector<MessageView> messages, std::move(received));
  if (context.leave_visible) {
    // Only a first delivery comes again: each message arrives twice, not
    // for ever.
    for (const MessageView& m : messages) {
      if (m.dequeue_count != 1) continue;
      (void)queues_->ReleaseMessage(context.account, context.queue,
                                    m.receipt_handle);
    }
  }
  return XmlResponse(200, batch ? RenderMessages(messages, false)
                                : RenderMessage(messages.front(), false));
}

StatusOr<HttpResponse> MnsApi::DeleteMessage(Context& context) const {
  const HttpRequest& request = context.request;
  const auto handle = context.query.Get("ReceiptHandle");
  if (!handle && !request.body.empty()) {
    MNS_ASSIGN_OR_RETURN(std::vector<std::string> handles,
                         ParseReceiptHandlesBody(request.body));
    MNS_ASSIGN_OR_RETURN(
        std::vector<BatchDeleteFailure> failures,
        queues_->BatchDeleteMessage(context.account, context.queue, handles));
    if (failures.empty()) return EmptyResponse(204);
    return XmlResponse(options_.wire.batch_delete_failure_status,
                       RenderBatchDeleteErrors(failures));
  }
  if (!handle || handle->empty()) {
    return MnsErrorStatus(StatusCode::kInvalidArgument, "MissingReceiptHandle");
  }
  MNS_RETURN_IF_ERROR(
      queues_->DeleteMessage(context.account, context.queue, *handle));
  return EmptyResponse(204);
}

StatusOr<HttpResponse> MnsApi::ChangeMessageVisibility(Context& context) const {
  const QueryParams& query = context.query;
  const auto handle = query.Get("ReceiptHandle");
  if (!handle || handle->empty()) {
    return MnsErrorStatus(StatusCode::kInvalidArgument, "MissingReceiptHandle");
  }
  const auto timeout = query.Get("VisibilityTimeout");
  if (!timeout || timeout->empty()) {
    return MnsErrorStatus(StatusCode::kInvalidArgument,
                          "MissingVisibilityTimeout");
  }
  auto seconds = ParseInteger(*timeout, "VisibilityTimeout");
  if (!seconds.ok()) {
    return OutOfRangeError("VisibilityTimeout", kMinVisibilityTimeout,
                           kMaxVisibilityTimeout, "seconds");
  }
  MNS_ASSIGN_OR_RETURN(ChangedVisibility change,
                       queues_->ChangeMessageVisibility(
                           context.account, context.queue, *handle, *seconds));
  return XmlResponse(200, RenderChangeVisibility(change));
}

}  // namespace mns::emulator
