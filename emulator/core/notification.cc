#include "emulator/core/notification.h"

#include <pugixml.hpp>
#include <sstream>

#include "emulator/core/json_text.h"

namespace mns::emulator {

std::string NotificationBody(NotifyContentFormat format,
                             const NotificationSource& source,
                             const PublishedMessage& message) {
  const std::string publish_time =
      std::to_string(ToUnixMillis(message.publish_time));
  if (format == NotifyContentFormat::kSimplified) return message.body;
  if (format == NotifyContentFormat::kJson) {
    nlohmann::ordered_json body = {{"TopicOwner", source.topic_owner},
                                   {"TopicName", source.topic},
                                   {"Subscriber", source.subscriber},
                                   {"SubscriptionName", source.subscription},
                                   {"MessageId", message.message_id},
                                   {"Message", message.body},
                                   {"MessageMD5", message.body_md5}};
    if (!message.tag.empty()) body["MessageTag"] = message.tag;
    body["PublishTime"] = publish_time;
    return JsonText(body);
  }
  // The element set and order of the docs' example; the namespace with its
  // trailing slash and the lowercase "utf-8" as there (spec topic §4.2).
  pugi::xml_document doc;
  auto decl = doc.append_child(pugi::node_declaration);
  decl.append_attribute("version") = "1.0";
  decl.append_attribute("encoding") = "utf-8";
  pugi::xml_node root = doc.append_child("Notification");
  root.append_attribute("xmlns") = "http://mns.aliyuncs.com/doc/v1/";
  auto add = [&](const char* name, const std::string& value) {
    root.append_child(name).text().set(value.c_str());
  };
  add("TopicOwner", source.topic_owner);
  add("TopicName", source.topic);
  add("Subscriber", source.subscriber);
  add("SubscriptionName", source.subscription);
  add("MessageId", message.message_id);
  add("Message", message.body);
  add("MessageMD5", message.body_md5);
  if (!message.tag.empty()) add("MessageTag", message.tag);
  add("PublishTime", publish_time);
  std::ostringstream out;
  doc.save(out, "  ", pugi::format_indent | pugi::format_no_empty_element_tags,
           pugi::encoding_utf8);
  return out.str();
}

std::optional<Duration> RetryDelay(NotifyStrategy strategy, int failed_attempts,
                                   Random& random) {
  if (failed_attempts < 1) return Duration(0);
  if (strategy == NotifyStrategy::kBackoffRetry) {
    if (failed_attempts > 3) return std::nullopt;
    return std::chrono::milliseconds(random.Uniform(10'000, 20'000));
  }
  constexpr int kDoublings = 9;  // 1 s .. 256 s
  constexpr int kRetries = 176;  // then 167 × 512 s
  if (failed_attempts > kRetries) return std::nullopt;
  if (failed_attempts <= kDoublings) {
    return std::chrono::seconds(int64_t{1} << (failed_attempts - 1));
  }
  return std::chrono::seconds(512);
}

}  // namespace mns::emulator
