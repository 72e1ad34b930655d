"""The seed's shape of the endpoint, as a peer for the benchmark: Starlette under uvicorn, bearer auth
(constant-time compare), the report stored as the host's latest snapshot (replace with upsert) in the
same MongoDB-wire server, stamped with the server's clock."""
import datetime
import hmac
import json
import os

from pymongo import MongoClient
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.responses import JSONResponse
from starlette.routing import Route

with open(os.environ["BENCH_TOKENS"]) as f:
    TOKENS = dict(line.split() for line in f if line.strip())
client = MongoClient(os.environ.get("MONGO_URL", "mongodb://127.0.0.1:27017"), maxPoolSize=40)
snapshots = client[os.environ.get("BENCH_DB", "wk_bench_starlette")]["host_health"]


def authorized(request):
    expected = TOKENS.get(request.path_params["host"])
    return expected is not None and hmac.compare_digest(request.headers.get("authorization", ""), "Bearer " + expected)


async def put_host_health(request):
    if not authorized(request):
        return JSONResponse({"error": "unauthorized", "message": "bad token"}, status_code=401)
    try:
        report = json.loads(await request.body())
    except ValueError:
        return JSONResponse({"error": "malformed-json", "message": "body is not JSON"}, status_code=400)
    if not isinstance(report, dict):
        return JSONResponse({"error": "validation-failed", "message": "report must be an object"}, status_code=400)
    host = request.path_params["host"]
    now = datetime.datetime.now(datetime.timezone.utc)
    # pymongo blocks: run it in Starlette's thread pool, as a sync endpoint would be.
    await run_in_threadpool(
        snapshots.replace_one, {"_id": host}, {"_id": host, "receivedAt": now, "report": json.dumps(report)}, upsert=True
    )
    return JSONResponse({"host": host, "receivedAt": now.isoformat()})


app = Starlette(routes=[Route("/v1/host-health/{host}", put_host_health, methods=["PUT"])])
