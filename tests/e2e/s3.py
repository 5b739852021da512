"""An S3-compatible server for the tests' Pulumi state: moto's server, from PyPI, on loopback.

Teams keep their state in a bucket, where the engine's locks, concurrent runs
and crashes behave as the bucket makes them; this puts the same DIY backend
(``pulumi login s3://...``) under the tests. moto rather than MinIO: it is a
pip install in the dev extra (nothing to build, no Go module to vendor), and
it speaks the S3 API the engine's gocloud driver uses (put, get, list, delete).
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import boto3
import httpx

__all__ = ["S3Server", "s3_server"]

BUCKET = "voiceos-state"
CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_REGION": "us-east-1",
    "AWS_DEFAULT_REGION": "us-east-1",
}


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class S3Server:
    endpoint: str
    process: subprocess.Popen[bytes]

    @property
    def env(self) -> dict[str, str]:
        """The environment the CLI needs for this backend (dummy credentials: moto accepts any); the
        tests log in to the bucket with the README's ``pulumi login`` command."""
        return dict(CREDENTIALS)

    def client(self) -> Any:
        return boto3.client("s3", endpoint_url=self.endpoint, region_name="us-east-1", **_boto_credentials())

    def objects(self) -> dict[str, bytes]:
        """Every object in the bucket, by key."""
        s3 = self.client()
        found: dict[str, bytes] = {}
        for page in s3.get_paginator("list_objects_v2").paginate(Bucket=BUCKET):
            for item in page.get("Contents", []):
                found[item["Key"]] = s3.get_object(Bucket=BUCKET, Key=item["Key"])["Body"].read()
        return found

    def locks(self) -> list[str]:
        return [key for key in self.objects() if key.startswith(".pulumi/locks/")]


def _boto_credentials() -> dict[str, str]:
    return {
        "aws_access_key_id": CREDENTIALS["AWS_ACCESS_KEY_ID"],
        "aws_secret_access_key": CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
    }


def _start(port: int) -> subprocess.Popen[bytes] | None:
    """moto's server on ``port``, once it answers as moto; None if it exited first (the port was taken
    since it was found free: another worker of a parallel run may have bound it)."""
    process = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, **CREDENTIALS},
    )
    deadline = time.monotonic() + 30
    while process.poll() is None:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/moto-api/", timeout=1).status_code == 200:
                return process
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline:
            _stop(process)
            raise RuntimeError(f"moto's S3 server did not start on port {port} in 30 s")
        time.sleep(0.1)
    return None


def _stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@contextmanager
def s3_server() -> Iterator[S3Server]:
    """A moto server with the state bucket, stopped (and its data gone) at the end."""
    for _ in range(5):
        port = _free_port()
        process = _start(port)
        if process is not None:
            break
    else:
        raise RuntimeError("moto's S3 server exited at start on 5 free ports in a row")
    try:
        server = S3Server(f"http://127.0.0.1:{port}", process)
        server.client().create_bucket(Bucket=BUCKET)
        yield server
    finally:
        _stop(process)
