// ClientCore: what every client of this library holds — its options, the
// transport, the clock its retries and signatures read, and the source of
// jitter and nonces. MnsClient and AlicomClient build their Impl on it.
// Thread-safe to share between the calls of one client.
#ifndef MNS_CLIENT_SRC_CLIENT_CORE_H_
#define MNS_CLIENT_SRC_CLIENT_CORE_H_

#include <memory>

#include "client/src/transport.h"
#include "mns/common/clock.h"
#include "mns/common/random.h"
#include "mns/options.h"

namespace mns::internal {

struct ClientCore {
  ClientCore(ClientOptions client_options,
             std::shared_ptr<Transport> client_transport)
      : options(std::move(client_options)),
        transport(client_transport ? std::move(client_transport)
                                   : MakeHttpTransport(options)),
        clock(options.clock ? options.clock : std::make_shared<SystemClock>()) {
  }

  const ClientOptions options;
  const std::shared_ptr<Transport> transport;
  const std::shared_ptr<Clock> clock;
  Random random;
};

}  // namespace mns::internal

#endif  // MNS_CLIENT_SRC_CLIENT_CORE_H_
