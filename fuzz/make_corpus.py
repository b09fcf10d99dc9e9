#!/usr/bin/env python3
"""Writes the fuzz seed corpora in fuzz/corpus/ from fixtures/wire/.

Run from the repository root after a fixture changes; the output is
committed. Each seed is one real request of the kind the target parses.
"""
import hashlib
import json
import pathlib
import urllib.parse

ROOT = pathlib.Path(__file__).resolve().parent.parent
OUT = ROOT / "fuzz" / "corpus"


def write(target, data):
    data = data.encode() if isinstance(data, str) else data
    directory = OUT / target
    directory.mkdir(parents=True, exist_ok=True)
    (directory / hashlib.sha1(data).hexdigest()).write_bytes(data)


def pop_target(params):
    common = {"Format": "JSON", "Version": "2017-05-25",
              "AccessKeyId": "mns-emulator-key", "SignatureMethod": "HMAC-SHA1",
              "SignatureVersion": "1.0", "SignatureNonce": "n",
              "Timestamp": "2026-12-02T00:00:00Z", "Signature": "x"}
    common.update(params)
    return "/?" + urllib.parse.urlencode(common)


def main():
    for path in sorted((ROOT / "fixtures" / "wire").glob("*.json")):
        example = json.loads(path.read_text())
        for step in example.get("setup", []) + [example["request"]]:
            if "pop" in step:
                target = pop_target(step["pop"])
                write("request", f"GET\n{target}\nHost: localhost\n\n")
                write("http_parsing", f"{target}\nHost: localhost\n")
                form = target[2:]
                write("pop_v3",
                      "/\nACS3-HMAC-SHA256 Credential=mns-emulator-key,"
                      "SignedHeaders=host;x-acs-action;x-acs-date,"
                      "Signature=00\nUNSIGNED-PAYLOAD\n" + form)
                continue
            body = step.get("body", "")
            headers = "".join(f"{k}: {v}\n"
                              for k, v in step.get("headers", {}).items())
            if body:
                write("mns_xml", body)
                headers += "Content-Type: text/xml\n"
            write("request",
                  f"{step['method']}\n{step['path']}\nHost: localhost\n"
                  f"{headers}\n{body}")
            write("http_parsing",
                  f"{step['path']}\nAuthorization: MNS mns-emulator-key:"
                  f"c2lnbmF0dXJl\nDate: Wed, 02 Dec 2026 00:00:00 GMT\n")
    for control in [
            'POST\n/_emulator/clock\nContent-Type: application/json\n\n'
            '{"advance_seconds": 60}',
            'PUT\n/_emulator/sms/rules\nContent-Type: application/json\n\n'
            '{"rules": [{"phone": "138*", "outcome": "failed", '
            '"err_code": "MK:0001", "reports": 2}]}',
            'POST\n/_emulator/sms/up\nContent-Type: application/json\n\n'
            '{"phone_number": "13800000000", "content": "TD"}',
            'GET\n/_emulator/sms?phone=13800000000\n\n']:
        write("request", control)
    readme = (ROOT / "README.md").read_text()
    start = readme.index("```json\n{\n  \"host\"") + len("```json\n")
    write("config", readme[start:readme.index("```", start)])
    write("config", '{"rules": [{"phone": "1390000000?", "reports": 0}]}')
    write("config", "{}")


if __name__ == "__main__":
    main()
