# syntax=docker/dockerfile:1
# The gateway's container image: built from source in one stage, run from Spring Boot's extracted layers on a JRE
# in another. Build with `docker build -t ltx-trainer-gateway .`; docker-compose.yml and the Helm chart use it.
# Base images are pinned by digest (the multi-platform index), so a build takes exactly the JDK and JRE it was checked
# with; the tag before the digest says what it is. Refresh both together: docs/deployment.md, "Pinned images".

############################################################################
# Build: a JDK 21 and the Maven wrapper (Maven itself comes from Maven Central).
# Temurin 21.0.12+8 on Ubuntu 26.04, published 2026-09-09.
FROM eclipse-temurin:21-jdk@sha256:1f79c73404fb0cccf9a3459eda22892f368d994b1028d6fb1ae871c1f49749a6 AS build
WORKDIR /build

# The wrapper and the POM first: their layer, with every dependency and plugin, is reused until pom.xml changes.
COPY mvnw pom.xml ./
COPY .mvn/ .mvn/
RUN chmod +x mvnw && ./mvnw -B -ntp dependency:go-offline

# Then the sources. The tests run in CI (`./mvnw verify`), not in the image build.
COPY src/ src/
RUN ./mvnw -B -ntp -DskipTests package \
    && cp target/ltx-trainer-gateway-*.jar application.jar \
    && java -Djarmode=tools -jar application.jar extract --layers --launcher --destination extracted

############################################################################
# Runtime: a JRE only. No Maven, no JDK, no sources, no secrets: settings come from the environment at run time.
# Temurin 21.0.12+8 on Ubuntu 26.04, published 2026-09-09.
FROM eclipse-temurin:21-jre@sha256:a80c51f2d09a3e7e00d521f1c817bbceb6b3be94109b4a784d46078099882dda AS runtime

# A fixed, unprivileged user (Kubernetes' runAsNonRoot checks the numeric id).
RUN groupadd --system --gid 10001 gateway \
    && useradd --system --uid 10001 --gid 10001 --home-dir /nonexistent --no-create-home \
       --shell /usr/sbin/nologin gateway
WORKDIR /app
# The filesystem artifact store's directory (GATEWAY_ARTIFACTS_DIR), owned by the gateway's user: mount a volume here,
# or use GATEWAY_ARTIFACTS_STORE=s3.
RUN mkdir -p /data/artifacts && chown -R 10001:10001 /data

# Spring Boot's layers, from the least to the most often changed, so a code change rebuilds only the last layer.
COPY --from=build /build/extracted/dependencies/ ./
COPY --from=build /build/extracted/spring-boot-loader/ ./
COPY --from=build /build/extracted/snapshot-dependencies/ ./
COPY --from=build /build/extracted/application/ ./

# Heap sized from the container's memory limit; an OutOfMemoryError ends the process so the orchestrator restarts it
# instead of leaving a half-working JVM. G1 is named because the JVM picks the serial collector by itself in a container
# with less than 2 GB, whose full collections stop every request (docs/operations.md, "Heap"). The JVM writes only to
# /tmp (Tomcat's work files, perf data, copies of outputs on their way to the store) and the filesystem store to
# /data/artifacts, so the root file system can be read-only.
ENV JAVA_TOOL_OPTIONS="-XX:+UseG1GC -XX:MaxRAMPercentage=75 -XX:+ExitOnOutOfMemoryError" \
    SERVER_PORT=8080 \
    GATEWAY_ARTIFACTS_DIR=/data/artifacts

USER 10001:10001
EXPOSE 8080

# Exec form: the JVM is PID 1 and gets SIGTERM itself, so Boot's graceful shutdown (server.shutdown=graceful,
# 30 s per phase) finishes requests in flight before the process ends.
ENTRYPOINT ["java", "org.springframework.boot.loader.launch.JarLauncher"]
