# The tracegate image: the static musl binary on an empty base, run as a non-root user.
# Built by .github/workflows/release.yml from the context scripts/release-dist.sh writes
# (image/linux-amd64/tracegate, image/linux-arm64/tracegate); BuildKit sets TARGETARCH.
#
#   docker run --rm -v "$PWD:/work" ghcr.io/tracegate/tracegate check plan.json
FROM scratch
ARG TARGETARCH
LABEL org.opencontainers.image.source="https://github.com/tracegate/tracegate" \
      org.opencontainers.image.description="A gate for Terraform and OpenTofu plans: every AWS Lambda function must have Active X-Ray tracing" \
      org.opencontainers.image.licenses="Apache-2.0"
COPY --chmod=0755 linux-${TARGETARCH}/tracegate /tracegate
# nobody:nogroup by number (scratch has no /etc/passwd); reports go to the mounted directory.
USER 65534:65534
WORKDIR /work
ENTRYPOINT ["/tracegate"]
CMD ["--help"]
