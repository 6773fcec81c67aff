"""The "other host" of harness/e2e/containment_e2e_test.cc: a TCP listener the
test runs inside a network namespace of its own. Every connection it accepts
is logged as one line (the peer and the first bytes received), so the test can
tell that no scenario reached it.

    python3 containment_listener.py --bind ADDR --port PORT --log FILE --ready FILE
"""

import argparse
import os
import socket


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--bind", required=True)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--log", required=True)
    parser.add_argument("--ready", required=True)
    args = parser.parse_args()
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.bind((args.bind, args.port))
    server.listen(16)
    with open(args.ready + ".tmp", "w") as f:
        f.write("ready\n")
    os.replace(args.ready + ".tmp", args.ready)
    while True:
        conn, peer = server.accept()
        conn.settimeout(2)
        try:
            data = conn.recv(200)
        except OSError:
            data = b""
        with open(args.log, "a") as f:
            f.write("connection from %s: %r\n" % (peer[0], data[:80]))
        conn.close()


if __name__ == "__main__":
    main()
