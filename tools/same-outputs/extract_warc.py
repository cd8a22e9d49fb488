#!/usr/bin/env python3
"""Write the HTTP payload of every `response` record of WARC files into a folder.

Standard library only. Each payload is written as served, minus its Content-Encoding (gzip or
deflate) and chunking, the bytes a browser would save; the file name is the record's position
and the URL's last segment, so runs are stable. Used by tools/same-outputs/run.sh.

usage: extract_warc.py OUT_DIR FILE.warc.gz...
"""
import gzip
import io
import os
import re
import sys
import zlib


def records(path):
    with gzip.open(path, "rb") as f:
        while True:
            line = f.readline()
            if not line:
                return
            if not line.startswith(b"WARC/"):
                continue
            headers = {}
            while True:
                h = f.readline()
                if h in (b"\r\n", b"\n", b""):
                    break
                k, _, v = h.decode("utf-8", "replace").partition(":")
                headers[k.strip().lower()] = v.strip()
            block = f.read(int(headers.get("content-length", "0")))
            yield headers, block


def dechunk(body):
    out, i = bytearray(), 0
    while True:
        j = body.find(b"\r\n", i)
        if j < 0:
            return bytes(out)
        size = int(body[i:j].split(b";")[0] or b"0", 16)
        if size == 0:
            return bytes(out)
        out += body[j + 2 : j + 2 + size]
        i = j + 2 + size + 2


def payload(block):
    end = block.find(b"\r\n\r\n")
    head, body = block[:end].decode("latin-1"), block[end + 4 :]
    fields = {}
    for line in head.split("\r\n")[1:]:
        k, _, v = line.partition(":")
        fields[k.strip().lower()] = v.strip().lower()
    if "chunked" in fields.get("transfer-encoding", ""):
        body = dechunk(body)
    enc = fields.get("content-encoding", "")
    if enc in ("gzip", "x-gzip"):
        body = gzip.GzipFile(fileobj=io.BytesIO(body)).read()
    elif enc == "deflate":
        try:
            body = zlib.decompress(body)
        except zlib.error:
            body = zlib.decompress(body, -15)
    return body


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    n = 0
    for path in sys.argv[2:]:
        for headers, block in records(path):
            if headers.get("warc-type") != "response":
                continue
            url = headers.get("warc-target-uri", "")
            if url.endswith("robots.txt"):
                continue
            n += 1
            tail = re.sub(r"[^A-Za-z0-9._-]", "_", url.rstrip("/").rsplit("/", 1)[-1])[:60]
            with open(os.path.join(out, f"{n:04d}-{tail or 'index'}"), "wb") as f:
                f.write(payload(block))
    print(f"{n} payloads", file=sys.stderr)


if __name__ == "__main__":
    main()
