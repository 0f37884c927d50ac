#!/usr/bin/env python3
"""Where a gateway's CPU samples went, from a Java Flight Recorder file: by kind of work, by library (a sample counts
for every library on its stack), and the hottest methods.
    bench/jfr-profile.py target/load/tracker-on.jfr [JDK_HOME]
"""
import collections
import json
import os
import subprocess
import sys

path = sys.argv[1]
jdk = sys.argv[2] if len(sys.argv) > 2 else os.environ.get("JAVA_HOME", "")
jfr = os.path.join(jdk, "bin", "jfr") if jdk else "jfr"
raw = subprocess.run([jfr, "print", "--json", "--stack-depth", "200", "--events", "jdk.ExecutionSample", path],
                     check=True, capture_output=True, text=True).stdout
events = json.loads(raw)["recording"]["events"]

# The first kind whose prefix is on a sample's stack takes the sample: fal's webhooks are requests too.
WORK = [
    ("fal webhooks received", ("com.ltxgateway.tracking.web.FalWebhookReceiver",)),
    ("API requests", ("org.apache.catalina.", "org.apache.coyote.")),
    ("tracker", ("com.ltxgateway.tracking.Tracker.handle", "com.ltxgateway.tracking.TrainingStepper")),
    ("team webhook dispatch", ("com.ltxgateway.webhook.",)),
    ("claim loops", ("com.ltxgateway.ClaimLoop",)),
    ("fal HTTP (Netty event loops)", ("io.netty.channel.nio.", "io.netty.channel.epoll.", "io.netty.channel.SingleThreadIoEventLoop")),
    ("GC / JIT / JVM", ()),
]
LIBRARIES = {
    "Hibernate": ("org.hibernate.",),
    "Jackson": ("tools.jackson.", "com.fasterxml.jackson."),
    "Spring Security": ("org.springframework.security.",),
    "Reactor / Netty": ("reactor.", "io.netty."),
    "Micrometer": ("io.micrometer.",),
    "PostgreSQL driver": ("org.postgresql.",),
    "HikariCP": ("com.zaxxer.hikari.",),
    "Boot nested jars (URL handling)": ("org.springframework.boot.loader.",),
    "Logging": ("ch.qos.logback.", "org.slf4j."),
    "Bean Validation": ("org.hibernate.validator.",),
    "Spring transactions": ("org.springframework.transaction.",),
    "Spring MVC": ("org.springframework.web.servlet.",),
    "Tomcat": ("org.apache.catalina.", "org.apache.coyote.", "org.apache.tomcat."),
    "gateway code (self)": (),
}

def frames(event):
    stack = event["values"].get("stackTrace") or {}
    out = []
    for frame in stack.get("frames", []):
        method = frame.get("method") or {}
        cls = (method.get("type") or {}).get("name", "?")
        out.append(cls.replace("/", ".") + "." + method.get("name", "?"))
    return out

total = len(events)
work = collections.Counter()
libraries = collections.Counter()
hot = collections.Counter()
gateway = collections.Counter()
for event in events:
    stack = frames(event)
    if any(f.startswith("org.springframework.boot.loader.launch.") for f in stack):
        # The main thread starting the application: not the gateway at work.
        total -= 1
        continue
    if not stack:
        work["GC / JIT / JVM"] += 1
        continue
    hot[stack[0]] += 1
    # The gateway's own method nearest the top of the stack: which of its steps the library work below was for.
    own = next((f for f in stack if f.startswith("com.ltxgateway.") and "$$" not in f), None)
    if own:
        gateway[own] += 1
    kind = next((name for name, prefixes in WORK if prefixes and any(f.startswith(prefixes) for f in stack)), "other")
    work[kind] += 1
    for name, prefixes in LIBRARIES.items():
        if prefixes and any(f.startswith(prefixes) for f in stack):
            libraries[name] += 1
    if stack[0].startswith("com.ltxgateway."):
        libraries["gateway code (self)"] += 1

print(f"{total} CPU samples in {path}\n")
print("| kind of work | share |\n|---|---|")
for name, count in work.most_common():
    print(f"| {name} | {100 * count / total:.1f} % |")
print("\n| library on the stack | share |\n|---|---|")
for name, count in libraries.most_common():
    print(f"| {name} | {100 * count / total:.1f} % |")
print("\n| gateway method nearest the top of the stack | share |\n|---|---|")
for name, count in gateway.most_common(20):
    print(f"| `{name}` | {100 * count / total:.1f} % |")
print("\n| hottest methods (self) | share |\n|---|---|")
for name, count in hot.most_common(15):
    print(f"| `{name}` | {100 * count / total:.1f} % |")
