// Reading MNS XML with pugixml, the same way on both sides of the wire.
#ifndef MNS_COMMON_XML_H_
#define MNS_COMMON_XML_H_

#include <pugixml.hpp>
#include <string>
#include <string_view>

namespace mns {

// "mns:Message" -> "Message": SDKs differ in whether they prefix elements.
std::string_view LocalName(const pugi::xml_node& node);

// All the text of `node`. pugixml splits "a<![CDATA[&]]>b" into three
// children and child_value() returns only the first.
std::string ElementText(const pugi::xml_node& node);

// Parses `text` keeping whitespace-only text, so that a message body of
// spaces stays a body of spaces.
pugi::xml_parse_result LoadXml(pugi::xml_document& doc, std::string_view text);

}  // namespace mns

#endif  // MNS_COMMON_XML_H_
