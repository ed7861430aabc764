#!/usr/bin/python
# Checks a fetched toolbox collect bundle on the controller: the archive's own sha256 against the
# one that `toolbox collect --json` printed on the host, then every file that the bundle's
# manifest.json lists against its recorded size and sha256. It reads the archive; it never
# extracts it, so a hostile bundle cannot write anywhere.
from __future__ import annotations

DOCUMENTATION = r"""
module: bundle_verify
short_description: Verify a toolbox collect bundle against its manifest
version_added: 0.1.0
author: toolbox developers
description:
  - Computes the bundle's sha256 and compares it with the expected one.
  - Reads manifest.json (format toolbox-collect/1) from the archive and checks the size and sha256
    of every output and stderr file it lists.
  - Counts the collectors by status (ok, failed, timeout).
options:
  path:
    description: The bundle (.tar.gz) on the controller.
    type: path
    required: true
  sha256:
    description: The sha256 that toolbox collect --json reported for the bundle.
    type: str
    required: true
"""

EXAMPLES = r"""
- name: Verify a fetched bundle
  toolbox.fleet.bundle_verify:
    path: bundles/host1/toolbox-collect-host1-20260101T000000Z.tar.gz
    sha256: "{{ collect_summary.sha256 }}"
  delegate_to: localhost
  register: verified
"""

RETURN = r"""
sha256: {description: the bundle's sha256, type: str}
bytes: {description: the bundle's size, type: int}
files: {description: how many files were checked against the manifest, type: int}
collectors: {description: "counts by status: ok, failed, timeout", type: dict}
failed_collectors: {description: ids of the collectors that failed, type: list}
timed_out_collectors: {description: ids of the collectors that hit their deadline, type: list}
manifest_host: {description: the host section of the manifest, type: dict}
"""

import hashlib
import json
import os
import tarfile

from ansible.module_utils.basic import AnsibleModule


def sha256_of(fileobj):
    h = hashlib.sha256()
    for chunk in iter(lambda: fileobj.read(1 << 16), b""):
        h.update(chunk)
    return h.hexdigest()


def main():
    module = AnsibleModule(
        argument_spec=dict(path=dict(type="path", required=True), sha256=dict(type="str", required=True)),
        supports_check_mode=True,
    )
    path = module.params["path"]
    expected = module.params["sha256"].strip().lower()
    try:
        with open(path, "rb") as f:
            actual = sha256_of(f)
    except OSError as e:
        module.fail_json(msg="cannot read the bundle %s: %s" % (path, e))
    if actual != expected:
        module.fail_json(msg="bundle %s has sha256 %s, but the host reported %s" % (path, actual, expected))

    try:
        with tarfile.open(path, "r:gz") as tar:
            members = {m.name.rstrip("/"): m for m in tar.getmembers()}
            manifests = [n for n in members if n.count("/") == 1 and n.endswith("/manifest.json")]
            if len(manifests) != 1:
                module.fail_json(msg="bundle %s has %d manifest.json files at its top, not one" % (path, len(manifests)))
            top = manifests[0].split("/")[0]
            manifest = json.load(tar.extractfile(members[manifests[0]]))
            checked = 0
            problems = []
            for command in manifest.get("commands", []):
                for kind in ("output", "stderr"):
                    entry = command.get(kind)
                    if not entry:
                        continue
                    name = top + "/" + entry["path"]
                    member = members.get(name)
                    if member is None or not member.isfile():
                        problems.append("%s: missing" % entry["path"])
                        continue
                    if member.size != entry["bytes"]:
                        problems.append("%s: %d bytes, manifest says %d" % (entry["path"], member.size, entry["bytes"]))
                        continue
                    if sha256_of(tar.extractfile(member)) != entry["sha256"]:
                        problems.append("%s: sha256 differs from the manifest" % entry["path"])
                        continue
                    checked += 1
    except (tarfile.TarError, OSError, ValueError, KeyError, TypeError) as e:
        module.fail_json(msg="cannot read the bundle %s: %s" % (path, e))
    if problems:
        module.fail_json(msg="bundle %s does not match its manifest: %s" % (path, "; ".join(problems)), problems=problems)

    commands = manifest.get("commands", [])
    status = lambda s: [c["id"] for c in commands if c.get("status") == s]
    module.exit_json(
        changed=False,
        sha256=actual,
        bytes=os.path.getsize(path),
        files=checked,
        collectors={"ok": len(status("ok")), "failed": len(status("failed")), "timeout": len(status("timeout"))},
        failed_collectors=status("failed"),
        timed_out_collectors=status("timeout"),
        manifest_host=manifest.get("host", {}),
    )


if __name__ == "__main__":
    main()
