#include "mns/common/xml.h"

#include <charconv>

#include "mns/common/strings.h"

namespace mns {
namespace {

// Whether `ref` (the text between '&' and ';') is a reference XML 1.0 allows.
bool IsValidReference(std::string_view ref) {
  if (!ref.starts_with("#")) {
    return ref == "amp" || ref == "lt" || ref == "gt" || ref == "quot" ||
           ref == "apos";
  }
  const bool hex = ref.starts_with("#x");
  std::string_view digits = ref.substr(hex ? 2 : 1);
  uint32_t code = 0;
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(),
                                   code, hex ? 16 : 10);
  return !digits.empty() && ec == std::errc() &&
         end == digits.data() + digits.size() && IsXmlChar(code);
}

// pugixml keeps an '&' that starts no reference as text and turns "&#0;"
// into a NUL that cuts the text short, but XML 1.0 (§2.2, §4.1) makes both
// malformed, and the cloud rejects them: the Node.js SDK's unescaped "a & b"
// gets MalformedXML (spec mns §10). Comments and CDATA are skipped.
bool HasBadReference(std::string_view xml) {
  for (size_t i = xml.find_first_of("&<"); i != std::string_view::npos;
       i = xml.find_first_of("&<", i + 1)) {
    if (xml[i] == '<') {
      // Skip comments and CDATA sections, where '&' is plain text.
      std::string_view end = xml.compare(i, 4, "<!--") == 0        ? "-->"
                             : xml.compare(i, 9, "<![CDATA[") == 0 ? "]]>"
                                                                   : "";
      if (!end.empty()) {
        i = xml.find(end, i);
        if (i == std::string_view::npos) return false;  // pugixml rejects it
      }
      continue;
    }
    size_t semicolon = xml.find(';', i);
    if (semicolon == std::string_view::npos) return true;
    if (!IsValidReference(xml.substr(i + 1, semicolon - i - 1))) return true;
    i = semicolon;
  }
  return false;
}

}  // namespace

std::string_view LocalName(const pugi::xml_node& node) {
  std::string_view name = node.name();
  size_t colon = name.find(':');
  return colon == std::string_view::npos ? name : name.substr(colon + 1);
}

std::string ElementText(const pugi::xml_node& node) {
  std::string text;
  for (pugi::xml_node child : node.children()) {
    if (child.type() == pugi::node_pcdata || child.type() == pugi::node_cdata) {
      text += child.value();
    }
  }
  return text;
}

bool IsXmlChar(uint32_t c) {
  return c == 0x9 || c == 0xA || c == 0xD || (c >= 0x20 && c <= 0xD7FF) ||
         (c >= 0xE000 && c <= 0xFFFD) || (c >= 0x10000 && c <= 0x10FFFF);
}

bool IsXmlText(std::string_view text) {
  if (!IsValidUtf8(text)) return false;
  for (size_t i = 0; i < text.size(); ++i) {
    const auto byte = static_cast<unsigned char>(text[i]);
    if (byte < 0x20 && !IsXmlChar(byte)) return false;
    // U+FFFE and U+FFFF (EF BF BE, EF BF BF): the only characters outside
    // XML that valid UTF-8 can still carry here.
    if (byte == 0xEF && i + 2 < text.size() &&
        static_cast<unsigned char>(text[i + 1]) == 0xBF &&
        static_cast<unsigned char>(text[i + 2]) >= 0xBE) {
      return false;
    }
  }
  return true;
}

bool IsStrictXml(std::string_view document) {
  return IsXmlText(document) && !HasBadReference(document);
}

pugi::xml_parse_result LoadXml(pugi::xml_document& doc, std::string_view text) {
  return doc.load_buffer(text.data(), text.size(),
                         pugi::parse_default | pugi::parse_ws_pcdata,
                         pugi::encoding_utf8);
}

}  // namespace mns
