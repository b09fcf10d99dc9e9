// The client's request signers, for tests that must write raw requests the
// client library would not send (the conformance suite's wire replay, raw
// header checks). They are the signers fixtures/signing pins; the client's
// own calls use them the same way.
#ifndef MNS_CLIENT_TESTING_SIGNING_H_
#define MNS_CLIENT_TESTING_SIGNING_H_

#include "client/src/mns_signer.h"
#include "client/src/pop_signer.h"

namespace mns::testutil {

using SignedHeaders = internal::Headers;
// Date, x-mns-version, Content-Type/MD5, `extra`, Authorization, and the
// security token of temporary credentials (spec mns §2.1, §2.2).
using internal::SignedMnsHeaders;
// A V1-signed POP query string with the common parameters (spec alicom
// §2.1).
using internal::PopV1SignedQuery;

}  // namespace mns::testutil

#endif  // MNS_CLIENT_TESTING_SIGNING_H_
