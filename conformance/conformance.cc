#include "conformance/conformance.h"

#include <httplib.h>

#include <atomic>
#include <charconv>
#include <cstdlib>
#include <map>
#include <nlohmann/json.hpp>

namespace mns::conformance {
namespace {

std::map<std::string, Registration>& Registry() {
  static auto* registry = new std::map<std::string, Registration>();
  return *registry;
}

Target& MutableTarget() {
  static auto* target = new Target();
  return *target;
}

std::string CurrentTestName() {
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  return std::string(info->test_suite_name()) + "." + info->name();
}

// Sends a control request to the emulator; the reply's body, or an error.
StatusOr<std::string> Control(const std::string& method,
                              const std::string& path,
                              const std::string& body) {
  if (target().live) {
    return Status(StatusCode::kFailedPrecondition,
                  "emulator controls do not exist on live Alibaba Cloud");
  }
  const auto [host, port] = HostAndPort(target().mns_endpoint);
  httplib::Client http(host, port);
  httplib::Request request;
  request.method = method;
  request.path = path;
  request.body = body;
  request.headers.emplace("Content-Type", "application/json");
  // The same variable the emulator reads its --control-token from.
  if (const char* token = std::getenv("MNS_EMULATOR_CONTROL_TOKEN");
      token != nullptr && *token != '\0') {
    request.headers.emplace("Authorization", std::string("Bearer ") + token);
  }
  auto result = http.send(request);
  if (!result) {
    return Status(
        StatusCode::kUnavailable,
        "control " + path + ": " + httplib::to_string(result.error()));
  }
  if (result->status != 200) {
    return Status(StatusCode::kInvalidArgument,
                  "control " + path + ": HTTP " +
                      std::to_string(result->status) + " " + result->body);
  }
  return result->body;
}

}  // namespace

std::pair<std::string, int> HostAndPort(std::string_view endpoint) {
  if (endpoint.starts_with("http://")) endpoint.remove_prefix(7);
  const size_t colon = endpoint.rfind(':');
  if (colon == std::string_view::npos) return {std::string(endpoint), 80};
  return {std::string(endpoint.substr(0, colon)),
          std::atoi(std::string(endpoint.substr(colon + 1)).c_str())};
}

std::string MarkerName(const Marker& marker) {
  switch (marker.kind) {
    case Marker::Kind::kCloudVerified:
      return "cloud_verified";
    case Marker::Kind::kEmulatorOnly:
      return "emulator_only";
    case Marker::Kind::kUnverified:
      return "unverified";
  }
  return "?";
}

bool RegisterTest(const std::string& full_name, const std::string& operation,
                  Marker marker) {
  Registry()[full_name] =
      Registration{.operation = operation, .marker = std::move(marker)};
  return true;
}

const Registration* FindRegistration(const std::string& full_name) {
  auto it = Registry().find(full_name);
  return it == Registry().end() ? nullptr : &it->second;
}

const Target& target() { return MutableTarget(); }
void SetTarget(Target target) { MutableTarget() = std::move(target); }

Status AdvanceEmulatorClock(Duration by) {
  return Control("POST", "/_emulator/clock",
                 R"({"advance_ms":)" + std::to_string(by.count()) + "}")
      .status();
}

Status SetEmulatorRules(const std::string& rules_json) {
  return Control("PUT", "/_emulator/sms/rules",
                 R"({"rules":)" + rules_json + "}")
      .status();
}

Status InjectEmulatorSmsUp(const std::string& phone, const std::string& text) {
  nlohmann::json body = {{"phone_number", phone}, {"content", text}};
  return Control("POST", "/_emulator/sms/up", body.dump()).status();
}

Status ResetEmulator() {
  return Control("POST", "/_emulator/reset", "").status();
}

TimePoint TargetNow() {
  if (!target().live) {
    auto state = Control("GET", "/_emulator/clock", "");
    if (state.ok()) {
      auto json = nlohmann::json::parse(*state, nullptr, false);
      if (json.is_object() && json.contains("now_ms")) {
        return FromUnixMillis(json["now_ms"].get<int64_t>());
      }
    }
  }
  return SystemClock().Now();
}

StatusOr<int> RemoveAbandonedQueues(MnsClient& client, TimePoint now) {
  int removed = 0;
  auto names = client.ListAllQueues(kQueuePrefix);
  while (auto name = names.Next()) {
    // mnsconf-<unix seconds of the run's start>-<tag>-<n>
    std::string_view rest = *name;
    rest.remove_prefix(std::string_view(kQueuePrefix).size());
    int64_t started = 0;
    auto [end, error] =
        std::from_chars(rest.data(), rest.data() + rest.size(), started);
    if (error != std::errc() || end == rest.data()) continue;
    if (now - FromUnixMillis(started * 1000) < std::chrono::hours(1)) continue;
    if (client.DeleteQueue(*name).ok()) ++removed;
  }
  MNS_RETURN_IF_ERROR(names.status());
  return removed;
}

void ConformanceTest::SetUp() {
  const Registration* registration = FindRegistration(CurrentTestName());
  ASSERT_NE(registration, nullptr) << CurrentTestName() << " has no marker";
  if (target().live &&
      registration->marker.kind == Marker::Kind::kEmulatorOnly) {
    GTEST_SKIP() << "emulator only: " << registration->marker.note;
  }
  mns_ = Client(DefaultOptions());
}

void ConformanceTest::TearDown() {
  // Always clean up, whatever the test did.
  for (const std::string& queue : queues_) (void)mns_->DeleteQueue(queue);
}

ClientOptions ConformanceTest::DefaultOptions() const {
  return ClientOptions{.endpoint = target().mns_endpoint,
                       .credentials = MakeStaticCredentials(
                           target().access_key_id, target().access_key_secret)};
}

std::unique_ptr<MnsClient> ConformanceTest::Client(
    ClientOptions options) const {
  return std::make_unique<MnsClient>(std::move(options));
}

std::string ConformanceTest::QueueName() {
  static std::atomic<int> counter{0};
  std::string name =
      kQueuePrefix + target().run_id + "-" + std::to_string(++counter);
  queues_.push_back(name);  // removed at the end even if a test creates it
  return name;
}

std::string ConformanceTest::NewQueue(const QueueAttributes& attributes) {
  std::string name = QueueName();
  auto created = mns_->CreateQueue(name, attributes);
  EXPECT_TRUE(created.ok())
      << "CreateQueue " << name << ": " << created.status();
  return name;
}

}  // namespace mns::conformance
