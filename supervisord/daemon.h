/* supervisord's life: generations (start, and again on every SIGHUP
 * restart), privileges, rlimits, logging, daemonizing, the pid file. */
#ifndef CSUP_DAEMON_H
#define CSUP_DAEMON_H

int daemon_main(int argc, char **argv);

#endif
