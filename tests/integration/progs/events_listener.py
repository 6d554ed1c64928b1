"""An event listener built on Debian's supervisor.childutils, for
test_events.py.  argv: <record file> [mode]; every event received is
appended to the record file as one JSON line {headers, payload, pid}.

mode: ok (default) -- answer OK
      failfirst    -- answer FAIL to the first event ever seen (across
                      restarts: a marker file next to the record), then OK
      crashfirst   -- exit(1) without answering on the first event ever
                      seen, then OK
      slow         -- sleep 0.5 s before answering OK
"""
import json
import os
import sys
import time

from supervisor import childutils


def main():
    record = sys.argv[1]
    mode = sys.argv[2] if len(sys.argv) > 2 else "ok"
    marker = record + ".first"
    while True:
        headers, payload = childutils.listener.wait(sys.stdin, sys.stdout)
        with open(record, "a") as f:
            f.write(json.dumps({"headers": headers, "payload": payload,
                                "pid": os.getpid()}) + "\n")
        first = not os.path.exists(marker)
        if first:
            open(marker, "w").close()
        if mode == "failfirst" and first:
            childutils.listener.fail(sys.stdout)
        elif mode == "crashfirst" and first:
            os._exit(1)
        else:
            if mode == "slow":
                time.sleep(0.5)
            childutils.listener.ok(sys.stdout)


if __name__ == "__main__":
    main()
