// What the MNS clients (MnsClient, TopicClient) share on the wire: signing
// and sending a request with retries, reading an <Error>, and the small XML
// verbs their bodies are built and read with (spec mns §1.4, §6.1).
// Internal to the client library. Pure functions but CallMns, which is
// thread-safe as ClientCore is.
#ifndef MNS_CLIENT_SRC_MNS_WIRE_H_
#define MNS_CLIENT_SRC_MNS_WIRE_H_

#include <cstdint>
#include <optional>
#include <pugixml.hpp>
#include <stop_token>
#include <string>
#include <string_view>
#include <vector>

#include "client/src/client_core.h"
#include "client/src/mns_signer.h"
#include "client/src/transport.h"
#include "mns/common/status.h"

namespace mns::internal {

// Builds, signs and sends an MNS request, retrying per the options' policy:
// transport errors, 5xx and QpsLimitExceeded when `retryable`. Returns the
// last reply whatever its status; a transport error only when no reply
// came. `wait` stretches the read timeout (a long poll); `response_lost` is
// set when some try got no answer (it may have been carried out).
StatusOr<HttpReply> CallMns(ClientCore& core, const std::string& method,
                            const std::string& target, const std::string& body,
                            Headers extra, bool retryable,
                            Duration wait = Duration(0),
                            std::stop_token stop = {},
                            bool* response_lost = nullptr);

// One page of ListQueue, ListTopic or ListSubscriptionByTopic: the URLs
// under each <item> of <root>, their last segments (the names) and the
// NextMarker (spec mns §3.6, topic §2.5, §3.5).
struct ListedPage {
  std::vector<std::string> urls;
  std::vector<std::string> names;
  std::string next_marker;  // empty on the last page
};
StatusOr<ListedPage> ListPage(ClientCore& core, const std::string& target,
                              std::string_view root, std::string_view item,
                              std::string_view url_element,
                              const std::string& prefix,
                              const std::string& marker, int page_size);

bool IsSuccess(const HttpReply& reply);
// The Status of a failed reply: its <Error> code and message, or the HTTP
// status when the body is not an MNS error.
Status ErrorOf(const HttpReply& reply);
// A reply that is 2xx but not what the operation answers.
Status Malformed(const HttpReply& reply, std::string_view what);

// The text of `parent`'s child with this local name, or "".
std::string Child(const pugi::xml_node& parent, std::string_view name);
int64_t ChildInt(const pugi::xml_node& parent, std::string_view name);
// The document element when `body` parses and it is named `name`.
std::optional<pugi::xml_node> Root(pugi::xml_document& doc,
                                   const std::string& body,
                                   std::string_view name);
// A request body: the declaration and `root` in the MNS namespace.
pugi::xml_node NewDocument(pugi::xml_document& doc, const char* root);
void Add(pugi::xml_node node, const char* name, const std::string& value);
std::string Render(const pugi::xml_document& doc);

}  // namespace mns::internal

#endif  // MNS_CLIENT_SRC_MNS_WIRE_H_
