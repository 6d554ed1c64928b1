/* supervisord: run a set of programs as a process control daemon. */
#include "daemon.h"

int
main(int argc, char **argv)
{
	return daemon_main(argc, argv);
}
