"""Quality and speed of the chat assistant, through the hub's POST /api/chat/.

    uv run python bench/chat_quality.py                 # against a running `make up`
    uv run python bench/chat_quality.py --hub URL
    uv run python bench/chat_quality.py --start         # starts Rasa + a hub itself

Scores the held-out set bench/data/chat_heldout.yaml (questions written apart from
the training paraphrases): top-1 FAQ accuracy, the share of out-of-scope questions
that get the fallback, and /api/chat/ latency p50/p95. Targets: >= 95 %, >= 90 %,
p95 <= 50 ms.
"""

from __future__ import annotations

import argparse
import contextlib
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

import requests
import yaml

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
HELDOUT = REPO / "bench" / "data" / "chat_heldout.yaml"
TRAINING = REPO / "chatbot" / "data" / "nlu"


def training_examples() -> set[str]:
    examples = set()
    for path in TRAINING.glob("*.yml"):
        for block in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("nlu", []):
            examples.update(line[2:].strip() for line in block.get("examples", "").splitlines())
    return examples


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q / 100 * (len(ordered) - 1))))]


def ask(session: requests.Session, hub: str, message: str) -> tuple[dict, float]:
    started = time.perf_counter()
    response = session.post(f"{hub}/api/chat/", timeout=10,
                            json={"sender": f"bench-{uuid.uuid4().hex}", "message": message})
    elapsed = (time.perf_counter() - started) * 1000
    response.raise_for_status()
    return response.json(), elapsed


@contextlib.contextmanager
def started_stack():
    from tests.chatbot.rasa_stack import RasaStack, ensure_model
    from tests.support.hub import HubProcess

    ensure_model()
    with tempfile.TemporaryDirectory() as tmp:
        with RasaStack(Path(tmp)) as rasa:
            hub_dir = Path(tmp) / "hub"
            hub_dir.mkdir()
            with HubProcess(hub_dir, env={"RASA_URL": rasa.url, "CHAT_RATE_LIMIT": "0"}) as hub:
                yield hub.url


def run(hub: str) -> int:
    data = yaml.safe_load(HELDOUT.read_text(encoding="utf-8"))
    seen = training_examples()
    overlap = [q for qs in data["faq"].values() for q in qs if q in seen]
    overlap += [q for q in data["out_of_scope"] if q in seen]
    session = requests.Session()
    for _ in range(5):  # warm up connections and Rasa
        ask(session, hub, "こんにちは")

    latencies: list[float] = []
    by_kind: dict[str, list[float]] = {"faq": [], "out_of_scope": []}
    faq_total = faq_right = 0
    misses: list[str] = []
    for key, questions in data["faq"].items():
        for question in questions:
            body, ms = ask(session, hub, question)
            latencies.append(ms)
            by_kind["faq"].append(ms)
            faq_total += 1
            got = body["replies"][0]["faq_id"] if body["replies"] else None
            if got == key:
                faq_right += 1
            else:
                misses.append(f"  {key:16} <- {question}  => {got or body['intent']}"
                              f" ({body['confidence']:.2f})")
    oos_total = oos_fallback = 0
    wrong_answers: list[str] = []
    for question in data["out_of_scope"]:
        body, ms = ask(session, hub, question)
        latencies.append(ms)
        by_kind["out_of_scope"].append(ms)
        oos_total += 1
        answered = [r["faq_id"] for r in body["replies"] if r["faq_id"]]
        if not answered and body["intent"] in {"nlu_fallback", "out_of_scope"}:
            oos_fallback += 1
        else:
            wrong_answers.append(f"  {question}  => {answered[0] if answered else body['intent']}"
                                 f" ({body['confidence']:.2f})")

    print(f"held-out set: {faq_total} FAQ questions ({len(data['faq'])} topics), "
          f"{oos_total} out-of-scope; verbatim in training data: {len(overlap)}")
    if misses:
        print("FAQ misses:\n" + "\n".join(misses))
    if wrong_answers:
        print("out-of-scope questions answered anyway:\n" + "\n".join(wrong_answers))
    accuracy = 100 * faq_right / faq_total
    fallback = 100 * oos_fallback / oos_total
    p50, p95 = statistics.median(latencies), percentile(latencies, 95)
    print(f"top-1 FAQ accuracy:        {accuracy:5.1f} %  ({faq_right}/{faq_total}; target >= 95 %)")
    print(f"out-of-scope fallback:     {fallback:5.1f} %  ({oos_fallback}/{oos_total}; target >= 90 %)")
    print(f"/api/chat/ latency:        p50 {p50:.1f} ms, p95 {p95:.1f} ms  "
          f"({len(latencies)} requests; target p95 <= 50 ms)")
    for kind, values in by_kind.items():
        print(f"  {kind:24} p50 {statistics.median(values):.1f} ms, p95 {percentile(values, 95):.1f} ms")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--hub", default="http://127.0.0.1:8000", help="the hub's base URL")
    parser.add_argument("--start", action="store_true", help="start Rasa and a hub for the run")
    args = parser.parse_args()
    if args.start:
        with started_stack() as hub:
            return run(hub)
    return run(args.hub.rstrip("/"))


if __name__ == "__main__":
    sys.exit(main())
