// RawConnection: a loopback client that writes raw bytes, so that tests can
// send what no HTTP library would: pipelined requests, conflicting framing,
// a trickle. Header-only; for tests.
#ifndef MNS_EMULATOR_TESTING_RAW_CONNECTION_H_
#define MNS_EMULATOR_TESTING_RAW_CONNECTION_H_

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <string>

namespace mns::emulator::testutil {

class RawConnection {
 public:
  explicit RawConnection(int port) : fd_(socket(AF_INET, SOCK_STREAM, 0)) {
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connected_ =
        connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
    timeval timeout{.tv_sec = 5, .tv_usec = 0};
    setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
  }
  ~RawConnection() { close(fd_); }

  bool connected() const { return connected_; }

  bool Send(const std::string& bytes) {
    return send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL) ==
           static_cast<ssize_t>(bytes.size());
  }

  // Reads until `count` copies of `marker` have arrived, the peer closes, or
  // 5 s pass without a byte.
  std::string ReadUntil(const std::string& marker, int count = 1) {
    std::string out;
    char buf[16384];
    while (Occurrences(out, marker) < count) {
      ssize_t n = recv(fd_, buf, sizeof(buf), 0);
      if (n <= 0) break;
      out.append(buf, static_cast<size_t>(n));
    }
    return out;
  }

  // Reads until the peer closes; returns what came before.
  std::string ReadToClose() { return ReadUntil("\x01never\x01"); }

  // True once the peer has closed (recv returns 0 or a reset).
  bool PeerClosed() {
    char buf[4096];
    ssize_t n;
    while ((n = recv(fd_, buf, sizeof(buf), 0)) > 0) {
    }
    return n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK);
  }

  static int Occurrences(const std::string& text, const std::string& marker) {
    int count = 0;
    for (size_t at = text.find(marker); at != std::string::npos;
         at = text.find(marker, at + marker.size())) {
      ++count;
    }
    return count;
  }

 private:
  int fd_;
  bool connected_ = false;
};

}  // namespace mns::emulator::testutil

#endif  // MNS_EMULATOR_TESTING_RAW_CONNECTION_H_
