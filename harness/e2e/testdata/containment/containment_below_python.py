# SUMMARY: connects to another host with libc's connect(2) through ctypes, below Python's audit hook
# EXERCISES: containment (harness/e2e/containment_e2e_test.cc): the runs' network namespace has loopback only

import ctypes
import os
import socket
import struct

host, port = os.environ["DSPY_COMPAT_TEST_LISTENER"].rsplit(":", 1)
libc = ctypes.CDLL(None, use_errno=True)
fd = libc.socket(socket.AF_INET, socket.SOCK_STREAM, 0)
# struct sockaddr_in: family in host order, port and address in network order.
address = struct.pack("=H", socket.AF_INET) + struct.pack("!H", int(port)) + \
    socket.inet_aton(host) + bytes(8)
rc = libc.connect(fd, address, len(address))
if rc == 0:
    message = b"escaped below python\n"
    libc.send(fd, message, len(message), 0)
print("connect:", rc, os.strerror(ctypes.get_errno()) if rc else "connected")
libc.close(fd)
