// Reading MNS XML with pugixml, the same way on both sides of the wire.
#ifndef MNS_COMMON_XML_H_
#define MNS_COMMON_XML_H_

#include <cstdint>
#include <pugixml.hpp>
#include <string>
#include <string_view>

namespace mns {

// "mns:Message" -> "Message": SDKs differ in whether they prefix elements.
std::string_view LocalName(const pugi::xml_node& node);

// All the text of `node`. pugixml splits "a<![CDATA[&]]>b" into three
// children and child_value() returns only the first.
std::string ElementText(const pugi::xml_node& node);

// XML 1.0 §2.2: whether `c` may appear in a document, raw or as a
// character reference (not NUL, most C0 controls, surrogates, U+FFFE).
bool IsXmlChar(uint32_t c);

// Whether `text` is valid UTF-8 of XML characters only. pugixml does not
// check this: it reads and writes "\x01" without complaint, and other
// parsers then refuse the document.
bool IsXmlText(std::string_view text);

// What pugixml lets through and XML 1.0 (§2.2, §4.1) does not: IsXmlText,
// and every '&' starts a reference to an XML character ("&#1;", "&#0;" and
// a bare "&" all fail). pugixml turns "&#0;" into a NUL that cuts the text
// short, and writes a control character as such a reference, so what it
// accepts or writes may still be refused by every other parser.
bool IsStrictXml(std::string_view document);

// Parses `text` keeping whitespace-only text, so that a message body of
// spaces stays a body of spaces.
pugi::xml_parse_result LoadXml(pugi::xml_document& doc, std::string_view text);

}  // namespace mns

#endif  // MNS_COMMON_XML_H_
