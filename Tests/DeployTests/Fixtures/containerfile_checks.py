#!/usr/bin/env python3
"""Checks of deploy/Containerfile that a linter does not make, on dockerfile-parse's reading.

    containerfile_checks.py CONTAINERFILE --context DIR

Prints one JSON object: the stages by name, the Debian packages the runtime stage installs,
its user, and the problems found. Exits 1 when there is a problem:
  - the stages are build, then any others, then runtime, last (what a plain build makes);
  - the build stage runs `swift build -c release --static-swift-stdlib`;
  - every file the build copies from the context exists there;
  - the runtime stage ends as a numeric user other than root (Kubernetes' runAsNonRoot can
    only check a number), installs no -dev package, starts Chaperone in exec form (no shell
    in between), and exposes no admin port.
"""
import argparse
import json
import os
import shlex
import sys

from dockerfile_parse import DockerfileParser

ADMIN_PORT = "9090"


def stages(structure):
    """[(name, [instructions])] in order; instructions before the first FROM are dropped."""
    found = []
    for instruction in structure:
        if instruction["instruction"] == "FROM":
            words = instruction["value"].split()
            name = words[2] if len(words) >= 3 and words[1].upper() == "AS" else ""
            found.append((name, []))
        elif found and instruction["instruction"] != "COMMENT":
            found[-1][1].append(instruction)
    return found


def apt_packages(run):
    """The packages of every `apt-get install` in a RUN line."""
    packages = []
    for command in run.replace("&&", ";").split(";"):
        words = shlex.split(command)
        if words[:2] == ["apt-get", "install"]:
            packages += [word for word in words[2:] if not word.startswith("-")]
    return packages


def is_exec_form(value):
    try:
        return isinstance(json.loads(value), list)
    except ValueError:
        return False


def check(path, context):
    with open(path, "rb") as file:
        parser = DockerfileParser(fileobj=file)
        structure = parser.structure
    found = stages(structure)
    names = [name for name, _ in found]
    problems = []
    if not names or names[0] != "build" or names[-1] != "runtime":
        problems.append("stages must be build first and runtime last, found %s" % names)
    by_name = dict(found)

    build = by_name.get("build", [])
    runs = [i["value"] for i in build if i["instruction"] == "RUN"]
    if not any("swift build -c release --static-swift-stdlib" in run for run in runs):
        problems.append("the build stage does not run swift build -c release "
                        "--static-swift-stdlib")
    for name, instructions in found:
        for instruction in instructions:
            if instruction["instruction"] not in ("COPY", "ADD"):
                continue
            words = shlex.split(instruction["value"])
            if any(word.startswith("--from") for word in words):
                continue
            for source in [word for word in words if not word.startswith("--")][:-1]:
                if not os.path.exists(os.path.join(context, source)):
                    problems.append("line %d: %s copies %s, which the context lacks"
                                    % (instruction["startline"] + 1, name, source))

    runtime = by_name.get("runtime", [])
    users = [i for i in runtime if i["instruction"] == "USER"]
    user = users[-1]["value"].strip() if users else None
    if user is None:
        problems.append("the runtime stage sets no USER: it would run as root")
    else:
        ids = user.split(":")
        if not all(part.isdigit() for part in ids) or any(int(part) == 0 for part in ids):
            problems.append("the runtime stage's USER %s is not a numeric non-root user" % user)
    packages = [package for i in runtime if i["instruction"] == "RUN"
                for package in apt_packages(i["value"])]
    for package in packages:
        if package.endswith("-dev") or package in ("gcc", "clang", "build-essential"):
            problems.append("the runtime stage installs %s, a build tool" % package)
    for kind in ("ENTRYPOINT", "CMD"):
        values = [i["value"] for i in runtime if i["instruction"] == kind]
        if not values or not is_exec_form(values[-1]):
            problems.append("the runtime stage's %s is not in exec form" % kind)
    for instruction in runtime:
        if instruction["instruction"] == "EXPOSE" and ADMIN_PORT in instruction["value"]:
            problems.append("the runtime stage exposes the admin port %s" % ADMIN_PORT)

    return {"stages": names, "runtime_packages": packages, "user": user,
            "problems": problems}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("containerfile")
    parser.add_argument("--context", required=True)
    args = parser.parse_args()
    result = check(args.containerfile, args.context)
    print(json.dumps(result))
    return 1 if result["problems"] else 0


if __name__ == "__main__":
    sys.exit(main())
