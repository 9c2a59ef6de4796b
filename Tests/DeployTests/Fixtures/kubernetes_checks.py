#!/usr/bin/env python3
"""Checks of deploy/kubernetes that a schema cannot make: how the pieces fit together.

    kubernetes_checks.py FILE...                  the checks; exit 1 on a problem
    kubernetes_checks.py --egress-script FILE...  print the egress init container's script
    kubernetes_checks.py --proxy-config FILE...   print Chaperone's proxy.yaml

The checks, each printed as one line when it fails:
  - no service account token is mounted into the pod;
  - every container runs with a read-only root, no privilege escalation and every capability
    dropped; the ordinary ones as a non-root user, the init container adding NET_ADMIN alone;
  - no container declares a port and no Service points at one: both listeners are loopback;
  - Chaperone's probes run in the container (exec): the kubelet's httpGet and tcpSocket
    probes connect to the pod's IP, where the loopback-only admin listener is not;
  - Secrets are mounted into Chaperone's container only;
  - the egress rule lets out Chaperone's user, and no other container runs as that user;
  - every secret file that proxy.yaml names is a key of the Secret mounted there;
  - the NetworkPolicy selects the pod and limits its egress.
"""
import re
import sys

import yaml

CHAPERONE = "chaperone"


def documents(paths):
    found = []
    for path in paths:
        with open(path) as file:
            found += [document for document in yaml.safe_load_all(file) if document]
    return found


def one(documents, kind):
    matches = [document for document in documents if document.get("kind") == kind]
    if len(matches) != 1:
        raise SystemExit("expected one %s, found %d" % (kind, len(matches)))
    return matches[0]


def pod_of(documents):
    workload = next((d for d in documents if d.get("kind") in ("Deployment", "Pod")), None)
    if workload is None:
        raise SystemExit("no Deployment or Pod")
    if workload["kind"] == "Pod":
        return workload["metadata"], workload["spec"]
    template = workload["spec"]["template"]
    return template["metadata"], template["spec"]


def egress_script(pod):
    """The init container's argument: the image's entrypoint is `/bin/sh -c`."""
    init = pod.get("initContainers", [])
    if len(init) != 1:
        raise SystemExit("expected one init container, found %d" % len(init))
    return "\n".join(init[0].get("args", []))


def proxy_config(documents, pod, chaperone):
    """proxy.yaml as Chaperone's container sees it, and where its volumes are mounted."""
    mounts = {mount["name"]: mount["mountPath"] for mount in chaperone.get("volumeMounts", [])}
    volumes = {volume["name"]: volume for volume in pod.get("volumes", [])}
    config_name = next(volumes[name]["configMap"]["name"] for name in mounts
                       if "configMap" in volumes.get(name, {}))
    config_map = next(d for d in documents
                      if d.get("kind") == "ConfigMap" and d["metadata"]["name"] == config_name)
    return config_map["data"]["proxy.yaml"], mounts, volumes


def security_problems(container, init):
    name = container["name"]
    context = container.get("securityContext", {})
    problems = []
    if context.get("readOnlyRootFilesystem") is not True:
        problems.append("%s: the root file system is writable" % name)
    if context.get("allowPrivilegeEscalation") is not False:
        problems.append("%s: privilege escalation is allowed" % name)
    capabilities = context.get("capabilities", {})
    if "ALL" not in capabilities.get("drop", []):
        problems.append("%s: capabilities are not all dropped" % name)
    added = set(capabilities.get("add", []))
    if (init and not added <= {"NET_ADMIN"}) or (not init and added):
        problems.append("%s: adds capabilities %s" % (name, sorted(added)))
    if not init and (context.get("runAsNonRoot") is not True or not context.get("runAsUser")):
        problems.append("%s: not a non-root user with a fixed runAsUser" % name)
    if container.get("ports"):
        problems.append("%s: declares ports %s" % (name, container["ports"]))
    return problems


def check(documents):
    labels, pod = pod_of(documents)
    containers = pod.get("containers", [])
    init = pod.get("initContainers", [])
    problems = []
    if pod.get("automountServiceAccountToken") is not False:
        problems.append("the pod gets a service account token")
    for container in containers:
        problems += security_problems(container, init=False)
    for container in init:
        problems += security_problems(container, init=True)

    chaperone = next((c for c in containers if c["name"] == CHAPERONE), None)
    if chaperone is None:
        return problems + ["no container named %s" % CHAPERONE]
    for kind in ("readinessProbe", "livenessProbe", "startupProbe"):
        probe = chaperone.get(kind)
        if probe is not None and "exec" not in probe:
            problems.append("%s: %s does not run in the container" % (CHAPERONE, kind))
    if "readinessProbe" not in chaperone:
        problems.append("%s: no readiness probe" % CHAPERONE)
    for service in (d for d in documents if d.get("kind") == "Service"):
        problems.append("Service %s exposes the pod" % service["metadata"]["name"])

    text, mounts, volumes = proxy_config(documents, pod, chaperone)
    secret_volumes = {name for name, volume in volumes.items() if "secret" in volume}
    for container in containers + init:
        if container is chaperone:
            continue
        for mount in container.get("volumeMounts", []):
            if mount["name"] in secret_volumes:
                problems.append("%s mounts the Secret volume %s" % (container["name"],
                                                                     mount["name"]))

    uid = chaperone.get("securityContext", {}).get("runAsUser")
    if "--uid-owner %s " % uid not in egress_script(pod):
        problems.append("the egress rules do not let Chaperone's user %s out" % uid)
    for container in containers:
        if container is not chaperone and \
                container.get("securityContext", {}).get("runAsUser") == uid:
            problems.append("%s runs as Chaperone's user %s" % (container["name"], uid))

    config = yaml.safe_load(text)
    for name in secret_volumes & set(mounts):
        secret_name = volumes[name]["secret"]["secretName"]
        secret = next((d for d in documents if d.get("kind") == "Secret"
                       and d["metadata"]["name"] == secret_name), None)
        if secret is None:
            problems.append("no Secret %s" % secret_name)
            continue
        keys = set(secret.get("stringData", {})) | set(secret.get("data", {}))
        prefix = mounts[name].rstrip("/") + "/"
        for path in re.findall(r"\{file: ([^}]+)\}", text):
            if path.startswith(prefix) and path[len(prefix):] not in keys:
                problems.append("proxy.yaml reads %s, which Secret %s lacks"
                                % (path, secret_name))
    if not isinstance(config, dict) or config.get("version") != 1:
        problems.append("proxy.yaml is not a version 1 configuration")

    policies = [d for d in documents if d.get("kind") == "NetworkPolicy"]
    selected = [p for p in policies
                if p["spec"].get("podSelector", {}).get("matchLabels", {}).items()
                <= labels.get("labels", {}).items()]
    if not any("Egress" in p["spec"].get("policyTypes", []) for p in selected):
        problems.append("no NetworkPolicy limits the pod's egress")
    return problems


def main():
    arguments = sys.argv[1:]
    mode = arguments.pop(0) if arguments and arguments[0].startswith("--") else None
    found = documents(arguments)
    if mode == "--egress-script":
        print(egress_script(pod_of(found)[1]))
        return 0
    if mode == "--proxy-config":
        _, pod = pod_of(found)
        chaperone = next(c for c in pod["containers"] if c["name"] == CHAPERONE)
        print(proxy_config(found, pod, chaperone)[0], end="")
        return 0
    problems = check(found)
    for problem in problems:
        print(problem)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
