#include "client/tools/sends_file.h"

#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>

#include "mns/common/time_format.h"

namespace mns::tools {

std::vector<TrackedSend> SendsFile::ReadNew(
    std::vector<std::string>& problems) {
  std::ifstream in(path_, std::ios::binary);
  if (!in) return {};
  in.seekg(static_cast<std::streamoff>(offset_));
  const std::string appended((std::istreambuf_iterator<char>(in)),
                             std::istreambuf_iterator<char>());
  std::vector<TrackedSend> sends;
  size_t start = 0;
  for (size_t end = appended.find('\n'); end != std::string::npos;
       start = end + 1, end = appended.find('\n', start)) {
    ++line_number_;
    const std::string line = appended.substr(start, end - start);
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    auto problem = [&](const std::string& what) {
      problems.push_back(path_ + ":" + std::to_string(line_number_) + ": " +
                         what);
    };
    const auto json = nlohmann::json::parse(line, nullptr,
                                            /*allow_exceptions=*/false);
    if (!json.is_object()) {
      problem("not a JSON object");
      continue;
    }
    auto text = [&](const char* name) -> std::string {
      auto it = json.find(name);
      return it != json.end() && it->is_string() ? it->get<std::string>() : "";
    };
    const std::string biz_id = text("biz_id");
    const std::string phone = text("phone_number");
    const auto sent_at = ParseIso8601(text("sent_at"));
    if (biz_id.empty() || phone.empty() || !sent_at) {
      problem("needs biz_id, phone_number and sent_at (ISO 8601)");
      continue;
    }
    sends.push_back(
        {.biz_id = biz_id, .phone_number = phone, .sent_at = *sent_at});
  }
  offset_ += start;
  return sends;
}

}  // namespace mns::tools
