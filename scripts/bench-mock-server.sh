#!/usr/bin/env bash
# Benchmarks the mock LM server against WireMock standalone and a minimal Python http.server
# mock, in one run, on loopback: wrk at 64 connections POSTs the same DSPy ChainOfThought chat
# completion to each, and each answers with the same bytes (WireMock and Python serve our
# server's answer as a canned stub; ours computes it per request and journals it). Prints
# requests per second and p50/p99 latency per server, and the ratios.
#   scripts/bench-mock-server.sh              20 s per server
#   DURATION=60 THREADS=1 scripts/bench-mock-server.sh
# Needs wrk and a Java runtime (installed with apt-get when missing) and downloads the WireMock
# jar from Maven Central once, into the harness cache. Run it on a quiet machine: other load on
# the two cores shows up in the tail latency first.
set -euo pipefail
cd "$(dirname "$0")/.."

duration=${DURATION:-20}
connections=${CONNECTIONS:-64}
wrk_threads=${WRK_THREADS:-2}
server_threads=${THREADS:-2}
wiremock_version=${WIREMOCK_VERSION:-3.13.2}
build=${BUILD_DIR:-build}
cache=${DSPY_COMPAT_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/dspy-compat}/bench
port_ours=${PORT_OURS:-18301}
port_wiremock=${PORT_WIREMOCK:-18302}
port_python=${PORT_PYTHON:-18303}

need_apt=()
command -v wrk >/dev/null || need_apt+=(wrk)
command -v java >/dev/null || need_apt+=(default-jre-headless)
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "bench: installing ${need_apt[*]}"
  sudo_cmd=""
  [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends \
    "${need_apt[@]}" >/dev/null
fi

mkdir -p "$cache"
jar="$cache/wiremock-standalone-$wiremock_version.jar"
if [ ! -f "$jar" ]; then
  url="https://repo1.maven.org/maven2/org/wiremock/wiremock-standalone/$wiremock_version/wiremock-standalone-$wiremock_version.jar"
  echo "bench: downloading WireMock $wiremock_version from Maven Central"
  curl -sSfL -o "$jar.part" "$url"
  expected=$(curl -sSfL "$url.sha1" | cut -c1-40)
  actual=$(sha1sum "$jar.part" | cut -d' ' -f1)
  [ "$expected" = "$actual" ] || { echo "bench: checksum mismatch for $url" >&2; exit 3; }
  mv "$jar.part" "$jar"
fi

if [ -z "${BIN:-}" ]; then
  [ -f "$build/build.ninja" ] || cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
  cmake --build "$build" --target dspy-compat >/dev/null
  BIN="$build/harness/cli/dspy-compat"
fi

work=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

request=harness/mock_server/testdata/dspy2540_cot_question_answer.json
cat > "$work/post.lua" <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
local f = io.open("$PWD/$request")
wrk.body = f:read("*a")
f:close()
LUA

wait_for() {  # url
  for _ in $(seq 1 300); do
    curl -s -o /dev/null -X POST -H 'Content-Type: application/json' --data-binary "@$request" "$1" && return 0
    sleep 0.1
  done
  echo "bench: $1 did not come up" >&2
  return 1
}

stop() {  # pid
  kill "$1" 2>/dev/null || true
  wait "$1" 2>/dev/null || true
}

measure() {  # name url warmup_seconds
  local name=$1 url=$2 warmup=$3
  wrk -t"$wrk_threads" -c"$connections" -d"${warmup}s" -s "$work/post.lua" "$url" >/dev/null
  wrk -t"$wrk_threads" -c"$connections" -d"${duration}s" --latency -s "$work/post.lua" "$url" \
    >"$work/$name.wrk"
  local errors
  errors=$(grep -E "Non-2xx|Socket errors" "$work/$name.wrk" || true)
  [ -z "$errors" ] || echo "bench: $name: $errors" >&2
}

echo "bench: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg); wrk -t$wrk_threads -c$connections, ${duration}s per server"

# Ours: the real DSPy-aware answer, computed and journaled per request.
"$BIN" mock-server --port "$port_ours" --threads "$server_threads" >"$work/ours.log" 2>&1 &
pid=$!; pids+=("$pid")
wait_for "http://127.0.0.1:$port_ours/v1/chat/completions"
# The stub the others serve: our answer to this request, byte for byte.
curl -s -X POST -H 'Content-Type: application/json' --data-binary "@$request" \
  "http://127.0.0.1:$port_ours/v1/chat/completions" >"$work/answer.json"
measure ours "http://127.0.0.1:$port_ours/v1/chat/completions" 5
stop "$pid"

# WireMock standalone, one stub mapping, default settings (request journal on, as ours).
mkdir -p "$work/wiremock/mappings"
python3 - "$work/answer.json" "$work/wiremock/mappings/chat.json" <<'PY'
import json, sys
body = open(sys.argv[1]).read()
json.dump({"request": {"method": "POST", "urlPath": "/v1/chat/completions"},
           "response": {"status": 200, "headers": {"Content-Type": "application/json"},
                        "body": body}}, open(sys.argv[2], "w"))
PY
java -jar "$jar" --port "$port_wiremock" --bind-address 127.0.0.1 --root-dir "$work/wiremock" \
  --disable-banner >"$work/wiremock.log" 2>&1 &
pid=$!; pids+=("$pid")
wait_for "http://127.0.0.1:$port_wiremock/v1/chat/completions"
measure wiremock "http://127.0.0.1:$port_wiremock/v1/chat/completions" 15  # let the JIT settle
stop "$pid"

# A minimal Python mock: http.server, a thread per connection, keep-alive, the canned answer.
cat >"$work/python_mock.py" <<'PY'
import http.server, sys
BODY = open(sys.argv[2], "rb").read()
class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(BODY)))
        self.end_headers()
        self.wfile.write(BODY)
    def log_message(self, *args):
        pass
http.server.ThreadingHTTPServer.request_queue_size = 128
http.server.ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Handler).serve_forever()
PY
python3 "$work/python_mock.py" "$port_python" "$work/answer.json" >"$work/python.log" 2>&1 &
pid=$!; pids+=("$pid")
wait_for "http://127.0.0.1:$port_python/v1/chat/completions"
measure python "http://127.0.0.1:$port_python/v1/chat/completions" 5
stop "$pid"

python3 - "$work" "$server_threads" <<'PY'
import re, sys
work, threads = sys.argv[1], sys.argv[2]
def ms(text):
    value, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[unit]
rows = {}
for name in ("ours", "wiremock", "python"):
    out = open(f"{work}/{name}.wrk").read()
    try:
        rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
        p50 = ms(re.search(r"^\s+50%\s+(\S+)", out, re.M).group(1))
        p99 = ms(re.search(r"^\s+99%\s+(\S+)", out, re.M).group(1))
    except (AttributeError, ValueError):
        sys.exit(f"bench: cannot read wrk's output for {name}:\n{out}")
    rows[name] = (rps, p50, p99)
labels = {"ours": f"dspy-compat mock-server (--threads {threads})",
          "wiremock": "WireMock standalone (stub)", "python": "Python http.server (stub)"}
print(f"{'server':<42} {'req/s':>10} {'p50 ms':>8} {'p99 ms':>8}")
for name, (rps, p50, p99) in rows.items():
    print(f"{labels[name]:<42} {rps:>10.0f} {p50:>8.2f} {p99:>8.2f}")
ours = rows["ours"]
for name in ("wiremock", "python"):
    rps, p50, p99 = rows[name]
    print(f"ours vs {name}: {ours[0] / rps:.1f}x the throughput, "
          f"p99 {ours[2]:.2f} ms vs {p99:.2f} ms")
print(f"goals: >= 5x WireMock's throughput: {'met' if ours[0] >= 5 * rows['wiremock'][0] else 'NOT met'}; "
      f"p99 under 2 ms: {'met' if ours[2] < 2 else 'NOT met'}")
PY
