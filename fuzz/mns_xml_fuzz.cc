// The MNS request bodies: every parser must answer (a value or an error),
// and what a parser accepts must render back as XML that parses to the
// same text. A body the emulator stores but cannot serve is a poison
// message (issue 16: &#1; was accepted and then broke every receive).
#include <pugixml.hpp>

#include "emulator/core/notification.h"
#include "emulator/http/mns_xml.h"
#include "fuzz/fuzz_support.h"
#include "mns/common/strings.h"
#include "mns/common/xml.h"

using namespace mns;
using namespace mns::emulator;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  (void)ParseQueueBody(body);
  (void)ParseReceiptHandlesBody(body);
  (void)ParseAccountBody(body);
  (void)ParseTopicBody(body);
  (void)ParseSubscriptionBody(body);
  // What a topic accepts is delivered inside an XML notification: it must
  // come out of one as it went in.
  if (auto published = ParsePublishBody(body); published.ok()) {
    const PublishedMessage message{
        .message_id = "0", .body = published->body, .tag = published->tag};
    const std::string xml =
        NotificationBody(NotifyContentFormat::kXml, {}, message);
    fuzz::Check(IsStrictXml(xml), "a notification is not XML text: " + xml);
    pugi::xml_document doc;
    fuzz::Check(static_cast<bool>(LoadXml(doc, xml)),
                "a notification does not parse: " + xml);
    fuzz::Check(
        ElementText(doc.document_element().child("Message")) == published->body,
        "the published body did not round-trip: " + xml);
  }
  auto sent = ParseSendBody(body);
  if (!sent.ok()) return 0;
  for (const SendRequest& request : sent->messages) {
    MessageView view{.message_id = "0", .body = request.body};
    if (!request.properties.empty()) {
      view.properties =
          std::make_shared<const MessageProperties>(request.properties);
    }
    const std::string xml = RenderMessage(view, /*peek=*/false);
    fuzz::Check(IsStrictXml(xml), "a rendered message is not XML text: " + xml);
    pugi::xml_document doc;
    fuzz::Check(static_cast<bool>(LoadXml(doc, xml)),
                "a rendered message does not parse: " + xml);
    fuzz::Check(ElementText(doc.document_element().child("MessageBody")) ==
                    request.body,
                "the body did not round-trip: " + xml);
  }
  return 0;
}
