"""Cold start for `make bench`: starts the server command given after the port and the path, and
asks GET http://127.0.0.1:PORT/PATH every millisecond until it answers 200. Prints
"<milliseconds from exec to the first 200> <pid>" and leaves the server running (its output goes
to the file named by $COLDSTART_LOG). Gives up after 30 seconds.
usage: coldstart.py PORT PATH COMMAND ARGS..."""
import http.client
import os
import subprocess
import sys
import time

port, path, cmd = int(sys.argv[1]), sys.argv[2], sys.argv[3:]
log = open(os.environ["COLDSTART_LOG"], "w")
t0 = time.monotonic()
proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
while time.monotonic() - t0 < 30:
    if proc.poll() is not None:
        sys.exit("coldstart: the server exited with status %d" % proc.returncode)
    try:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
        conn.request("GET", path)
        if conn.getresponse().status == 200:
            print("%.1f %d" % ((time.monotonic() - t0) * 1000, proc.pid))
            sys.exit(0)
    except OSError:
        pass
    time.sleep(0.001)
proc.terminate()
sys.exit("coldstart: no answer within 30 s")
