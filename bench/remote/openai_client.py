"""The peer of `npm run bench -- remote`: the official OpenAI Python client streaming the same chat requests.

Reads one JSON request body per line on stdin (as PathoLens sends them, the region already a PNG data URL), streams
it against BASE_URL and prints one JSON line per request: time to first token and tokens per second (pieces after
the first over the time after the first), the same definitions PathoLens's TokenClock uses. One process for the
whole run, so the bench can alternate it request by request with PathoLens's client.
"""
import json
import sys
import time

from openai import OpenAI


def main() -> int:
    base_url = sys.argv[1]
    client = OpenAI(base_url=base_url, api_key="none", max_retries=0)
    for line in sys.stdin:
        if not line.strip():
            continue
        body = json.loads(line)
        started = time.perf_counter()
        first = last = None
        pieces = 0
        stream = client.chat.completions.create(
            model=body["model"],
            messages=body["messages"],
            stream=True,
            max_tokens=body["max_tokens"],
            temperature=body["temperature"],
        )
        for chunk in stream:
            delta = chunk.choices[0].delta if chunk.choices else None
            if delta is None:
                continue
            text = (delta.content or "") + (getattr(delta, "reasoning_content", None) or "")
            if not text:
                continue
            now = time.perf_counter()
            if first is None:
                first = now
            last = now
            pieces += 1
        ttft = None if first is None else (first - started) * 1000
        rate = (pieces - 1) / (last - first) if pieces > 1 and last > first else None
        print(json.dumps({"ttftMs": ttft, "tokensPerSecond": rate, "tokens": pieces, "totalMs": (time.perf_counter() - started) * 1000}), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
