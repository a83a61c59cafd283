# ice-doctor: the bundled STUN/TURN server with its web report page (and the CLI) in a small non-root image.
#   docker build -t ice-doctor:local .
#   docker run --rm --network host -e ICE_DOCTOR_LISTEN=203.0.113.10 -e ICE_DOCTOR_AUTH_SECRET=... ice-doctor:local
# See docs/docker.md and docker-compose.yml.

# --- build: compile TypeScript, then keep only the production dependencies ---------------------------------
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# --ignore-scripts: the "prepare" script would build before the sources are copied (they come next, so
# this layer stays cached while only sources change). No production dependency has an install script.
RUN npm install --no-audit --no-fund --ignore-scripts
COPY tsconfig.json tsconfig.build.json ./
COPY scripts ./scripts
COPY src ./src
RUN npm run build \
 && npm prune --omit=dev --no-audit --no-fund

# --- runtime --------------------------------------------------------------------------------------------
FROM node:20-bookworm-slim
ENV NODE_ENV=production \
    ICE_DOCTOR_RELAY_PORTS=49160-49200
WORKDIR /app
# Owned by root and read-only to the server's user.
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
# The image's unprivileged "node" user (uid 1000); every port used is above 1024.
USER node
# STUN/TURN over UDP and TCP; the RFC 5780 alternate port; TURN over TLS; the relay range
# (ICE_DOCTOR_RELAY_PORTS); Prometheus metrics when --metrics-port 9641 is given; the web report page
# (HTTP 8080, HTTPS 8443).
EXPOSE 3478/udp 3478/tcp 3479/udp 3479/tcp 5349/tcp 49160-49200/udp 9641/tcp 8080/tcp 8443/tcp
# A STUN Binding probe of the server's first listening address (ICE_DOCTOR_LISTEN, else the default
# 127.0.0.1), port ICE_DOCTOR_HEALTHCHECK_PORT (default 3478). `probe` exits 1 when no response came.
HEALTHCHECK --interval=30s --timeout=10s --start-period=10s --retries=3 \
  CMD host="${ICE_DOCTOR_LISTEN:-127.0.0.1}"; host="${host%%,*}"; \
      case "$host" in *:*) host="[$host]";; esac; \
      node dist/cli.js probe --timeout 3000 "stun:$host:${ICE_DOCTOR_HEALTHCHECK_PORT:-3478}" >/dev/null
ENTRYPOINT ["node", "dist/cli.js"]
# Without ICE_DOCTOR_LISTEN the server listens on 127.0.0.1 and 127.0.0.2 inside the container only:
# set ICE_DOCTOR_LISTEN to the container's (or, with host networking, the host's) IP.
CMD ["serve", "--port", "3478", "--tls-port", "5349"]
