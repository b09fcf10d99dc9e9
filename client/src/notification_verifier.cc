#include "mns/notification_verifier.h"

#include <httplib.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <charconv>
#include <nlohmann/json.hpp>
#include <pugixml.hpp>

#include "mns/common/crypto.h"
#include "mns/common/strings.h"
#include "mns/common/xml.h"

namespace mns {
namespace {

Status Unverified(const std::string& why) {
  return Status(StatusCode::kUnauthenticated,
                "the notification does not verify: " + why);
}

const std::string* Find(const NotificationHeaders& headers,
                        std::string_view name) {
  for (const auto& [key, value] : headers) {
    if (EqualsIgnoreCase(key, name)) return &value;
  }
  return nullptr;
}

std::string Get(const NotificationHeaders& headers, std::string_view name) {
  const std::string* value = Find(headers, name);
  return value ? *value : "";
}

StatusOr<std::string> HttpGet(const std::string& url) {
  auto parts = SplitHttpUrl(url);
  if (!parts || parts->host.empty()) {
    return Status(StatusCode::kInvalidArgument, "not an HTTP URL: " + url);
  }
  httplib::Client client(parts->origin);
  client.set_connection_timeout(5);
  client.set_read_timeout(5);
  auto reply = client.Get(parts->target.empty() ? "/" : parts->target);
  if (!reply) {
    return Status(StatusCode::kUnavailable,
                  url + ": " + httplib::to_string(reply.error()));
  }
  if (reply->status != 200) {
    return Status(StatusCode::kUnavailable,
                  url + " answered " + std::to_string(reply->status));
  }
  return reply->body;
}

// RSASSA-PKCS1-v1_5 with SHA-1 under the certificate's public key.
bool SignatureVerifies(const std::string& pem, const std::string& text,
                       const std::string& signature) {
  BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  X509* cert = PEM_read_bio_X509(bio, nullptr, nullptr, nullptr);
  BIO_free(bio);
  if (cert == nullptr) return false;
  EVP_PKEY* key = X509_get_pubkey(cert);
  EVP_MD_CTX* context = EVP_MD_CTX_new();
  const bool ok =
      key != nullptr &&
      EVP_DigestVerifyInit(context, nullptr, EVP_sha1(), nullptr, key) == 1 &&
      EVP_DigestVerify(
          context, reinterpret_cast<const unsigned char*>(signature.data()),
          signature.size(), reinterpret_cast<const unsigned char*>(text.data()),
          text.size()) == 1;
  EVP_MD_CTX_free(context);
  EVP_PKEY_free(key);
  X509_free(cert);
  return ok;
}

TimePoint Millis(const std::string& text) {
  int64_t ms = 0;
  std::from_chars(text.data(), text.data() + text.size(), ms);
  return FromUnixMillis(ms);
}

}  // namespace

NotificationVerifier::NotificationVerifier(Options options)
    : options_([&] {
        if (options.trusted_certificate_prefixes.empty()) {
          options.trusted_certificate_prefixes = {
              "https://mnstest.oss-cn-hangzhou.aliyuncs.com/",
              "https://mns-cert.oss-cn-"};
        }
        if (!options.fetch) options.fetch = HttpGet;
        return std::move(options);
      }()) {}

StatusOr<std::string> NotificationVerifier::Certificate(
    const std::string& url) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (auto it = certificates_.find(url); it != certificates_.end()) {
      return it->second;
    }
  }
  MNS_ASSIGN_OR_RETURN(std::string pem, options_.fetch(url));
  std::lock_guard<std::mutex> lock(mutex_);
  certificates_[url] = pem;
  return pem;
}

Status NotificationVerifier::Verify(const std::string& method,
                                    const std::string& target,
                                    const NotificationHeaders& headers,
                                    const std::string& body) {
  const std::string authorization = Get(headers, "Authorization");
  const std::string cert_header = Get(headers, "x-mns-signing-cert-url");
  if (authorization.empty() || cert_header.empty()) {
    return Unverified("Authorization and x-mns-signing-cert-url are required");
  }
  const auto cert_url = Base64Decode(cert_header);
  if (!cert_url) return Unverified("x-mns-signing-cert-url is not base64");
  bool trusted = false;
  for (const std::string& prefix : options_.trusted_certificate_prefixes) {
    trusted = trusted || cert_url->starts_with(prefix);
  }
  if (!trusted) {
    return Unverified("the certificate URL " + *cert_url + " is not trusted");
  }
  // Either form MNS sends (spec topic §4.3): base64 of the lowercase hex
  // digest, or the uppercase hex digest.
  const std::string content_md5 = Get(headers, "Content-md5");
  const std::string digest = Md5(body);
  if (content_md5 != Base64Encode(HexLower(digest)) &&
      content_md5 != HexUpper(digest)) {
    return Unverified("Content-md5 is not the body's");
  }
  std::map<std::string, std::string> mns_headers;  // by lower-case name
  for (const auto& [name, value] : headers) {
    std::string lower = AsciiLower(name);
    if (lower.starts_with("x-mns-")) mns_headers[lower] = value;
  }
  std::string text = method + "\n" + content_md5 + "\n" +
                     Get(headers, "Content-Type") + "\n" +
                     Get(headers, "Date") + "\n";
  for (const auto& [name, value] : mns_headers) {
    text += name + ":" + value + "\n";
  }
  text += target;
  MNS_ASSIGN_OR_RETURN(std::string pem, Certificate(*cert_url));
  const auto signature = Base64Decode(authorization);
  if (!signature || !SignatureVerifies(pem, text, *signature)) {
    return Unverified("the signature does not match the certificate");
  }
  return OkStatus();
}

StatusOr<TopicNotification> NotificationVerifier::Decode(
    const NotificationHeaders& headers, const std::string& body) {
  const std::string type = AsciiLower(Get(headers, "Content-Type"));
  auto invalid = [](const std::string& why) {
    return Status(StatusCode::kInvalidArgument,
                  "not an MNS notification: " + why);
  };
  if (type.starts_with("text/xml")) {
    pugi::xml_document doc;
    if (!LoadXml(doc, body) ||
        LocalName(doc.document_element()) != "Notification") {
      return invalid("no <Notification> document");
    }
    const pugi::xml_node n = doc.document_element();
    auto child = [&](std::string_view name) {
      for (pugi::xml_node c : n.children()) {
        if (LocalName(c) == name) return ElementText(c);
      }
      return std::string();
    };
    return TopicNotification{.topic_owner = child("TopicOwner"),
                             .topic_name = child("TopicName"),
                             .subscriber = child("Subscriber"),
                             .subscription_name = child("SubscriptionName"),
                             .message_id = child("MessageId"),
                             .message = child("Message"),
                             .message_md5 = child("MessageMD5"),
                             .message_tag = child("MessageTag"),
                             .publish_time = Millis(child("PublishTime"))};
  }
  if (type.starts_with("application/json")) {
    auto json =
        nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
    if (!json.is_object()) return invalid("the JSON is not an object");
    auto field = [&](const char* name) {
      auto it = json.find(name);
      if (it == json.end()) return std::string();
      return it->is_string() ? it->get<std::string>() : it->dump();
    };
    return TopicNotification{.topic_owner = field("TopicOwner"),
                             .topic_name = field("TopicName"),
                             .subscriber = field("Subscriber"),
                             .subscription_name = field("SubscriptionName"),
                             .message_id = field("MessageId"),
                             .message = field("Message"),
                             .message_md5 = field("MessageMD5"),
                             .message_tag = field("MessageTag"),
                             .publish_time = Millis(field("PublishTime"))};
  }
  if (type.starts_with("text/plain")) {
    return TopicNotification{
        .topic_owner = Get(headers, "x-mns-topic-owner"),
        .topic_name = Get(headers, "x-mns-topic-name"),
        .subscriber = Get(headers, "x-mns-subscriber"),
        .subscription_name = Get(headers, "x-mns-subscription-name"),
        .message_id = Get(headers, "x-mns-message-id"),
        .message = body,
        .message_md5 = HexUpper(Md5(body)),
        .message_tag = Get(headers, "x-mns-message-tag"),
        .publish_time = Millis(Get(headers, "x-mns-publish-time"))};
  }
  return invalid("Content-Type " + type +
                 " is none of text/xml, application/json, text/plain");
}

}  // namespace mns
