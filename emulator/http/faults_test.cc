#include "emulator/http/faults.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "emulator/http/journal.h"

namespace mns::emulator {
namespace {

using ::nlohmann::json;
using ::testing::HasSubstr;

RequestFacts Receive(const std::string& queue = "orders") {
  return {.protocol = "mns",
          .operation = "ReceiveMessage",
          .queue = queue,
          .access_key_id = "key",
          .account = "1"};
}

FaultRule Rule(const std::string& text) {
  auto rule = ParseFaultRule(json::parse(text));
  EXPECT_TRUE(rule.ok()) << rule.status().message();
  return rule.ok() ? *rule : FaultRule{};
}

TEST(FaultMatchTest, AbsentFieldsMatchAnythingAndPresentOnesMustAgree) {
  EXPECT_TRUE(FaultMatch{}.Matches(Receive()));
  EXPECT_TRUE(FaultMatch{.queue = "ord*"}.Matches(Receive()));
  EXPECT_FALSE(FaultMatch{.queue = "ord*"}.Matches(Receive("invoices")));
  EXPECT_FALSE(FaultMatch{.protocol = "pop"}.Matches(Receive()));
  EXPECT_FALSE(FaultMatch{.operation = "SendMessage"}.Matches(Receive()));
  EXPECT_FALSE(FaultMatch{.account = "2"}.Matches(Receive()));
  EXPECT_TRUE(FaultMatch{.access_key_id = "key"}.Matches(Receive()));
}

TEST(FaultMatchTest, OnlyNotificationRulesMatchDeliveries) {
  const RequestFacts delivery{.protocol = "notification",
                              .operation = "Notify",
                              .topic = "news",
                              .endpoint = "http://127.0.0.1:9/n"};
  // A rule written for requests, even one that names nothing.
  EXPECT_FALSE(FaultMatch{}.Matches(delivery));
  EXPECT_FALSE(Rule(R"({"duplicate":true,"times":0})").match.Matches(delivery));
  // Operation Notify means the protocol; endpoint and topic are globs.
  const FaultRule notify = Rule(
      R"({"operation":"Notify","endpoint":"http://127.0.0.1:*","error":"InternalError"})");
  EXPECT_EQ(notify.match.protocol, "notification");
  EXPECT_TRUE(notify.match.Matches(delivery));
  EXPECT_FALSE(notify.match.Matches(Receive()));
  EXPECT_FALSE(
      Rule(R"({"protocol":"notification","topic":"sports","drop":true})")
          .match.Matches(delivery));
  EXPECT_FALSE(
      ParseFaultRule(
          json::parse(R"({"operation":"Notify","protocol":"mns","drop":true})"))
          .ok());
  EXPECT_FALSE(
      ParseFaultRule(json::parse(R"({"protocol":"notification","delay_ms":5})"))
          .ok());
}

TEST(FaultRuleSetTest, TimesThenSpent) {
  FaultRuleSet rules(1);
  rules.Add(Rule(R"({"operation":"ReceiveMessage","times":2,
                     "error":"ServiceUnavailable"})"));
  EXPECT_TRUE(rules.Fire(Receive()));
  EXPECT_TRUE(rules.Fire(Receive()));
  EXPECT_FALSE(rules.Fire(Receive()));
  const FaultRule listed = rules.List().front();
  EXPECT_EQ(listed.fired, 2);
  EXPECT_TRUE(listed.spent());
}

TEST(FaultRuleSetTest, AfterLetsTheFirstMatchesPass) {
  FaultRuleSet rules(1);
  rules.Add(Rule(R"({"after":2,"drop":true})"));
  EXPECT_FALSE(rules.Fire(Receive()));
  EXPECT_FALSE(rules.Fire(Receive()));
  auto fired = rules.Fire(Receive());
  ASSERT_TRUE(fired);
  EXPECT_EQ(fired->action, FaultAction::kDrop);
  EXPECT_FALSE(rules.Fire(Receive()));  // times defaults to 1
}

TEST(FaultRuleSetTest, TimesZeroNeverSpends) {
  FaultRuleSet rules(1);
  rules.Add(Rule(R"({"times":0,"delay_ms":5})"));
  for (int i = 0; i < 100; ++i) ASSERT_TRUE(rules.Fire(Receive()));
}

TEST(FaultRuleSetTest, ProbabilityRepeatsUnderASeedAndIsRoughlyP) {
  auto pattern = [](uint64_t seed) {
    FaultRuleSet rules(seed);
    rules.Add(Rule(R"({"times":0,"probability":0.3,"drop":true})"));
    std::string fired;
    for (int i = 0; i < 2000; ++i) fired += rules.Fire(Receive()) ? '1' : '0';
    return fired;
  };
  const std::string a = pattern(7);
  EXPECT_EQ(a, pattern(7));
  EXPECT_NE(a, pattern(8));
  const auto ones = std::count(a.begin(), a.end(), '1');
  EXPECT_GT(ones, 480);
  EXPECT_LT(ones, 720);
}

TEST(FaultRuleSetTest, FirstMatchingRuleFiresAndRulesCanBeRemoved) {
  FaultRuleSet rules(1);
  const FaultRule first = rules.Add(Rule(R"({"queue":"orders","drop":true})"));
  rules.Add(Rule(R"({"times":0,"error":"InternalError"})"));
  EXPECT_EQ(rules.Fire(Receive())->rule_id, first.id);
  EXPECT_EQ(rules.Fire(Receive())->action, FaultAction::kError);
  EXPECT_TRUE(rules.Remove(first.id + 1));
  EXPECT_FALSE(rules.Remove(first.id + 1));
  EXPECT_FALSE(rules.Fire(Receive()));
  rules.Clear();
  EXPECT_TRUE(rules.empty());
}

TEST(FaultRuleSetTest, DuplicateAndExpireTokenFireOnlyWhereTheyApply) {
  FaultRuleSet rules(1);
  rules.Add(Rule(R"({"times":0,"duplicate":true})"));
  rules.Add(Rule(R"({"times":0,"expire_token":true})"));
  RequestFacts send = Receive();
  send.operation = "SendMessage";
  EXPECT_FALSE(rules.Fire(send));  // neither: not a receive, not temporary
  EXPECT_EQ(rules.Fire(Receive())->action, FaultAction::kDuplicate);
  send.temporary_key = true;
  EXPECT_EQ(rules.Fire(send)->action, FaultAction::kExpireToken);
}

TEST(FaultRuleSetTest, HitsAreRecordedAndBounded) {
  FaultRuleSet rules(1);
  const FaultRule rule = rules.Add(Rule(R"({"times":0,"drop":true})"));
  for (int i = 0; i < 150; ++i) {
    rules.RecordHit(rule.id, {.request_id = std::to_string(i),
                              .operation = "ReceiveMessage"});
  }
  const FaultRule listed = rules.List().front();
  ASSERT_EQ(listed.hits.size(), FaultRule::kMaxHits);
  EXPECT_EQ(listed.hits.back().request_id, "149");
  EXPECT_EQ(listed.hits.front().request_id, "50");
}

TEST(ParseFaultRuleTest, ErrorsNameTheField) {
  auto message = [](const std::string& text) {
    auto rule = ParseFaultRule(json::parse(text));
    return rule.ok() ? std::string("accepted") : rule.status().message();
  };
  EXPECT_THAT(message(R"({"drop":true,"colour":"red"})"),
              HasSubstr("unknown field colour"));
  EXPECT_THAT(message(R"({"operation":"ReceiveMessages","drop":true})"),
              HasSubstr("unknown operation \"ReceiveMessages\"; the "
                        "operations are: CreateQueue,"));
  EXPECT_THAT(message(R"({"operation":"Nope","drop":true})"),
              HasSubstr("QueryTokenForMnsQueue"));
  EXPECT_THAT(message(R"({"drop":true,"stall":true})"),
              HasSubstr("exactly one action, not drop, stall"));
  EXPECT_THAT(message(R"({"queue":"q"})"), HasSubstr("needs one action"));
  EXPECT_THAT(message(R"({"operation":"SendMessage","duplicate":true})"),
              HasSubstr("duplicate applies to ReceiveMessage"));
  EXPECT_THAT(message(R"({"probability":1.5,"drop":true})"),
              HasSubstr("probability"));
  EXPECT_THAT(message(R"({"times":-1,"drop":true})"), HasSubstr("times"));
  EXPECT_THAT(message(R"({"error":{"code":"X","status":200}})"),
              HasSubstr("error.status"));
  EXPECT_THAT(message(R"({"error":{"status":503}})"),
              HasSubstr("error.code is required"));
  EXPECT_THAT(message(R"({"drop":false})"), HasSubstr("drop must be true"));
  EXPECT_THAT(message(R"({"protocol":"amqp","drop":true})"),
              HasSubstr("protocol"));
  EXPECT_THAT(message("[1]"), HasSubstr("JSON object"));
}

TEST(ParseFaultRuleTest, JsonRoundTrip) {
  FaultRuleSet rules(1);
  const FaultRule rule = rules.Add(Rule(
      R"({"protocol":"mns","operation":"BatchDeleteMessage","queue":"q*",
          "times":3,"after":1,"probability":0.5,
          "error":{"code":"InternalError","status":500,"message":"boom"}})"));
  const json out = FaultRuleToJson(rule);
  EXPECT_EQ(out["id"], rule.id);
  EXPECT_EQ(out["operation"], "BatchDeleteMessage");
  EXPECT_EQ(out["error"]["status"], 500);
  EXPECT_EQ(out["fired"], 0);
  EXPECT_EQ(out["spent"], false);
  json again = out;
  for (const char* field : {"id", "matched", "fired", "spent", "hits"}) {
    again.erase(field);
  }
  auto reparsed = ParseFaultRule(again);
  ASSERT_TRUE(reparsed.ok()) << reparsed.status().message();
  EXPECT_EQ(reparsed->match.queue, "q*");
  EXPECT_EQ(reparsed->error.message, "boom");
}

TEST(RequestJournalTest, KeepsTheLatestAndFilters) {
  RequestJournal journal(3);
  for (int i = 0; i < 5; ++i) {
    JournalEntry entry{.facts = Receive(i % 2 ? "a" : "b"),
                       .status = i == 4 ? 503 : 200};
    if (i == 4) entry.error_code = "ServiceUnavailable";
    journal.Add(entry);
  }
  const auto all = journal.Query({});
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(all.front().sequence, 3);
  EXPECT_EQ(all.back().sequence, 5);
  EXPECT_EQ(journal.Query({.queue = "a"}).size(), 1u);
  EXPECT_EQ(journal.Query({.status = 503}).size(), 1u);
  EXPECT_EQ(journal.Query({.code = "ServiceUnavailable"}).size(), 1u);
  EXPECT_EQ(journal.Query({.since = 4}).size(), 1u);
  EXPECT_EQ(journal.Query({.limit = 2}).back().sequence, 4);
  EXPECT_EQ(journal.Summary()["ReceiveMessage"][200], 2);
  journal.Clear();
  EXPECT_TRUE(journal.Query({}).empty());
}

TEST(RequestJournalTest, BadQueriesAreRefusedByName) {
  EXPECT_TRUE(ParseJournalQuery("operation=ReceiveMessage&limit=5").ok());
  for (const char* bad : {"status=abc", "status=99", "since=-1", "limit=0",
                          "limit=x", "colour=red"}) {
    auto query = ParseJournalQuery(bad);
    ASSERT_FALSE(query.ok()) << bad;
    const std::string name(bad, std::string_view(bad).find('='));
    EXPECT_THAT(query.status().message(), HasSubstr(name)) << bad;
  }
}

}  // namespace
}  // namespace mns::emulator
