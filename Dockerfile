# Container image of the zhengwu API server.
#
#   docker build -t zhengwu .
#   docker run --rm -p 8080:8080 -e DATABASE_URL=... -e ZHENGWU_JWT_SECRET=... zhengwu
#
# The image's entrypoint is the `zhengwu` binary; the default command is
# `serve`. Other subcommands run the same way, e.g. `docker run ... zhengwu migrate`.

FROM rust:1-bookworm AS builder
WORKDIR /src
COPY . .
# The cache mounts keep downloaded crates and build artefacts between builds
# (BuildKit); the binary is copied out of the cached target directory. The image's binary
# carries no debug information (about 34 MB instead of 179 MB); a local release build keeps
# line tables for profiling.
RUN --mount=type=cache,target=/usr/local/cargo/registry \
    --mount=type=cache,target=/usr/local/cargo/git \
    --mount=type=cache,target=/src/target \
    CARGO_PROFILE_RELEASE_DEBUG=false CARGO_PROFILE_RELEASE_STRIP=symbols \
    cargo build --release --bin zhengwu --locked \
    && install -m 0755 target/release/zhengwu /usr/local/bin/zhengwu

FROM debian:bookworm-slim
RUN apt-get update \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends ca-certificates tzdata \
    && rm -rf /var/lib/apt/lists/* \
    && groupadd --system --gid 10001 zhengwu \
    && useradd --system --uid 10001 --gid zhengwu --home-dir /nonexistent --no-create-home \
        --shell /usr/sbin/nologin zhengwu \
    && mkdir -p /var/lib/zhengwu/storage /var/lib/zhengwu/search \
    && chown -R 10001:10001 /var/lib/zhengwu
COPY --from=builder /usr/local/bin/zhengwu /usr/local/bin/zhengwu
USER 10001:10001
ENV ZHENGWU_BIND=0.0.0.0:8080 \
    ZHENGWU_STORAGE_DIR=/var/lib/zhengwu/storage \
    ZHENGWU_SEARCH_DIR=/var/lib/zhengwu/search \
    RUST_LOG=info
VOLUME ["/var/lib/zhengwu/storage", "/var/lib/zhengwu/search"]
EXPOSE 8080
# Ready means the server answers and reaches its database (GET /readyz); the image has no
# curl, so the binary asks.
HEALTHCHECK --interval=10s --timeout=5s --start-period=60s --retries=3 \
    CMD ["zhengwu", "healthcheck", "--timeout", "4"]
ENTRYPOINT ["zhengwu"]
CMD ["serve"]
