// PopApi: the POP RPC front end on "/" (spec alicom §2): Dysmsapi SendSms,
// SendBatchSms and QuerySendDetails, and Dybaseapi QueryTokenForMnsQueue,
// signed with V1 (HMAC-SHA1, query or form) or V3 (ACS3-HMAC-SHA256). It
// checks the request in the order of spec alicom §2.4, answers JSON (or XML
// for Format=XML) with an x-acs-request-id header, and renders every gateway
// error in one place. Business errors are HTTP 200 with their isv.* Code.
// Thread-safe.
#ifndef MNS_EMULATOR_HTTP_POP_API_H_
#define MNS_EMULATOR_HTTP_POP_API_H_

#include <map>
#include <nlohmann/json.hpp>
#include <string>

#include "emulator/http/auth_policy.h"
#include "emulator/http/pop_auth.h"
#include "emulator/http/request_facts.h"
#include "emulator/http/wire.h"
#include "emulator/service/alicom_service.h"
#include "emulator/service/credentials.h"
#include "mns/common/clock.h"
#include "mns/common/random.h"

namespace mns::emulator {

struct PopApiOptions {
  // Also: a nonce may not repeat within the clock skew (spec alicom §2.4).
  AuthPolicy policy;
  // Alicom uid of each MNS account id (default: the account id itself).
  std::map<std::string, std::string> uid_of_account;
};

class PopApi {
 public:
  // `real_clock` is what Timestamp is checked against, as for MNS's Date.
  PopApi(AlicomService* alicom, const CredentialStore* credentials,
         Random* random, const Clock* real_clock, PopApiOptions options);

  // Whether `request` is a POP call: an Action parameter or x-acs-action.
  static bool IsPopRequest(const HttpRequest& request);

  HttpResponse Handle(const HttpRequest& request);

  // The action and access key of `request`, without carrying it out or
  // checking its signature.
  static RequestFacts Describe(const HttpRequest& request);
  // Whether `action` is one this emulator carries out.
  static bool Serves(std::string_view action) {
    return FindAction(action) != nullptr;
  }

  // A gateway error the HTTP front end found before the request reached
  // Handle() (a body over the cap, a bad framing), in POP's own shape: JSON,
  // or XML for Format=XML, with RequestId, HostId and Recommend.
  HttpResponse TransportError(int status, const std::string& code,
                              const std::string& message,
                              const HttpRequest& request);

 private:
  struct Call;
  using Handler =
      StatusOr<nlohmann::ordered_json> (PopApi::*)(const Call& call);
  struct Action {
    std::string_view name;
    std::string_view product;  // for Recommend links
    std::string_view version;
    Handler handler;
  };
  static const Action kActions[];
  static const Action* FindAction(std::string_view name);

  StatusOr<nlohmann::ordered_json> Dispatch(const HttpRequest& request,
                                            Call& call);
  // A gateway error's XML root is <Error>; other bodies are
  // <ActionResponse>.
  HttpResponse Render(const Call& call, int status,
                      const nlohmann::ordered_json& body,
                      bool gateway_error) const;
  HttpResponse GatewayResponse(const Call& call, int status,
                               const Status& error) const;

  StatusOr<nlohmann::ordered_json> SendSms(const Call& call);
  StatusOr<nlohmann::ordered_json> SendBatchSms(const Call& call);
  StatusOr<nlohmann::ordered_json> QuerySendDetails(const Call& call);
  StatusOr<nlohmann::ordered_json> QueryTokenForMnsQueue(const Call& call);

  AlicomService* alicom_;
  Random* random_;
  const PopApiOptions options_;
  PopAuthenticator authenticator_;
};

}  // namespace mns::emulator

#endif  // MNS_EMULATOR_HTTP_POP_API_H_
