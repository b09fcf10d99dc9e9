// The HTTPS identity (generated, reused, issued again, or the user's own)
// and the front end's HTTPS port, with the clients that get it wrong: plain
// HTTP on the HTTPS port, TLS on the plain one, a broken handshake.
#include <httplib.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "emulator/http/http_front_end.h"
#include "emulator/http/tls_identity.h"
#include "emulator/testing/raw_connection.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace mns::emulator {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;
using testutil::RawConnection;
namespace fs = std::filesystem;

std::string ReadAll(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// Whether the first certificate in `pem` is valid for `host` (a DNS name or
// an IP address), as a client checks it.
bool Names(const std::string& pem, const std::string& host) {
  BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  X509* cert = PEM_read_bio_X509(bio, nullptr, nullptr, nullptr);
  BIO_free(bio);
  const bool named = X509_check_host(cert, host.c_str(), 0, 0, nullptr) == 1 ||
                     X509_check_ip_asc(cert, host.c_str(), 0) == 1;
  X509_free(cert);
  return named;
}

class TlsIdentityTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ =
        fs::path(::testing::TempDir()) /
        ("tls-identity-" +
         std::string(
             ::testing::UnitTest::GetInstance()->current_test_info()->name()));
    fs::remove_all(dir_);
    options_.dir = dir_.string();
  }

  fs::path dir_;
  TlsOptions options_;
  const TimePoint now_ = SystemClock().Now();
};

TEST_F(TlsIdentityTest, CoversTheCloudsNamesAndLoopback) {
  options_.regions = {"cn-shanghai"};
  options_.names = {"mns.internal.example", "10.0.0.7"};
  auto identity = LoadOrCreateTlsIdentity(options_, now_);
  ASSERT_TRUE(identity.ok()) << identity.status();
  for (const char* host :
       {"127.0.0.1", "::1", "localhost", "dysmsapi.aliyuncs.com",
        "dybaseapi.aliyuncs.com", "1234.mns.cn-hangzhou.aliyuncs.com",
        "1234.mns.cn-shanghai.aliyuncs.com", "mns.internal.example",
        "10.0.0.7"}) {
    EXPECT_TRUE(Names(identity->server.certificate, host)) << host;
  }
  EXPECT_FALSE(
      Names(identity->server.certificate, "1234.mns.cn-beijing.aliyuncs.com"));
  EXPECT_FALSE(Names(identity->server.certificate, "example.com"));
  EXPECT_EQ(identity->ca_file, (dir_ / "ca.pem").string());
  // The chain ends with the CA the clients trust.
  EXPECT_THAT(identity->server.certificate,
              ::testing::EndsWith(ReadAll(dir_ / "ca.pem")));
}

TEST_F(TlsIdentityTest, KeysAreTheOwnersAloneAndReusedOnTheNextRun) {
  auto first = LoadOrCreateTlsIdentity(options_, now_);
  ASSERT_TRUE(first.ok()) << first.status();
  for (const char* key : {"ca-key.pem", "server-key.pem"}) {
    struct stat info {};
    ASSERT_EQ(stat((dir_ / key).c_str(), &info), 0);
    EXPECT_EQ(info.st_mode & 0777, 0600) << key;
  }
  auto second = LoadOrCreateTlsIdentity(options_, now_ + std::chrono::hours(1));
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(second->server.certificate, first->server.certificate);
  EXPECT_EQ(second->server.private_key, first->server.private_key);
}

TEST_F(TlsIdentityTest, NewNamesOrNearExpiryIssueAgainFromTheSameCa) {
  auto first = LoadOrCreateTlsIdentity(options_, now_);
  ASSERT_TRUE(first.ok());
  const std::string ca = ReadAll(dir_ / "ca.pem");

  options_.names = {"added.example"};
  auto renamed = LoadOrCreateTlsIdentity(options_, now_);
  ASSERT_TRUE(renamed.ok());
  EXPECT_NE(renamed->server.certificate, first->server.certificate);
  EXPECT_TRUE(Names(renamed->server.certificate, "added.example"));

  auto later =
      LoadOrCreateTlsIdentity(options_, now_ + std::chrono::hours(24 * 397));
  ASSERT_TRUE(later.ok());
  EXPECT_NE(later->server.certificate, renamed->server.certificate);
  EXPECT_EQ(ReadAll(dir_ / "ca.pem"), ca);
}

TEST_F(TlsIdentityTest, ADamagedServerCertificateIsIssuedAgain) {
  ASSERT_TRUE(LoadOrCreateTlsIdentity(options_, now_).ok());
  std::ofstream(dir_ / "server.pem") << "not a certificate";
  auto again = LoadOrCreateTlsIdentity(options_, now_);
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_TRUE(Names(again->server.certificate, "localhost"));
}

TEST_F(TlsIdentityTest, BadInputIsAnErrorNamingWhatIsWrong) {
  ASSERT_TRUE(LoadOrCreateTlsIdentity(options_, now_).ok());
  // A CA that cannot be read, or is not a CA, is never replaced: clients
  // trust it.
  std::ofstream(dir_ / "ca.pem") << "-----BEGIN CERTIFICATE-----\ngarbage\n";
  EXPECT_EQ(LoadOrCreateTlsIdentity(options_, now_).status().message(),
            (dir_ / "ca.pem").string() + " holds no PEM certificate");

  std::ofstream(dir_ / "file") << "x";
  TlsOptions in_a_file{.dir = (dir_ / "file" / "tls").string()};
  EXPECT_THAT(LoadOrCreateTlsIdentity(in_a_file, now_).status().message(),
              StartsWith("cannot use --tls-dir " + in_a_file.dir + ": "));

  TlsOptions bad_name{.dir = dir_.string(), .names = {"exa mple.com"}};
  EXPECT_THAT(LoadOrCreateTlsIdentity(bad_name, now_).status().message(),
              StartsWith("bad --tls-name \"exa mple.com\""));
  TlsOptions bad_region{.dir = dir_.string(), .regions = {"cn.x"}};
  EXPECT_THAT(LoadOrCreateTlsIdentity(bad_region, now_).status().message(),
              StartsWith("bad --tls-region \"cn.x\""));
}

TEST_F(TlsIdentityTest, TheUsersOwnPairMustMatch) {
  auto ca = CreateCertificateAuthority(now_);
  ASSERT_TRUE(ca.ok());
  auto one = IssueServerCertificate(*ca, {"a.example"}, now_,
                                    now_ + std::chrono::hours(1));
  auto other = IssueServerCertificate(*ca, {"b.example"}, now_,
                                      now_ + std::chrono::hours(1));
  ASSERT_TRUE(one.ok() && other.ok());
  fs::create_directories(dir_);
  std::ofstream(dir_ / "cert.pem") << one->certificate;
  std::ofstream(dir_ / "key.pem") << one->private_key;
  std::ofstream(dir_ / "other-key.pem") << other->private_key;

  TlsOptions own{.certificate_file = (dir_ / "cert.pem").string(),
                 .key_file = (dir_ / "key.pem").string()};
  auto served = LoadOrCreateTlsIdentity(own, now_);
  ASSERT_TRUE(served.ok()) << served.status();
  EXPECT_EQ(served->server.certificate, one->certificate);
  EXPECT_EQ(served->ca_file, "");

  own.key_file = (dir_ / "other-key.pem").string();
  EXPECT_EQ(LoadOrCreateTlsIdentity(own, now_).status().message(),
            "the certificate " + own.certificate_file +
                " does not match the key " + own.key_file);
  own.key_file = (dir_ / "missing.pem").string();
  EXPECT_THAT(LoadOrCreateTlsIdentity(own, now_).status().message(),
              StartsWith("cannot read " + own.key_file));
  own.key_file.clear();
  EXPECT_THAT(LoadOrCreateTlsIdentity(own, now_).status().message(),
              HasSubstr("give both or neither"));
}

// A front end with a plain port and an HTTPS port beside it.
class TlsFrontEndTest : public TlsIdentityTest {
 protected:
  void SetUp() override {
    TlsIdentityTest::SetUp();
    auto identity = LoadOrCreateTlsIdentity(options_, now_);
    ASSERT_TRUE(identity.ok()) << identity.status();
    ca_file_ = identity->ca_file;
    auto started = HttpFrontEnd::Start(
        {.port = 0,
         .tls_port = 0,
         .tls_identity = identity->server,
         .request_deadline = std::chrono::milliseconds(500)},
        [](const HttpRequest& request) {
          return HttpResponse{.body = "served " + request.target};
        },
        [](int status, const std::string& message, const HttpRequest&) {
          return HttpResponse{.status = status,
                              .body = "<Error>" + message + "</Error>"};
        });
    ASSERT_TRUE(started.ok()) << started.status();
    front_end_ = std::move(started).value();
  }

  // A GET over HTTPS with the CA trusted; the body, or the error.
  std::string GetOverTls(const std::string& target) {
    httplib::SSLClient client("127.0.0.1", front_end_->tls_port());
    client.set_ca_cert_path(ca_file_);
    client.enable_server_certificate_verification(true);
    auto result = client.Get(target);
    return result ? result->body
                  : "error " + httplib::to_string(result.error());
  }

  std::string ca_file_;
  std::unique_ptr<HttpFrontEnd> front_end_;
};

TEST_F(TlsFrontEndTest, ServesHttpsBesidePlainHttp) {
  EXPECT_EQ(GetOverTls("/over-tls"), "served /over-tls");
  httplib::Client plain("127.0.0.1", front_end_->port());
  auto result = plain.Get("/plain");
  ASSERT_TRUE(result);
  EXPECT_EQ(result->body, "served /plain");
}

TEST_F(TlsFrontEndTest, APlainRequestOnTheHttpsPortIsToldSo) {
  RawConnection connection(front_end_->tls_port());
  ASSERT_TRUE(connection.Send("GET / HTTP/1.1\r\nHost: e\r\n\r\n"));
  const std::string answer = connection.ReadToClose();
  EXPECT_THAT(answer, StartsWith("HTTP/1.1 400"));
  EXPECT_THAT(answer, HasSubstr("This port speaks HTTPS"));
  EXPECT_EQ(GetOverTls("/after"), "served /after");
}

TEST_F(TlsFrontEndTest, ATlsHandshakeOnThePlainPortIsRefused) {
  httplib::SSLClient confused("127.0.0.1", front_end_->port());
  confused.set_ca_cert_path(ca_file_);
  confused.set_read_timeout(2, 0);
  EXPECT_FALSE(confused.Get("/x"));
  // The ClientHello is no HTTP request: a 400, then the close.
  RawConnection hello(front_end_->port());
  ASSERT_TRUE(hello.Send(std::string("\x16\x03\x01\x00\x05hello", 10)));
  EXPECT_THAT(hello.ReadToClose(), StartsWith("HTTP/1.1 400"));
  httplib::Client plain("127.0.0.1", front_end_->port());
  auto result = plain.Get("/after");
  ASSERT_TRUE(result);
  EXPECT_EQ(result->body, "served /after");
}

TEST_F(TlsFrontEndTest, ABrokenOrStalledHandshakeHarmsNobodyElse) {
  RawConnection stalled(front_end_->tls_port());  // sends nothing
  RawConnection half(front_end_->tls_port());     // a record header only
  ASSERT_TRUE(half.Send(std::string("\x16\x03\x01\x02\x00", 5)));
  RawConnection broken(front_end_->tls_port());
  ASSERT_TRUE(broken.Send(std::string("\x16\x03\x01\x00\x04junk", 9)));
  EXPECT_TRUE(broken.PeerClosed());
  EXPECT_EQ(GetOverTls("/meanwhile"), "served /meanwhile");
  // The request deadline (500 ms here) ends the ones that never finish.
  EXPECT_TRUE(stalled.PeerClosed());
  EXPECT_TRUE(half.PeerClosed());
}

TEST_F(TlsFrontEndTest, AClientThatDoesNotTrustTheCaClosesOnlyItself) {
  httplib::SSLClient untrusting("127.0.0.1", front_end_->tls_port());
  untrusting.enable_server_certificate_verification(true);
  auto result = untrusting.Get("/x");
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error(), httplib::Error::SSLServerVerification);
  EXPECT_EQ(GetOverTls("/after"), "served /after");
}

}  // namespace
}  // namespace mns::emulator
