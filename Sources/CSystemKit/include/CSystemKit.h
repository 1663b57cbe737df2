#ifndef CSYSTEMKIT_H
#define CSYSTEMKIT_H

// GNU extensions Swift's Glibc module does not expose (it is imported without _GNU_SOURCE).
#include <spawn.h>

// pipe2(fds, O_CLOEXEC): both ends close-on-exec from the start, so a concurrent spawn never inherits them.
int csystemkit_pipe_cloexec(int fds[2]);
// posix_spawn_file_actions_addchdir_np (glibc 2.29+): the child starts in `path`.
int csystemkit_spawn_addchdir(posix_spawn_file_actions_t *actions, const char *path);

#endif
