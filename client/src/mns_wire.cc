#include "client/src/mns_wire.h"

#include <charconv>

#include "client/src/mns_signer.h"
#include "client/src/retry.h"
#include "mns/common/xml.h"

namespace mns::internal {
namespace {

constexpr char kNamespace[] = "http://mns.aliyuncs.com/doc/v1/";

}  // namespace

StatusOr<HttpReply> CallMns(ClientCore& core, const std::string& method,
                            const std::string& target, const std::string& body,
                            Headers extra, bool retryable, Duration wait,
                            std::stop_token stop, bool* response_lost) {
  return WithRetries(
      core.options.retry, retryable, *core.clock, core.random,
      [&]() -> Attempt {
        auto creds = core.options.credentials->Get();
        if (!creds.ok()) return {creds.status(), false};
        HttpCall call{.method = method,
                      .target = target,
                      .headers = SignedMnsHeaders(method, target, body, extra,
                                                  *creds, core.clock->Now()),
                      .body = body,
                      .read_timeout = core.options.read_timeout + wait,
                      .stop = stop};
        auto reply = core.transport->Send(call);
        if (!reply.ok()) {
          // The request may have been carried out all the same.
          if (response_lost != nullptr) *response_lost = true;
          return {reply.status(),
                  reply.status().code() != StatusCode::kCancelled};
        }
        if (IsSuccess(*reply)) return {std::move(reply), false};
        // Retry what may pass on a second try; MessageNotExist never does.
        Status error = ErrorOf(*reply);
        const bool transient =
            reply->status >= 500 || error.error_code() == "QpsLimitExceeded";
        return {std::move(reply), transient};
      });
}

StatusOr<ListedPage> ListPage(ClientCore& core, const std::string& target,
                              std::string_view root, std::string_view item,
                              std::string_view url_element,
                              const std::string& prefix,
                              const std::string& marker, int page_size) {
  Headers headers = {{"x-mns-ret-number", std::to_string(page_size)}};
  if (!prefix.empty()) headers.emplace_back("x-mns-prefix", prefix);
  if (!marker.empty()) headers.emplace_back("x-mns-marker", marker);
  MNS_ASSIGN_OR_RETURN(HttpReply reply,
                       CallMns(core, "GET", target, "", headers, true));
  if (!IsSuccess(reply)) return ErrorOf(reply);
  pugi::xml_document doc;
  auto list = Root(doc, reply.body, root);
  if (!list) return Malformed(reply, "GET " + target);
  ListedPage page;
  for (pugi::xml_node child : list->children()) {
    if (LocalName(child) == item) {
      std::string url = Child(child, url_element);
      page.names.push_back(url.substr(url.rfind('/') + 1));
      page.urls.push_back(std::move(url));
    } else if (LocalName(child) == "NextMarker") {
      page.next_marker = child.child_value();
    }
  }
  return page;
}

bool IsSuccess(const HttpReply& reply) {
  return reply.status >= 200 && reply.status < 300;
}

Status ErrorOf(const HttpReply& reply) {
  pugi::xml_document doc;
  std::string code, message, request_id = reply.Header("x-mns-request-id");
  if (LoadXml(doc, reply.body) &&
      LocalName(doc.document_element()) == "Error") {
    code = Child(doc.document_element(), "Code");
    message = Child(doc.document_element(), "Message");
    if (request_id.empty())
      request_id = Child(doc.document_element(), "RequestId");
  }
  if (message.empty()) message = "HTTP " + std::to_string(reply.status);
  return Status(StatusCodeForHttpStatus(reply.status), message, code)
      .set_request_id(request_id);
}

Status Malformed(const HttpReply& reply, std::string_view what) {
  return Status(StatusCode::kInternal,
                "unexpected " + std::string(what) +
                    " reply: " + reply.body.substr(0, 200))
      .set_request_id(reply.Header("x-mns-request-id"));
}

std::string Child(const pugi::xml_node& parent, std::string_view name) {
  for (pugi::xml_node child : parent.children()) {
    if (LocalName(child) == name) return ElementText(child);
  }
  return "";
}

int64_t ChildInt(const pugi::xml_node& parent, std::string_view name) {
  std::string text = Child(parent, name);
  int64_t value = 0;
  std::from_chars(text.data(), text.data() + text.size(), value);
  return value;
}

std::optional<pugi::xml_node> Root(pugi::xml_document& doc,
                                   const std::string& body,
                                   std::string_view name) {
  if (!LoadXml(doc, body)) return std::nullopt;
  pugi::xml_node root = doc.document_element();
  if (LocalName(root) != name) return std::nullopt;
  return root;
}

pugi::xml_node NewDocument(pugi::xml_document& doc, const char* root) {
  auto decl = doc.append_child(pugi::node_declaration);
  decl.append_attribute("version") = "1.0";
  decl.append_attribute("encoding") = "UTF-8";
  pugi::xml_node node = doc.append_child(root);
  node.append_attribute("xmlns") = kNamespace;
  return node;
}

void Add(pugi::xml_node node, const char* name, const std::string& value) {
  node.append_child(name).text().set(value.c_str());
}

std::string Render(const pugi::xml_document& doc) {
  struct Writer : pugi::xml_writer {
    std::string text;
    void write(const void* data, size_t size) override {
      text.append(static_cast<const char*>(data), size);
    }
  } writer;
  doc.save(writer, "", pugi::format_raw, pugi::encoding_utf8);
  return writer.text;
}

}  // namespace mns::internal
