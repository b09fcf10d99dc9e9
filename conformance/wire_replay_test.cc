// Replays every example in fixtures/wire/ against the emulator: runs its
// setup, signs its request afresh with the target's keys, and compares the
// status, the headers that matter and the XML or JSON body, ignoring
// volatile values (fixtures/wire/README.md says which).
#include <httplib.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <pugixml.hpp>
#include <set>

#include "client/testing/signing.h"
#include "conformance/conformance.h"
#include "mns/common/random.h"
#include "mns/common/xml.h"

namespace mns::conformance {
namespace {

using nlohmann::json;

// Values that differ on every call: present and non-empty is all we check.
const std::set<std::string> kVolatile = {
    "MessageId", "ReceiptHandle", "RequestId", "HostId", "EnqueueTime",
    "FirstDequeueTime", "NextVisibleTime", "CreateTime", "LastModifyTime",
    "BizId", "AccessKeyId", "AccessKeySecret", "SecurityToken", "ExpireTime",
    "SendDate", "ReceiveDate", "Recommend", "NextMarker",
    // The account's id and URLs with the target's host in them.
    "TopicOwner", "Subscriber", "TopicURL", "SubscriptionURL"};

// With "layout": "exact", the bytes matter too, not just the elements: the
// PHP and Python SDKs need the newlines and indentation of a pretty-printed
// response (spec topic §1.4, §5.3). Volatile texts become "*" first.
void CompareLayout(const std::string& expected, const std::string& actual,
                   std::vector<std::string>& diffs) {
  std::string masked = actual;
  for (const std::string& name : kVolatile) {
    const std::string open = "<" + name + ">", close = "</" + name + ">";
    for (size_t at = masked.find(open); at != std::string::npos;
         at = masked.find(open, at + open.size())) {
      const size_t end = masked.find(close, at);
      if (end == std::string::npos) break;
      masked.replace(at + open.size(), end - at - open.size(), "*");
    }
  }
  if (masked == expected) return;
  size_t at = 0;
  while (at < masked.size() && at < expected.size() &&
         masked[at] == expected[at]) {
    ++at;
  }
  diffs.push_back("layout differs at byte " + std::to_string(at) + ": got \"" +
                  masked.substr(at, 40) + "\", expected \"" +
                  expected.substr(at, 40) + "\"");
}

// Differences between `expected` and `actual` elements, as "path: why".
void CompareXml(const pugi::xml_node& expected, const pugi::xml_node& actual,
                const std::string& path, std::vector<std::string>& diffs) {
  const std::string name(LocalName(expected));
  if (name != LocalName(actual)) {
    diffs.push_back(path + ": element " + std::string(LocalName(actual)) +
                    ", expected " + name);
    return;
  }
  const std::string here = path + "/" + name;
  std::vector<pugi::xml_node> want, got;
  for (auto c : expected.children()) {
    if (c.type() == pugi::node_element) want.push_back(c);
  }
  for (auto c : actual.children()) {
    if (c.type() == pugi::node_element) got.push_back(c);
  }
  if (want.empty() && got.empty()) {
    const std::string a = expected.text().get(), b = actual.text().get();
    if (kVolatile.contains(name) || a == "*") {
      if (b.empty()) diffs.push_back(here + ": empty");
    } else if (a != b) {
      diffs.push_back(here + ": \"" + b + "\", expected \"" + a + "\"");
    }
    return;
  }
  if (want.size() != got.size()) {
    diffs.push_back(here + ": " + std::to_string(got.size()) +
                    " children, expected " + std::to_string(want.size()));
    return;
  }
  for (size_t i = 0; i < want.size(); ++i) {
    CompareXml(want[i], got[i], here, diffs);
  }
}

void CompareJson(const json& expected, const json& actual,
                 const std::string& path, std::vector<std::string>& diffs) {
  if (expected.is_object()) {
    if (!actual.is_object()) {
      diffs.push_back(path + ": not an object");
      return;
    }
    for (const auto& [key, value] : expected.items()) {
      if (!actual.contains(key)) {
        diffs.push_back(path + "/" + key + ": missing");
      } else if (kVolatile.contains(key) || value == "*") {
        if (actual[key].is_null() || actual[key] == "") {
          diffs.push_back(path + "/" + key + ": empty");
        }
      } else {
        CompareJson(value, actual[key], path + "/" + key, diffs);
      }
    }
    for (const auto& [key, value] : actual.items()) {
      if (!expected.contains(key))
        diffs.push_back(path + "/" + key + ": extra");
    }
  } else if (expected.is_array()) {
    if (!actual.is_array() || actual.size() != expected.size()) {
      diffs.push_back(path + ": array of " + std::to_string(actual.size()) +
                      ", expected " + std::to_string(expected.size()));
      return;
    }
    for (size_t i = 0; i < expected.size(); ++i) {
      CompareJson(expected[i], actual[i], path + "/" + std::to_string(i),
                  diffs);
    }
  } else if (expected != actual) {
    diffs.push_back(path + ": " + actual.dump() + ", expected " +
                    expected.dump());
  }
}

class WireReplay : public ConformanceTest {
 protected:
  // An MNS request signed now with the target's keys.
  httplib::Result SendMns(const json& request) {
    const std::string method = request.value("method", "GET");
    const std::string path = request.value("path", "/");
    const std::string body = request.value("body", "");
    testutil::SignedHeaders extra;
    const json headers = request.value("headers", json::object());
    for (const auto& [name, value] : headers.items()) {
      extra.emplace_back(name, value.get<std::string>());
    }
    httplib::Request req;
    req.method = method;
    req.path = path;
    req.body = body;
    for (const auto& [name, value] : testutil::SignedMnsHeaders(
             method, path, body, extra,
             {target().access_key_id, target().access_key_secret},
             SystemClock().Now())) {
      req.headers.emplace(name, value);
    }
    return Http().send(req);
  }

  // A POP RPC call (signature V1, GET) with the example's parameters.
  httplib::Result SendPop(const json& params) {
    std::map<std::string, std::string> all;
    for (const auto& [key, value] : params.items()) {
      // "$today": the Beijing calendar day on the target's clock.
      all[key] = value == "$today" ? BeijingSendDate(TargetNow())
                                   : value.get<std::string>();
    }
    return Http().Get("/?" +
                      testutil::PopV1SignedQuery(
                          std::move(all),
                          {target().alicom_key_id, target().alicom_key_secret},
                          random_.UpperHex(32), SystemClock().Now()));
  }

  httplib::Client& Http() {
    if (!http_) {
      const auto [host, port] = HostAndPort(target().mns_endpoint);
      http_ = std::make_unique<httplib::Client>(host, port);
      http_->set_url_encode(false);
    }
    return *http_;
  }

  // Sends `request` with "$handle" replaced by the last receipt handle a
  // step returned, and remembers the one this reply carries.
  httplib::Result Send(json request) {
    for (const char* field : {"path", "body"}) {
      if (!request.contains(field)) continue;
      std::string text = request[field];
      for (size_t at; (at = text.find("$handle")) != std::string::npos;) {
        text.replace(at, 7, handle_);
      }
      request[field] = text;
    }
    auto result =
        request.contains("pop") ? SendPop(request["pop"]) : SendMns(request);
    if (result) {
      pugi::xml_document doc;
      if (doc.load_string(result->body.c_str())) {
        auto handle = doc.document_element().child("ReceiptHandle");
        if (handle) handle_ = handle.text().get();
      }
    }
    return result;
  }

  // Every difference between the example's response and the emulator's.
  std::vector<std::string> Replay(const json& example) {
    std::vector<std::string> diffs;
    const json setup = example.value("setup", json::array());
    for (const json& step : setup) {
      auto result = Send(step);
      if (!result || result->status >= 300) {
        diffs.push_back("setup " + step.dump() + " failed");
        return diffs;
      }
    }
    auto result = Send(example["request"]);
    if (!result) {
      diffs.push_back("no response: " + httplib::to_string(result.error()));
      return diffs;
    }
    const json& want = example["response"];
    if (result->status != want["status"].get<int>()) {
      diffs.push_back("status " + std::to_string(result->status) +
                      ", expected " + want["status"].dump());
    }
    const json headers = want.value("headers", json::object());
    for (const auto& [name, value] : headers.items()) {
      if (!result->has_header(name)) {
        diffs.push_back("header " + name + ": missing");
      } else if (value != "*" && result->get_header_value(name) != value) {
        diffs.push_back("header " + name + ": \"" +
                        result->get_header_value(name) + "\", expected " +
                        value.dump());
      }
    }
    const std::string body = want.value("body", "");
    if (body.empty()) {
      if (!result->body.empty()) diffs.push_back("body: expected none");
    } else if (body.front() == '{') {
      json actual = json::parse(result->body, nullptr, false);
      if (actual.is_discarded()) {
        diffs.push_back("body: not JSON: " + result->body);
      } else {
        CompareJson(json::parse(body), actual, "", diffs);
      }
    } else {
      pugi::xml_document a, b;
      if (!a.load_string(body.c_str())) {
        diffs.push_back("the example's XML does not parse");
      } else if (!b.load_string(result->body.c_str())) {
        diffs.push_back("body: not XML: " + result->body);
      } else {
        // JAVA's JAXB needs the namespace exactly (spec mns §1.4).
        const std::string ns = a.document_element().attribute("xmlns").value();
        if (ns != b.document_element().attribute("xmlns").value()) {
          diffs.push_back(
              "xmlns: \"" +
              std::string(b.document_element().attribute("xmlns").value()) +
              "\", expected \"" + ns + "\"");
        }
        CompareXml(a.document_element(), b.document_element(), "", diffs);
        if (want.value("layout", "") == "exact") {
          CompareLayout(body, result->body, diffs);
        }
      }
    }
    return diffs;
  }

  std::unique_ptr<httplib::Client> http_;
  std::string handle_;
  Random random_;
};

CONFORMANCE_TEST(WireReplay, EveryRecordedExampleMatches, "(all)",
                 emulator_only("replays recorded examples onto a freshly "
                               "reset emulator")) {
  const std::filesystem::path dir =
      std::filesystem::path(MNS_FIXTURES_DIR) / "wire";
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().extension() == ".json") files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  ASSERT_GE(files.size(), 14u) << "one example per operation at least";
  std::set<std::string> operations;
  for (const auto& file : files) {
    SCOPED_TRACE(file.filename().string());
    std::ifstream in(file);
    json example = json::parse(in, nullptr, false);
    ASSERT_FALSE(example.is_discarded()) << "not JSON";
    ASSERT_TRUE(example.contains("provenance")) << "no provenance";
    operations.insert(example.value("operation", ""));
    ASSERT_TRUE(ResetEmulator().ok());
    for (const std::string& diff : Replay(example)) ADD_FAILURE() << diff;
  }
  for (const char* op :
       {"CreateQueue", "SetQueueAttributes", "GetQueueAttributes",
        "DeleteQueue", "ListQueue", "SendMessage", "BatchSendMessage",
        "ReceiveMessage", "BatchReceiveMessage", "PeekMessage",
        "BatchPeekMessage", "DeleteMessage", "BatchDeleteMessage",
        "ChangeMessageVisibility", "QueryTokenForMnsQueue", "SendSms",
        "QuerySendDetails"}) {
    EXPECT_TRUE(operations.contains(op)) << "no wire example for " << op;
  }
}

}  // namespace
}  // namespace mns::conformance
