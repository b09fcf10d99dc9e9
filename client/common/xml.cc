#include "client/common/xml.h"

namespace mns {

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

pugi::xml_parse_result LoadXml(pugi::xml_document& doc, std::string_view text) {
  return doc.load_buffer(text.data(), text.size(),
                         pugi::parse_default | pugi::parse_ws_pcdata,
                         pugi::encoding_utf8);
}

}  // namespace mns
