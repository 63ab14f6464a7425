# Multi-stage build: a static binary (pure Go, no cgo) with the prompts and
# time zones embedded, on a small non-root runtime image.
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /out/hotline ./cmd/hotline \
 && mkdir -p /out/data

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/hotline /usr/local/bin/hotline
COPY --from=build --chown=nonroot:nonroot /out/data /data
WORKDIR /data
# SIP (UDP and TCP), HTTP, and the RTP range of the config you mount.
EXPOSE 5060/udp 5060/tcp 8080/tcp
USER nonroot
ENTRYPOINT ["/usr/local/bin/hotline"]
# The embedded demo binds loopback only; mount a config with public addresses:
#   docker run -v $PWD/hotline.yaml:/etc/hotline.yaml --network host hotline -config /etc/hotline.yaml
CMD ["-data-dir", "/data"]
