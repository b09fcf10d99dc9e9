// Starting a built program from a test or the conformance runner: argv as
// given, stdout and stderr to files, and a bounded wait for its exit.
// Header-only, POSIX.
#ifndef MNS_CLIENT_COMMON_TESTING_SUBPROCESS_H_
#define MNS_CLIENT_COMMON_TESTING_SUBPROCESS_H_

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "mns/common/status.h"

extern char** environ;

namespace mns::testutil {

// Starts args[0] with `args`, in this process's environment; stdout goes to
// `out_path` and stderr to `err_path` (the same path: both to one file).
inline StatusOr<pid_t> Spawn(std::vector<std::string> args,
                             const std::string& out_path,
                             const std::string& err_path) {
  std::vector<char*> argv;
  for (auto& arg : args) argv.push_back(arg.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t files;
  posix_spawn_file_actions_init(&files);
  constexpr int kFlags = O_WRONLY | O_CREAT | O_TRUNC;
  posix_spawn_file_actions_addopen(&files, 1, out_path.c_str(), kFlags, 0644);
  if (err_path == out_path) {
    posix_spawn_file_actions_adddup2(&files, 1, 2);
  } else {
    posix_spawn_file_actions_addopen(&files, 2, err_path.c_str(), kFlags, 0644);
  }
  pid_t pid = 0;
  const int error =
      posix_spawn(&pid, argv[0], &files, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&files);
  if (error != 0) {
    return Status(StatusCode::kUnavailable,
                  "cannot start " + args[0] + ": " + std::strerror(error));
  }
  return pid;
}

// The exit status (128 + signal if it was killed), or nullopt — after
// killing it — if it is still running after `limit`.
inline std::optional<int> WaitForExit(pid_t pid, std::chrono::seconds limit) {
  const auto give_up = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < give_up) {
    int status = 0;
    if (waitpid(pid, &status, WNOHANG) == pid) {
      return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  kill(pid, SIGKILL);
  waitpid(pid, nullptr, 0);
  return std::nullopt;
}

}  // namespace mns::testutil

#endif  // MNS_CLIENT_COMMON_TESTING_SUBPROCESS_H_
