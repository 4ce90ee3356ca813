"""Offline checks of the deployment files: no Docker engine runs where the tests do.

`docker-compose.yml` is validated against the Compose specification's JSON schema (vendored
by check-jsonschema) and against the code: the commands it runs exist, the settings it passes
are ones clausebot reads, its volumes are declared. The Dockerfile's commands are checked the
same way.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import yaml

from bot.cli import build_parser
from retrieval.settings import ENVIRONMENT


def _command_problem(command: list[str] | str, where: str) -> str | None:
    if isinstance(command, str):
        command = command.split()
    if command and command[0] == "CMD":
        command = command[1:]
    if not command or command[0] != "clausebot":
        return f"{where}: runs {command!r}, not the clausebot console script"
    try:
        build_parser().parse_args(command[1:])
    except SystemExit:
        return f"{where}: `{' '.join(command)}` is not a valid clausebot command"
    return None


SUPPORT_IMAGES = {"postgres", "nginx"}


def schema_problems(compose: Path) -> list[str]:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "check_jsonschema",
            "--builtin-schema",
            "vendor.compose-spec",
            "-o",
            "text",
            str(compose),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    return [] if result.returncode == 0 else [result.stdout + result.stderr]


def compose_problems(compose: Path) -> list[str]:
    problems = schema_problems(compose)
    try:
        spec = yaml.safe_load(compose.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        return [*problems, f"not YAML: {exc}"]
    if not isinstance(spec, dict):
        return [*problems, "not a mapping"]
    services = spec.get("services") or {}
    declared = set((spec.get("volumes") or {}).keys())
    for name in ("bot", "index"):
        if name not in services:
            problems.append(f"service {name!r} is missing")
    for name, service in services.items():
        if not isinstance(service, dict):
            problems.append(f"service {name}: not a mapping")
            continue
        image = str(service.get("image", ""))
        if image and not image.startswith("clausebot") and "build" not in service:
            # a service of its own image (PostgreSQL, the proxy): official images only
            if image.split(":")[0] not in SUPPORT_IMAGES:
                problems.append(f"service {name}: image {image} is not an official one")
            for volume in service.get("volumes") or []:
                source = volume.get("source", "") if isinstance(volume, dict) else volume
                source = source.split(":")[0]
                if not source.startswith((".", "/")) and source not in declared:
                    problems.append(f"service {name}: volume {source!r} is not declared")
                elif source.startswith(".") and not (compose.parent / source).exists():
                    problems.append(f"service {name}: {source} does not exist")
            continue
        problem = _command_problem(service.get("command", []), f"service {name}")
        if problem:
            problems.append(problem)
        for key in service.get("environment") or {}:
            if key not in ENVIRONMENT:
                problems.append(f"service {name}: sets {key}, which clausebot does not read")
        corpus_ro = False
        for volume in service.get("volumes") or []:
            if isinstance(volume, str):
                source, target = volume.split(":")[:2]
                read_only = volume.endswith(":ro")
            else:
                source, target = volume.get("source", ""), volume.get("target", "")
                read_only = bool(volume.get("read_only"))
            if not source.startswith((".", "/")) and source not in declared:
                problems.append(f"service {name}: volume {source!r} is not declared")
            if target == "/data/corpus":
                corpus_ro = read_only and source == "./corpus"
        if not corpus_ro:
            problems.append(f"service {name}: ./corpus is not mounted read-only at /data/corpus")
    bot = services.get("bot", {})
    if isinstance(bot, dict):
        if not bot.get("restart"):
            problems.append("service bot has no restart policy")
        health = (bot.get("healthcheck") or {}).get("test")
        if not health:
            problems.append("service bot has no healthcheck")
        else:
            problem = _command_problem(health, "bot healthcheck")
            if problem:
                problems.append(problem)
        if not any("/data/index" in str(v) for v in bot.get("volumes") or []):
            problems.append("service bot does not mount the index volume")
    return problems


def dockerfile_problems(dockerfile: Path, root: Path) -> list[str]:
    problems: list[str] = []
    text = dockerfile.read_text(encoding="utf-8")
    lines = [
        line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")
    ]
    instructions = [line.split(None, 1)[0].upper() for line in lines]
    if not instructions or instructions[0] not in ("FROM", "ARG"):
        problems.append("does not start with FROM")
    users = [line.split(None, 1)[1] for line in lines if line.upper().startswith("USER ")]
    if not users or users[-1] in ("root", "0"):
        problems.append("does not run as a non-root user")
    for line in lines:
        word, _, rest = line.partition(" ")
        if word.upper() == "CMD":
            problem = _command_problem(json.loads(rest), "CMD")
            if problem:
                problems.append(problem)
        if word.upper() == "HEALTHCHECK":
            command = rest.split("CMD", 1)[1].strip()
            problem = _command_problem(json.loads(command), "HEALTHCHECK")
            if problem:
                problems.append(problem)
        if word.upper() == "COPY":
            for source in rest.split()[:-1]:
                if not source.startswith("--") and not (root / source).exists():
                    problems.append(f"COPY {source}: no such file in the project")
    if not re.search(r"torch==[\d.]+", text):
        problems.append("does not pin the CPU build of torch before the project")
    return problems
