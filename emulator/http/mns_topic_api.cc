// MnsApi's topic and subscription handlers (spec topic §2, §3), one per
// operation as the cloud names it. Routing, authentication and error
// rendering are MnsApi's (mns_api.cc).
#include "emulator/http/mns_api.h"
#include "emulator/http/mns_xml.h"

namespace mns::emulator {

StatusOr<HttpResponse> MnsApi::ListTopic(Context& context) const {
  const HttpRequest& request = context.request;
  MNS_ASSIGN_OR_RETURN(int limit, RetNumber(request));
  MNS_ASSIGN_OR_RETURN(
      TopicListing listing,
      topics_->ListTopics(context.account,
                          request.Header("x-mns-prefix").value_or(""),
                          request.Header("x-mns-marker").value_or(""), limit));
  return XmlResponse(
      200, RenderTopicList(listing, "http://" + context.host + "/topics/",
                           IsTrue(request.Header("x-mns-with-meta"))));
}

StatusOr<HttpResponse> MnsApi::CreateTopic(Context& context) const {
  MNS_ASSIGN_OR_RETURN(TopicAttributeUpdate update,
                       ParseTopicBody(context.request.body));
  MNS_ASSIGN_OR_RETURN(
      CreateOutcome outcome,
      topics_->CreateTopic(context.account, context.names.topic, update));
  // Location on 204 too: the Python SDK reads it on every success (spec
  // topic §0 item 5).
  HttpResponse response =
      EmptyResponse(outcome == CreateOutcome::kCreated ? 201 : 204);
  response.SetHeader(
      "Location", "http://" + context.host + "/topics/" + context.names.topic);
  return response;
}

StatusOr<HttpResponse> MnsApi::SetTopicAttributes(Context& context) const {
  MNS_ASSIGN_OR_RETURN(TopicAttributeUpdate update,
                       ParseTopicBody(context.request.body));
  MNS_RETURN_IF_ERROR(topics_->SetTopicAttributes(context.account,
                                                  context.names.topic, update));
  return EmptyResponse(204);
}

StatusOr<HttpResponse> MnsApi::GetTopicAttributes(Context& context) const {
  MNS_ASSIGN_OR_RETURN(
      TopicSnapshot topic,
      topics_->GetTopicAttributes(context.account, context.names.topic));
  return XmlResponse(200, RenderTopic(topic));
}

// Idempotent: a missing topic is 204 too (spec topic §2.4).
StatusOr<HttpResponse> MnsApi::DeleteTopic(Context& context) const {
  topics_->DeleteTopic(context.account, context.names.topic);
  return EmptyResponse(204);
}

StatusOr<HttpResponse> MnsApi::PublishMessage(Context& context) const {
  MNS_ASSIGN_OR_RETURN(PublishRequest request,
                       ParsePublishBody(context.request.body));
  MNS_ASSIGN_OR_RETURN(
      PublishedMessage message,
      topics_->Publish(context.account, context.names.topic, request));
  return XmlResponse(201, RenderPublishResult(message));
}

StatusOr<HttpResponse> MnsApi::Subscribe(Context& context) const {
  MNS_ASSIGN_OR_RETURN(SubscriptionAttributeUpdate update,
                       ParseSubscriptionBody(context.request.body));
  MNS_ASSIGN_OR_RETURN(CreateOutcome outcome,
                       topics_->Subscribe(context.account, context.names.topic,
                                          context.names.subscription, update));
  HttpResponse response =
      EmptyResponse(outcome == CreateOutcome::kCreated ? 201 : 204);
  response.SetHeader("Location", "http://" + context.host + "/topics/" +
                                     context.names.topic + "/subscriptions/" +
                                     context.names.subscription);
  return response;
}

StatusOr<HttpResponse> MnsApi::SetSubscriptionAttributes(
    Context& context) const {
  MNS_ASSIGN_OR_RETURN(SubscriptionAttributeUpdate update,
                       ParseSubscriptionBody(context.request.body));
  MNS_RETURN_IF_ERROR(
      topics_->SetSubscriptionAttributes(context.account, context.names.topic,
                                         context.names.subscription, update));
  return EmptyResponse(204);
}

StatusOr<HttpResponse> MnsApi::GetSubscriptionAttributes(
    Context& context) const {
  MNS_ASSIGN_OR_RETURN(
      Subscription subscription,
      topics_->GetSubscriptionAttributes(context.account, context.names.topic,
                                         context.names.subscription));
  return XmlResponse(200, RenderSubscription(subscription, context.account));
}

// A missing subscription, or topic, is 204 too (spec topic §3.2).
StatusOr<HttpResponse> MnsApi::Unsubscribe(Context& context) const {
  topics_->Unsubscribe(context.account, context.names.topic,
                       context.names.subscription);
  return EmptyResponse(204);
}

StatusOr<HttpResponse> MnsApi::ListSubscriptionByTopic(Context& context) const {
  const HttpRequest& request = context.request;
  MNS_ASSIGN_OR_RETURN(int limit, RetNumber(request));
  MNS_ASSIGN_OR_RETURN(SubscriptionListing listing,
                       topics_->ListSubscriptions(
                           context.account, context.names.topic,
                           request.Header("x-mns-prefix").value_or(""),
                           request.Header("x-mns-marker").value_or(""), limit));
  return XmlResponse(
      200, RenderSubscriptionList(listing,
                                  "http://" + context.host + "/topics/" +
                                      context.names.topic + "/subscriptions/",
                                  IsTrue(request.Header("x-mns-with-meta")),
                                  context.account));
}

}  // namespace mns::emulator
