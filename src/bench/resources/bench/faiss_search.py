"""Anchor for `streamvec-bench search`: FAISS (Debian's python3-faiss) on the same vectors and queries.

Arguments: vectors file, queries file (both raw little-endian float32, row-major, unit rows), dimension, k,
threads, which indexes (comma-separated: flat, hnsw), HNSW efSearch. Prints one JSON line per index: build seconds,
single-query latencies (one search call per query, in order) p50/p99 in ms, queries/s of one batched call, and
the ids each query found (row numbers)."""
import json
import sys
import time

import faiss
import numpy as np

vectors_path, queries_path, dim, k, threads, kinds, ef_search = sys.argv[1:8]
dim, k, threads, ef_search = int(dim), int(k), int(threads), int(ef_search)
faiss.omp_set_num_threads(threads)
xb = np.fromfile(vectors_path, dtype="<f4").reshape(-1, dim)
xq = np.fromfile(queries_path, dtype="<f4").reshape(-1, dim)


def measure(name, index, build_seconds, bytes_per_vector):
    index.search(xq[:1], k)  # warm-up
    latencies = []
    found = []
    for i in range(len(xq)):
        started = time.perf_counter()
        _, ids = index.search(xq[i:i + 1], k)
        latencies.append((time.perf_counter() - started) * 1000)
        found.append([int(x) for x in ids[0]])
    started = time.perf_counter()
    index.search(xq, k)
    batch_seconds = time.perf_counter() - started
    print(json.dumps({
        "index": name,
        "build_seconds": build_seconds,
        "p50_ms": float(np.percentile(latencies, 50)),
        "p99_ms": float(np.percentile(latencies, 99)),
        "batch_qps": len(xq) / batch_seconds,
        "bytes_per_vector": bytes_per_vector,
        "ids": found,
    }), flush=True)


for kind in kinds.split(","):
    started = time.perf_counter()
    if kind == "flat":
        index = faiss.IndexFlatIP(dim)
        index.add(xb)
        measure("IndexFlatIP", index, time.perf_counter() - started, 4 * dim)
    elif kind == "hnsw":
        index = faiss.IndexHNSWFlat(dim, 32, faiss.METRIC_INNER_PRODUCT)
        index.add(xb)
        index.hnsw.efSearch = ef_search
        build = time.perf_counter() - started
        measure("IndexHNSWFlat M=32 efSearch=%d" % ef_search, index, build,
                len(faiss.serialize_index(index)) / index.ntotal)
    else:
        raise SystemExit("unknown index kind " + kind)
    del index
