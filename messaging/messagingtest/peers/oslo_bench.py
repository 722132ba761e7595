"""oslo.messaging client load generator for the benchmarks.

usage: oslo_bench.py URL EXCHANGE TOPIC CONCURRENCY SECONDS [call|cast]
Runs CONCURRENCY threads calling "echo" (or casting "none") against the
topic for SECONDS after a short warm-up, then prints "RESULT {"ops": n, "seconds": s, "per_sec": r, "p50_ms": .., "p99_ms": ..}".
"""
import sys
import threading
import time

import oslo_messaging

import common


def main():
    url, exchange, topic = sys.argv[1:4]
    conc, seconds = int(sys.argv[4]), float(sys.argv[5])
    mode = sys.argv[6] if len(sys.argv) > 6 else "call"
    conf = common.make_conf(exchange)
    tr = common.transport(conf, url)
    client = oslo_messaging.get_rpc_client(tr, oslo_messaging.Target(topic=topic), timeout=30)
    payload = {"node_id": "1be26c0b-03f2-4d2e-ae87-c02d7f33c123", "driver_name": "fake-hardware"}

    def one():
        if mode == "call":
            client.call({}, "echo", **payload)
        else:
            client.cast({}, "none", **payload)

    for _ in range(20):  # warm-up: connections, reply queue
        one()
    lat = []
    lock = threading.Lock()
    stop = time.monotonic() + seconds
    count = [0]

    def worker():
        mine = []
        while time.monotonic() < stop:
            t0 = time.perf_counter()
            one()
            mine.append(time.perf_counter() - t0)
        with lock:
            lat.extend(mine)
            count[0] += len(mine)

    start = time.monotonic()
    threads = [threading.Thread(target=worker) for _ in range(conc)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - start
    lat.sort()
    pct = lambda p: lat[min(len(lat) - 1, int(len(lat) * p))] * 1000 if lat else 0
    common.emit("RESULT", {"ops": count[0], "seconds": elapsed, "per_sec": count[0] / elapsed,
                           "p50_ms": pct(0.50), "p99_ms": pct(0.99)})
    tr.cleanup()
    print("DONE", flush=True)


if __name__ == "__main__":
    main()
